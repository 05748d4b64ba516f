"""Benchmark: export speed of an annotated clip, 8-view mosaic with every overlay.

Target (issue 6): >= 30 output frames per second on this machine, 640x360 per view.

The session is a synthetic women's floor session (640x360 JPEG video in all 8
views); the clip is the first take with video, mosaic layout (1920x540 plus
the information band and penalty strip), skeleton, angles at both knees and
hips, score, penalty strip and timestamp, encoded through PyAV with ``--codec``
(h264, the export's default, or mp4v). Frames are decoded and rendered ahead by
the same 2-thread pool as the ``export`` command.

Usage:
    .venv/bin/python bench/bench_export.py [--session FILE.h5] [--take ID] [--repeats 3] [--codec h264|mp4v]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.render.clip_export import (  # noqa: E402
    DEFAULT_CODEC,
    VIDEO_CODECS,
    OverlayOptions,
    export_clip,
)
from analysis.session.reader import Session  # noqa: E402
from analysis.session.writer import write_session  # noqa: E402
from analysis.synthetic.library_builder import build_session, plan_library  # noqa: E402
from app.cli.export import EXPORT_THREADS  # noqa: E402

BENCH_OVERLAYS = OverlayOptions(skeleton="detections", angle_joints=("left_knee", "right_knee", "left_hip", "right_hip"),
                              score=True, penalties=True, timestamp=True)


def synthetic_session(folder: Path) -> Path:
    job = next(j for j in plan_library(seed=3, n_athletes=6, repetitions=1, video_takes=2, levels=(1,))
               if j.is_showcase)
    return write_session(folder / job.file_name, build_session(job))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=Path, default=None, help="session file (default: build a synthetic one)")
    parser.add_argument("--take", default=None, help="take id (default: the first take with video)")
    parser.add_argument("--repeats", type=int, default=3, help="exports timed; the median is reported")
    parser.add_argument("--codec", choices=tuple(VIDEO_CODECS), default=DEFAULT_CODEC, help="video codec")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = args.session or synthetic_session(Path(folder))
        with Session.open(path) as session:
            take = args.take or next(t.take_id for t in session.takes.values() if t.video_views)
            info = session.take(take)
            sizes = {session.frame(take, view, 0).shape[1::-1] for view in info.video_views}
        codec = args.codec
        rates = []
        for repeat in range(args.repeats):
            out = Path(folder) / f"clip{repeat}.mp4"
            started = time.perf_counter()
            with ThreadPoolExecutor(EXPORT_THREADS) as pool:
                export_clip(path, take, out, "mosaic", overlays=BENCH_OVERLAYS, codec=codec, executor=pool)
            rates.append(info.n_frames / (time.perf_counter() - started))
        rates.sort()
        print(f"session {path.name}, take {take}: {info.n_frames} frames, {len(info.video_views)} views with video "
              f"at {', '.join(f'{w}x{h}' for w, h in sorted(sizes))}")
        print(f"machine: {os.cpu_count()} cores; codec {codec}; {EXPORT_THREADS} render threads")
        print(f"export speed, 8-view mosaic with all overlays: {rates[len(rates) // 2]:.1f} frames/s median "
              f"(runs: {', '.join(f'{r:.1f}' for r in rates)}; target >= 30)")


if __name__ == "__main__":
    main()
