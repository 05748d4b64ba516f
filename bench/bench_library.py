"""Benchmark: a large library (10,000 takes) indexed, opened, scrolled, filtered and scored in the window.

Measures
- the cold scan (no cache: every file read, in worker processes) and the warm scan (from the cache);
- event-loop stalls: a heartbeat timer fires every 50 ms; any beat later than 200 ms is a stall
  (the window froze that long), counted per phase (open, scroll, filter, score);
- RSS growth over repeated cycles of scrolling, filtering and scoring (after the first cycle).

The library is generated small (2 cameras, 30 frames per take, poses only) from real synthetic
takes, so that scoring works: ``--takes`` takes in files of ``--takes-per-file``; it is kept in
``--library`` and reused when it is there. Needs an X display (xvfb-run gives one).

    xvfb-run -a -s "-screen 0 1920x1200x24" python bench/bench_library.py --library /tmp/scale [--cycles 4]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
from PySide6.QtCore import QSettings  # noqa: E402

from analysis.session.contract import EVENT_NAMES  # noqa: E402
from analysis.session.data import TakeData  # noqa: E402
from analysis.session.index_cache import CACHE_NAME  # noqa: E402
from analysis.session.library import Library  # noqa: E402
from analysis.session.writer import write_session  # noqa: E402
from app.gui.launch import application, wait_until  # noqa: E402
from app.gui.settings import AppSettings  # noqa: E402
from heartbeat import Heartbeat  # noqa: E402

FILTERS = ("a01", "take 3", "wfe", "athlete 7", "mpb level 1", "zzz-no-match")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def write_scale_library(folder: Path, n_takes: int, takes_per_file: int, frames: int, views: int = 2) -> int:
    """Write a library of ``n_takes`` small takes (real synthetic motion, cut short); returns the files written."""
    from analysis.synthetic.library_builder import build_session, plan_library

    sessions = [build_session(job) for job in plan_library(seed=0, n_athletes=2, repetitions=1, video_takes=0,
                                                           levels=(1,))]
    rng = np.random.default_rng(0)
    n_files = -(-n_takes // takes_per_file)
    for number in range(n_files):
        source = sessions[number % len(sessions)]
        athlete = number // len(sessions) + 1
        exemplar = athlete % 5 == 1
        takes = []
        for k in range(min(takes_per_file, n_takes - number * takes_per_file)):
            take = source.takes[k % len(source.takes)]
            score = 9.95 if exemplar else float(np.round(rng.uniform(7.5, 9.9), 2))
            takes.append(TakeData(
                take_id=f"{take.action}-r{k // len(source.takes) + 1}", action=take.action,
                action_name=take.action_name, pose2d=take.pose2d[:views, :frames], score=score,
                is_exemplar=exemplar, pose3d=take.pose3d[:frames]))
        session = replace(source, athlete=f"A{athlete:03d}", cameras=source.cameras[:views], takes=takes,
                          title=f"Athlete {athlete}, {EVENT_NAMES[source.event]}, level {source.level}")
        write_session(folder / f"{source.event}_L{source.level}_A{athlete:03d}.h5", session)
    return n_files


def run_cycle(window, beat: Heartbeat, files: list[tuple[Path, str]]) -> None:
    """Scroll through every take, type the filters, and open (and score) a few takes."""
    tree, browser = window.browser.tree, window.browser
    beat.phase = "scroll"
    tree.expandAll()
    bar = tree.verticalScrollBar()
    for value in np.linspace(0, bar.maximum(), 120).astype(int):
        bar.setValue(int(value))
        wait_until(lambda: False, 0.01)
    beat.phase = "filter"
    for text in FILTERS + ("",):
        for end in range(1, len(text) + 1) if text else (0,):
            browser.filter_box.setText(text[:end])
            wait_until(lambda: False, 0.03)
    beat.phase = "score"
    for path, take in files:
        window.browser.activate(path, take)
        wait_until(lambda: window.state.scoring is not None and window.state.scoring.take_id == take, 60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, required=True, help="folder of the large library (made if missing)")
    parser.add_argument("--takes", type=int, default=10_000)
    parser.add_argument("--takes-per-file", type=int, default=40)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--cycles", type=int, default=4)
    parser.add_argument("--skip-cold", action="store_true", help="do not time a scan without the cache")
    args = parser.parse_args()
    os.environ["CUDA_VISIBLE_DEVICES"] = ""
    if not any(args.library.glob("*.h5")):
        started = time.perf_counter()
        args.library.mkdir(parents=True, exist_ok=True)
        n_files = write_scale_library(args.library, args.takes, args.takes_per_file, args.frames)
        print(f"wrote {n_files} files ({args.takes} takes) in {time.perf_counter() - started:.1f} s")

    if not args.skip_cold:
        (args.library / CACHE_NAME).unlink(missing_ok=True)
        started = time.perf_counter()
        library = Library.scan(args.library)
        print(f"cold scan: {time.perf_counter() - started:.2f} s for {library.index['file'].nunique()} files, "
              f"{len(library.index)} takes (load {os.getloadavg()[0]:.1f})")
    started = time.perf_counter()
    library = Library.scan(args.library)
    print(f"warm scan: {time.perf_counter() - started:.3f} s (load {os.getloadavg()[0]:.1f})")

    from app.gui.main_window import MainWindow

    application()
    with tempfile.TemporaryDirectory() as scratch:
        settings = AppSettings(QSettings(str(Path(scratch) / "s.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings=settings, show_errors=False)
        window.resize(1920, 1080)
        window.show()
        beat = Heartbeat()
        index = library.index
        trainees = index[~index["is_exemplar"]]
        first = trainees.iloc[0]
        beat.phase = "open"
        started = time.perf_counter()
        window.request_file(library.path_of(first["file"]), first["take"])   # as File > Open does
        wait_until(lambda: window.state.library is not None and not window.scoring.busy, 120)
        print(f"open, index and score the first take: {time.perf_counter() - started:.2f} s")
        picks = trainees.sample(3 * args.cycles, random_state=0)
        rss = [rss_mb()]
        for cycle in range(args.cycles):
            files = [(library.path_of(row.file), row.take) for row in picks.iloc[3 * cycle:3 * cycle + 3].itertuples()]
            run_cycle(window, beat, files)
            rss.append(rss_mb())
        window.close()
    print("RSS after opening, then after each cycle (MB): " + ", ".join(f"{value:.0f}" for value in rss))
    print(f"RSS growth from the end of the first cycle to the last: {rss[-1] - rss[1]:+.1f} MB (target < 50 MB)")
    phases = ("open", "scroll", "filter", "score")
    print(beat.report(phases))
    print(f"1-minute load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
