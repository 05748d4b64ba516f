"""Fine-tuning throughput as the app runs it (Model > Fine-tune…): pairs/s and seconds per epoch.

Runs :func:`app.gui.finetune_job.run_finetune` (the dialog's worker body) on a library
subset, with torch limited to the threads the GUI process uses (1 by default).

    python bench/bench_finetune.py --library /tmp/score_demo --level 1 --epochs 4
    python bench/bench_finetune.py            # a small generated library (4 athletes, level 1)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", type=Path, default=None, help="library folder (default: generate a small one)")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint to start from (default: the shipped one)")
    parser.add_argument("--event", default=None)
    parser.add_argument("--level", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (the app uses 1)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    args = parser.parse_args()

    import torch

    from analysis.session.library import Library
    from app.gui.finetune_job import FinetuneRequest, run_finetune
    from models.shipped import default_model_path

    torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        library = args.library
        if library is None:
            from analysis.synthetic.library_builder import generate_library

            library = Path(scratch) / "library"
            generate_library(library, seed=3, n_athletes=4, video_takes=0, repetitions=1, levels=(1,), workers=1)
        request = FinetuneRequest(library=library, base_model=args.model or default_model_path(), event=args.event,
                                  level=args.level, epochs=args.epochs, learning_rate=1e-3)
        n_chosen = len(request.chosen(Library.scan(library).index))
        stamps, entries = [], []

        def on_epoch(entry: dict) -> None:
            stamps.append(time.perf_counter())
            entries.append(entry)

        started = time.perf_counter()
        run_finetune(request, Path(scratch) / "out.pt", on_epoch, threading.Event(), device=args.device)
        total = time.perf_counter() - started

    epoch_seconds = [b - a for a, b in zip(stamps, stamps[1:])]
    pairs = [b["pairs_seen"] - a["pairs_seen"] for a, b in zip(entries, entries[1:])]
    print(f"library {library}  chosen takes {n_chosen}  (event {args.event or 'any'}, level {args.level or 'any'})")
    print(f"device {args.device}  torch threads {args.threads}  epochs {args.epochs}")
    print(f"reading takes + first epoch: {stamps[0] - started:.2f} s   whole run incl. save: {total:.2f} s")
    if epoch_seconds:
        median = statistics.median(epoch_seconds)
        print(f"time per epoch (median of {len(epoch_seconds)}, incl. validation): {median:.3f} s")
        print(f"pairs per epoch: {pairs[0]}   throughput: {statistics.median(pairs) / median:.0f} pairs/s")


if __name__ == "__main__":
    main()
