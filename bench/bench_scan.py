"""Benchmark: indexing a library folder, cold (no index cache) and warm (from the cache).

Targets (issue 11), on the demo library (384 files): warm scan <= 0.3 s; cold
scan <= 8 s, with progress reported while it runs.

A cold scan removes the folder's ``.lucid-index.json`` first and runs with a
throw-away user cache folder (``XDG_CACHE_HOME``), so every file is read (in the
scan's worker processes); the files themselves stay in the operating system's
page cache between runs. A warm scan follows a completed one. Each scan is
``Library.scan`` with a progress callback, as the application runs it; the time
to the first progress report is given too.

The folder must be writable (the cache is written beside the files): scan a copy
of a library you do not want touched.

Usage: python bench/bench_scan.py --library DIR [--cold-runs 3] [--warm-runs 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.session.index_cache import CACHE_NAME  # noqa: E402
from analysis.session.library import Library  # noqa: E402


def timed_scan(folder: Path) -> tuple[float, float | None, int, Library]:
    """One scan: seconds in all, seconds to the first progress report (None without any), reports, library."""
    reports: list[float] = []
    started = time.perf_counter()
    library = Library.scan(folder, progress=lambda done, total: reports.append(time.perf_counter()))
    elapsed = time.perf_counter() - started
    first = reports[0] - started if reports else None
    return elapsed, first, len(reports), library


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, required=True, help="a writable library folder (a copy)")
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--warm-runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as user_cache:
        os.environ["XDG_CACHE_HOME"] = user_cache
        cold = []
        for _ in range(args.cold_runs):
            (args.library / CACHE_NAME).unlink(missing_ok=True)
            elapsed, first, reports, library = timed_scan(args.library)
            cold.append(elapsed)
            print(f"cold scan: {elapsed:.2f} s, {library.index['file'].nunique()} files, {len(library.index)} takes, "
                  f"{len(library.problems)} problems; {reports} progress reports, the first after "
                  f"{first:.2f} s (load {os.getloadavg()[0]:.1f})")
        warm = []
        for _ in range(args.warm_runs):
            elapsed, _, reports, library = timed_scan(args.library)
            warm.append(elapsed)
        print(f"warm scan: median {statistics.median(warm) * 1000:.0f} ms of {len(warm)} "
              f"(min {min(warm) * 1000:.0f}, max {max(warm) * 1000:.0f}), {len(library.index)} takes, "
              f"{reports} progress reports (load {os.getloadavg()[0]:.1f})")
        if cold:
            print(f"cold scan: median {statistics.median(cold):.2f} s of {len(cold)} (target <= 8 s); "
                  f"warm scan target <= 0.3 s")


if __name__ == "__main__":
    main()
