"""Benchmark: opening a session and decoding 8-view frames.

Targets (issue: foundation):
- open a session and decode the first 8-view frame: <= 150 ms
- sustained 8-view frame decode at 640x360 with 2 threads: >= 120 frames/s (1 thread reported too)

Usage: python bench/bench_session.py [--session FILE.h5] [--seconds 5]
Without --session it renders a showcase session (one take with video) into a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from analysis.session.reader import Session  # noqa: E402
from analysis.session.video_source import decode_image  # noqa: E402
from analysis.session.writer import write_session  # noqa: E402
from analysis.synthetic.library_builder import build_session, plan_library  # noqa: E402

_OPEN_SNIPPET = """
import sys, time
t0 = time.perf_counter()
from analysis.session.reader import Session
t1 = time.perf_counter()
session = Session.open(sys.argv[1])
take = next(t for t in session.takes.values() if t.video_views)
frames = session.frames(take.take_id, 0)
t2 = time.perf_counter()
assert all(f is not None for f in frames)
print((t2 - t1) * 1000, (t1 - t0) * 1000)
"""


def make_showcase(folder: Path) -> Path:
    job = next(j for j in plan_library(seed=0, n_athletes=12, video_takes=1) if j.is_showcase)
    return write_session(folder / job.file_name, build_session(job))


def time_open_first_frame(path: Path, repeats: int = 7) -> tuple[float, float]:
    """Median ms to open + decode the first 8-view frame in a fresh process, and the import time."""
    results = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", _OPEN_SNIPPET, str(path)], capture_output=True, text=True,
                             check=True, cwd=Path(__file__).resolve().parents[1])
        results.append(tuple(float(v) for v in out.stdout.split()))
    return statistics.median(r[0] for r in results), statistics.median(r[1] for r in results)


def decode_rate(path: Path, threads: int, seconds: float) -> tuple[float, tuple[int, int]]:
    """Sustained 8-view frames decoded per second, looping over the take."""
    cv2.setNumThreads(1)
    with Session.open(path) as session:
        take = next(t for t in session.takes.values() if t.video_views)
        views = take.video_views
        first = session.frame(take.take_id, views[0], 0)
        frames_done = 0
        with ThreadPoolExecutor(threads) as pool:
            started = time.perf_counter()
            while time.perf_counter() - started < seconds:
                index = frames_done % take.n_frames
                encoded = [session.encoded_frame(take.take_id, view, index) for view in views]
                images = list(pool.map(decode_image, encoded))
                assert all(image is not None for image in images)
                frames_done += 1
            elapsed = time.perf_counter() - started
    return frames_done / elapsed, (first.shape[1], first.shape[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.session or make_showcase(Path(folder))
        open_ms, import_ms = time_open_first_frame(path)
        print(f"session: {path.name}")
        print(f"open + first 8-view frame (fresh process, median of 7): {open_ms:.1f} ms "
              f"(target <= 150 ms; importing the reader took another {import_ms:.0f} ms)")
        for threads in (1, 2):
            rate, size = decode_rate(path, threads, args.seconds)
            print(f"sustained 8-view decode, {size[0]}x{size[1]}, {threads} thread(s): {rate:.1f} frames/s"
                  + (" (target >= 120 with 2 threads)" if threads == 2 else ""))


if __name__ == "__main__":
    main()
