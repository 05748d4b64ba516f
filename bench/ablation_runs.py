"""What the ablation benches (bench_multiview.py, bench_streams.py) share: their command line,
the choice of levels and the trainings run in worker processes."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pandas as pd
import torch

from models.config import preset
from models.data import athlete_split


def ablation_arguments(description: str, row_names: Sequence[str]) -> argparse.Namespace:
    """Parse the ablation options; ``device`` is filled in (CUDA when torch sees one)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--library", required=True, type=Path)
    parser.add_argument("--preset", default="default", help="settings every row starts from (default: default)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--levels", type=int, nargs="+", default=None, help="only the takes of these levels")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rows", nargs="+", default=list(row_names), choices=list(row_names))
    parser.add_argument("--workers", type=int, default=1, help="trainings run at once (default 1)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the table (Markdown) here")
    args = parser.parse_args()
    args.device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    return args


def level_filter(levels: Sequence[int] | None) -> Callable[[pd.DataFrame], pd.DataFrame] | None:
    """A ``select`` for :func:`app.cli.training_data.load_library_data` keeping the takes of ``levels``
    (None: every take)."""
    return None if levels is None else (lambda index: index[index["level"].isin(levels)])


def run_trainings(run: Callable[[tuple], tuple], jobs: list[tuple], workers: int) -> list[tuple]:
    """``run(job)`` of every job in ``workers`` fresh processes, results in the jobs' order."""
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        return list(pool.map(run, jobs))


def report(lines: list[str], args: argparse.Namespace, index: pd.DataFrame, started: float, inputs: str = "") -> None:
    """Print a table's Markdown ``lines`` with the run's settings under it (``inputs`` adds to them, e.g.
    ", 8 views"), and write them to ``--out`` when given."""
    split = athlete_split(index)
    epochs = args.epochs or preset(args.preset).epochs
    lines = lines + [f"\nPreset {args.preset!r}, levels {args.levels or 'all'}, {len(args.seeds)} seeds "
                     f"({', '.join(map(str, args.seeds))}), at most {epochs} epochs per run{inputs}, on "
                     f"{args.device} with {args.workers} run(s) at once, {time.perf_counter() - started:.0f} s in "
                     f"all; test athletes {', '.join(split.test)} ({len(split.rows(index, 'test'))} takes)."]
    print("\n".join(lines))
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
