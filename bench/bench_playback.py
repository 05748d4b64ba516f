"""Benchmark: playback of the 8-view grid and of the whole window, and memory over looped playback.

Targets (issues 4, 11 and 16), at 640x360 per view under Xvfb:
- presented frames per second, video grid alone: >= 60
- presented frames per second, every panel visible in a 1920x1080 window (software GL): >= 60
- RSS growth over 10 minutes of looped playback (``--soak-seconds 600``): < 50 MB, and no
  event-loop stall > 200 ms meanwhile (:mod:`heartbeat`); the window's child processes
  (frame decoding, compute) are reported too

Playback runs at 4x speed (120 frames/s asked of a 30 fps take), so the
presented rate measures what the window can deliver. ``--window`` sets the
window's size (the first measurements used 3460x1280); ``--profile FILE`` writes
a cProfile of the all-panels measurement.

Usage (needs an X display; xvfb-run gives one):
    xvfb-run -a -s "-screen 0 1920x1200x24" .venv/bin/python bench/bench_playback.py [--session FILE.h5]
        [--seconds 10] [--soak-seconds 600] [--window 1920x1080]
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402

from analysis.session.reader import Session  # noqa: E402
from analysis.session.writer import write_session  # noqa: E402
from analysis.synthetic.library_builder import build_session, plan_library  # noqa: E402
from app.gui.frame_prefetch import FramePrefetcher  # noqa: E402
from app.gui.launch import application, delete_window, wait_until  # noqa: E402
from app.gui.playback import PlaybackDriver  # noqa: E402
from app.gui.settings import AppSettings  # noqa: E402
from heartbeat import Heartbeat  # noqa: E402
from viewer.model.state import ViewerState  # noqa: E402
from viewer.model.take_bundle import load_take_bundle  # noqa: E402
from viewer.widgets.video_grid import VideoGrid  # noqa: E402

GRID_SIZE = (4 * 640, 2 * 360)


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of process ``pid`` (this one by default), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children_rss_mb() -> dict[str, float]:
    """Resident memory of each child process of the window (frame decoding, compute), MB by name."""
    return {child.name: rss_mb(child.pid) for child in multiprocessing.active_children()}


def make_session(folder: Path) -> Path:
    job = next(j for j in plan_library(seed=0, video_takes=1) if j.is_showcase)
    return write_session(folder / job.file_name, build_session(job))


def run_event_loop(seconds: float) -> None:
    """Let Qt's event loop run undisturbed for ``seconds``, as in the application."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def cpu_seconds() -> float:
    """CPU time of this process so far (every thread), seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def play_and_count(state: ViewerState, presented_signal, seconds: float) -> float:
    """Loop the take at 4x speed for ``seconds`` and return presented frames per second.

    Also prints the process's CPU time per presented frame: on a machine shared with other
    work it changes far less than the rate does.
    """
    count = [0]
    presented_signal.connect(lambda _frame: count.__setitem__(0, count[0] + 1))
    state.set_speed(4.0)
    state.set_loop(True, 0, state.n_frames - 1)
    state.set_playing(True)
    run_event_loop(1.0)
    count[0] = 0
    started, cpu = time.monotonic(), cpu_seconds()
    run_event_loop(seconds)
    rate = count[0] / (time.monotonic() - started)
    print(f"  CPU time per presented frame: {1000 * (cpu_seconds() - cpu) / max(count[0], 1):.1f} ms "
          f"({count[0]} frames)")
    state.set_playing(False)
    return rate


def grid_alone(path: Path, seconds: float) -> float:
    session = Session.open(path)
    state = ViewerState()
    prefetcher = FramePrefetcher(session)
    driver = PlaybackDriver(state, decoder=prefetcher)
    grid = VideoGrid(state, prefetcher.frames)
    grid.resize(*GRID_SIZE)
    grid.show()
    state.set_session(session)
    take = next(t for t in session.takes.values() if t.video_views)
    state.set_take(load_take_bundle(session, take.take_id))
    rate = play_and_count(state, grid.frame_presented, seconds)
    grid.close()
    prefetcher.close()
    del driver
    session.close()
    return rate


def whole_window(path: Path, seconds: float, soak_seconds: float, size: tuple[int, int],
                 profile: Path | None = None) -> tuple[float, float, float]:
    from app.gui.main_window import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        settings = AppSettings(QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings=settings, show_errors=False)
        window.resize(*size)
        window.show()
        window.open_file(path)
        wait_until(lambda: window.state.library is not None and not window.scoring.busy, 120)
        wait_until(lambda: window.state.exemplar is not None, 30)
        profiler = cProfile.Profile() if profile is not None else None
        if profiler is not None:
            profiler.enable()
        rate = play_and_count(window.state, window.video_grid.frame_presented, seconds)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(profile))
        window.state.set_playing(True)
        run_event_loop(5.0)
        before, children_before = rss_mb(), children_rss_mb()
        beat = Heartbeat()
        beat.phase = "soak"
        run_event_loop(soak_seconds)
        after, children_after = rss_mb(), children_rss_mb()
        print("  " + beat.report(("soak",)))
        for name in sorted(set(children_before) & set(children_after)):
            print(f"  child process {name}: RSS {children_before[name]:.0f} MB -> {children_after[name]:.0f} MB, "
                  f"growth {children_after[name] - children_before[name]:+.1f} MB")
        window.state.set_playing(False)
        delete_window(window)
    return rate, before, after


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--soak-seconds", type=float, default=600.0)
    parser.add_argument("--window", default="1920x1080", help="window size WxH for the all-panels measurement")
    parser.add_argument("--skip-grid", action="store_true", help="measure the whole window only")
    parser.add_argument("--profile", type=Path, default=None, help="write a cProfile of the all-panels run here")
    args = parser.parse_args()
    size = tuple(int(value) for value in args.window.lower().split("x"))
    application()
    with tempfile.TemporaryDirectory() as folder:
        path = args.session or make_session(Path(folder))
        if not args.skip_grid:
            grid_rate = grid_alone(path, args.seconds)
            print(f"video grid alone, 8 x 640x360: {grid_rate:.1f} presented frames/s (target >= 60)")
        window_rate, before, after = whole_window(path, args.seconds, args.soak_seconds, size, args.profile)
        print(f"all panels visible, {size[0]}x{size[1]} window: {window_rate:.1f} presented frames/s (target >= 60)")
        print(f"RSS over {args.soak_seconds:.0f} s of looped playback: {before:.0f} MB -> {after:.0f} MB, "
              f"growth {after - before:+.1f} MB (target < 50 MB)")
        print(f"1-minute load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
