"""Benchmark: decoding 8 camera files referenced by a session (H.264 through PyAV).

The showcase take's 8 views (640x360) are encoded into H.264 MP4 files of 300
frames (the take played forwards then backwards), once with x264's defaults
(B-frames, a keyframe every 250 frames) and once with a keyframe every second
(``g=30``), and a session references them in place. Measured: opening the
session and decoding the first 8-view frame (each file is indexed then), and
8-view frames per second read in order (playback) and in random order (seeking),
with the views decoded one after another or by 2 threads.

Usage: python bench/bench_video.py [--session FILE.h5] [--frames 300] [--random-reads 100]
Without --session it renders the showcase session (as bench_session.py does) into a temporary folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402
from bench_session import make_showcase  # noqa: E402

from analysis.session.data import SessionData, TakeData, VideoFile  # noqa: E402
from analysis.session.reader import Session  # noqa: E402
from analysis.session.writer import write_session  # noqa: E402
from analysis.synthetic.camera_files import write_camera_file  # noqa: E402

GOPS = {"x264 defaults (keyframe every 250, B-frames)": {}, "keyframe every 30 (g=30), B-frames": {"g": "30"}}


def ping_pong(length: int, n_frames: int) -> np.ndarray:
    """Frame indices ``(n_frames,)`` running 0..length-1 and back, repeatedly."""
    cycle = np.concatenate([np.arange(length), np.arange(length - 2, 0, -1)])
    return np.resize(cycle, n_frames)


def referenced_session(source: Path, folder: Path, n_frames: int, options: dict[str, str]) -> tuple[Path, float]:
    """Encode the first take with video of ``source`` to 8 MP4 files; returns the session and encode seconds."""
    with Session.open(source) as session:
        take = next(t for t in session.takes.values() if t.video_views)
        order = ping_pong(take.n_frames, n_frames)
        started = time.perf_counter()
        video = {}
        for view in take.video_views:
            frames = (session.frame(take.take_id, view, int(i)) for i in order)
            write_camera_file(folder / f"{view}.mp4", frames, session.fps, options=options)
            video[view] = VideoFile(f"{view}.mp4")
        encode_s = time.perf_counter() - started
        poses = {name: getattr(session, name)(take.take_id) for name in ("pose3d", "pose3d_reference")}
        data = SessionData(session.event, session.level, session.athlete, session.fps, session.skeleton,
                           session.cameras, [TakeData(
                               take.take_id, take.action, take.action_name, session.pose2d(take.take_id)[:, order],
                               take.score, take.is_exemplar, video=video,
                               **{name: None if value is None else value[order] for name, value in poses.items()})])
    return write_session(folder / "referenced.h5", data), encode_s


def open_first_frame_ms(path: Path) -> float:
    started = time.perf_counter()
    with Session.open(path) as session:
        take_id = session.take_ids[0]
        assert all(image is not None for image in session.frames(take_id, 0))
    return (time.perf_counter() - started) * 1000


def decode_rate(path: Path, order: np.ndarray, threads: int) -> float:
    """8-view frames per second, reading ``order``'s frames (the first read is not timed)."""
    with Session.open(path) as session, ThreadPoolExecutor(threads) as pool:
        take = session.take(session.take_ids[0])
        views = take.video_views
        session.frames(take.take_id, int(order[0]))
        started = time.perf_counter()
        for index in order[1:]:
            images = list(pool.map(lambda view: session.frame(take.take_id, view, int(index)), views))
            assert all(image is not None for image in images)
        return (len(order) - 1) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=Path, default=None, help="a session with embedded video to encode")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--random-reads", type=int, default=100, help="8-view frames read in random order")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        source = args.session or make_showcase(folder)
        print(f"source: {source.name}; {args.frames} frames per view")
        for name, options in GOPS.items():
            gop_folder = folder / f"g{options.get('g', 'default')}"
            gop_folder.mkdir()
            path, encode_s = referenced_session(source, gop_folder, args.frames, options)
            print(f"{name}: encoded 8 views in {encode_s:.1f} s, "
                  f"{sum(f.stat().st_size for f in gop_folder.glob('*.mp4')) / 1e6:.1f} MB")
            print(f"  open + index + first 8-view frame: {open_first_frame_ms(path):.0f} ms")
            sequential = np.arange(args.frames)
            shuffled = np.random.default_rng(0).permutation(args.frames)[:args.random_reads]
            for threads in (1, 2):
                print(f"  {threads} thread(s): in order {decode_rate(path, sequential, threads):.1f} frames/s, "
                      f"random order {decode_rate(path, shuffled, threads):.1f} frames/s (8 views each)")


if __name__ == "__main__":
    main()
