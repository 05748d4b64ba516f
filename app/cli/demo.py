"""The built-in demo library: where it lives and how it is made on first use."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_data_dir

from analysis.session.library import Library

APP_NAME = "lucid-workstation"
_COMPLETE_MARKER = ".complete"
_SHOWCASE_KEY = "showcase="


def default_demo_dir() -> Path:
    """The demo library folder in the user's data directory."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "demo-library"


def demo_is_complete(folder: Path) -> bool:
    """True when a generation of ``folder`` ran to the end."""
    return (folder / _COMPLETE_MARKER).is_file()


def ensure_demo(folder: Path | None = None, progress: Callable[[int, int], None] | None = None,
                indexing: Callable[[int, int], None] | None = None, seed: int = 0) -> Path:
    """Generate the demo library into ``folder`` unless a complete one is there, then index it
    (so the window's first start finds the index cached).

    An interrupted earlier generation is discarded and started again. ``progress`` follows the
    generation (see :func:`generate_library`), ``indexing`` the index (files read, files to read).
    """
    from analysis.synthetic.library_builder import (  # only on a first run
        generate_library,
        plan_library,
    )

    folder = folder or default_demo_dir()
    if demo_is_complete(folder):
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    generate_library(folder, seed=seed, progress=progress)
    Library.scan(folder, progress=indexing)
    showcase = next(job for job in plan_library(seed) if job.is_showcase)
    (folder / _COMPLETE_MARKER).write_text(f"seed={seed}\n{_SHOWCASE_KEY}{showcase.file_name}\n")
    return folder


def showcase_session(folder: Path) -> Path:
    """The trainee session of the demo library that carries video (the one opened first).

    Named in the completion marker; a library generated before that is looked up in its index.
    """
    marker = folder / _COMPLETE_MARKER
    lines = marker.read_text().splitlines() if marker.is_file() else []
    named = [line[len(_SHOWCASE_KEY):] for line in lines if line.startswith(_SHOWCASE_KEY)]
    if named and (folder / named[0]).is_file():
        return folder / named[0]
    index = Library.scan(folder).index
    with_video = index[index["has_video"] & ~index["is_exemplar"]]
    if with_video.empty:
        raise FileNotFoundError(f"no session with video in {folder}")
    return folder / with_video["file"].iloc[0]
