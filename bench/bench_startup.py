"""Benchmark: from process start to the first painted frame of the video grid (median of N starts).

Each start runs the workstation in a fresh process with ``LUCID_EXIT_AFTER_FIRST_FRAME``
set: the window prints the wall-clock time of its first painted frame of a take
and quits. The time counted runs from just before the process is started to
that moment (so it includes the interpreter start, imports, the window, opening
the file and decoding the first frame). The settings of the started processes
live in a throw-away folder (``XDG_CONFIG_HOME``), so the user's are untouched;
the user cache (``XDG_CACHE_HOME``) too, so the library index is the one cached
beside the library (a first, unmeasured start fills it: a "second start").

Target (issue 11): <= 3 s, second start, setup done.

Usage (needs an X display; without one it runs itself under xvfb-run):
    python bench/bench_startup.py --session /tmp/demo/MFE_L3_A02.h5 [--runs 5]
    python bench/bench_startup.py --session FILE --command "bash scripts/start.sh open {session}"
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.gui.launch import (  # noqa: E402
    FIRST_FRAME_EXIT_ENV,
    needs_virtual_display,
    rerun_under_xvfb,
)

MARK = "first frame painted at "


def start_once(command: list[str], env: dict[str, str], timeout_s: float) -> tuple[float, float]:
    """Seconds from starting ``command`` to its first painted frame, and the CPU seconds the run took
    (every process it started, until it quit just after that frame: less sensitive to the machine's load)."""
    cpu = children_cpu_s()
    started = time.time()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout_s)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if not lines:
        raise RuntimeError(f"no first frame reported (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return float(lines[0][len(MARK):]) - started, children_cpu_s() - cpu


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--session", type=Path, required=True, help="session file to open")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--command", default=f"{shlex.quote(sys.executable)} main.py open {{session}}",
                        help="what to start; {session} is replaced by the file (default: main.py open)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one start may take")
    args = parser.parse_args()
    if needs_virtual_display():
        sys.exit(rerun_under_xvfb(sys.argv[1:]))
    command = shlex.split(args.command.format(session=shlex.quote(str(args.session.resolve()))))
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, FIRST_FRAME_EXIT_ENV: "1", "XDG_CONFIG_HOME": str(Path(scratch) / "config"),
               "XDG_CACHE_HOME": str(Path(scratch) / "cache")}
        warm_up, _ = start_once(command, env, args.timeout)
        runs = [start_once(command, env, args.timeout) for _ in range(args.runs)]
    times, cpu = [run[0] for run in runs], [run[1] for run in runs]
    load = os.getloadavg()[0]
    print(f"first start (fills caches, not counted): {warm_up:.2f} s")
    print(f"process start -> first painted frame, {args.runs} starts: "
          + ", ".join(f"{t:.2f}" for t in times) + " s")
    print(f"median {statistics.median(times):.2f} s (target <= 3 s); CPU time of a start (to its exit) median "
          f"{statistics.median(cpu):.2f} s; 1-minute load average {load:.2f}")


if __name__ == "__main__":
    main()
