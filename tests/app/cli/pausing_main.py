"""``main.py`` that pauses at a chosen point of a long job, for the interrupt tests.

Run as ``python -m tests.app.cli.pausing_main POINT READY_FILE ARGS...``: it
runs ``main.py ARGS`` unchanged except that on reaching ``POINT`` it writes
``READY_FILE`` and sleeps, so the test can send a signal exactly then:

- ``export-frame``: after the fifth frame went to the video encoder;
- ``triangulate-write``: the new session written to its temporary file, before it is checked and renamed;
- ``checkpoint-save``: half-way through writing the model's temporary file.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

PAUSE_S = 120.0


def _pause(ready: Path) -> None:
    ready.write_text("paused")
    time.sleep(PAUSE_S)


def _pause_export(ready: Path) -> None:
    from analysis.render import clip_export

    rendered = clip_export._rendered_frames

    def pausing(clip, executor):
        for index, image in enumerate(rendered(clip, executor)):
            if index == 5:
                _pause(ready)
            yield image

    clip_export._rendered_frames = pausing


def _pause_triangulate(ready: Path) -> None:
    from analysis.geometry import retriangulate

    validate = retriangulate.validate_session_file

    def pausing(path, *args, **kwargs):
        _pause(ready)
        return validate(path, *args, **kwargs)

    retriangulate.validate_session_file = pausing


def _pause_checkpoint(ready: Path) -> None:
    from models import checkpoint

    def pausing(payload, path):
        Path(path).write_bytes(b"half a checkpoint")
        _pause(ready)

    checkpoint.torch.save = pausing


POINTS = {"export-frame": _pause_export, "triangulate-write": _pause_triangulate,
          "checkpoint-save": _pause_checkpoint}

if __name__ == "__main__":
    POINTS[sys.argv[1]](Path(sys.argv[2]))
    from app.cli.main import main

    sys.exit(main(sys.argv[3:]))
