"""Fuzzing: thousands of corrupted sessions through the reader and the commands, as a table.

Every variant goes through the reader and ``info``; a sample stratified by
mutation kind, plus every variant that ``info`` accepted, goes on through
``score``, ``export``, ``triangulate`` and ``contact-sheet`` (a refused file
is refused alike by every command, since they all read it in the same child
first). Each run has a timeout and a memory cap. Prints the table of
outcomes per command (see ``tests/fuzz/harness.py`` for their meaning), the
invariants (inputs unchanged, nothing left behind) and every run that is not a
clean refusal or accepted; exits 1 if there is any.

Usage: python bench/fuzz.py [--variants 2000] [--sample 300] [--seed 0] [--timeout 60] [--memory-gb 4]
                            [--folder DIR] [--report FILE.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fuzz.corpus import build_corpus  # noqa: E402
from tests.fuzz.harness import Harness  # noqa: E402

FOLLOW_UP = ("score", "export", "triangulate", "contact-sheet")


def _stratified(variants, size: int, seed: int):
    import numpy as np

    by_kind = defaultdict(list)
    for variant in variants:
        by_kind[variant.kind].append(variant)
    rng = np.random.default_rng(seed)
    per_kind = max(1, size // max(len(by_kind), 1))
    chosen = []
    for kind in sorted(by_kind):
        group = by_kind[kind]
        chosen += [group[i] for i in sorted(rng.choice(len(group), min(per_kind, len(group)), replace=False))]
    return chosen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variants", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=300, help="stratified sample for the other commands")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--memory-gb", type=float, default=4.0, help="address-space cap of the worker")
    parser.add_argument("--folder", type=Path, default=None, help="where to build the corpus (default: a temporary one)")
    parser.add_argument("--report", type=Path, default=None, help="also write every run as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="fuzz-") as temporary:
        folder = args.folder or Path(temporary)
        started = time.perf_counter()
        corpus = build_corpus(folder / "corpus", args.variants, args.seed)
        print(f"built {len(corpus.variants)} variants in {time.perf_counter() - started:.0f} s", flush=True)
        harness = Harness(corpus, folder / "scratch", args.timeout, int(args.memory_gb * (1 << 30)))
        try:
            report = harness.run(corpus.variants, ("reader", "info"))
            accepted = {run.variant for run in report.runs if run.command == "info" and run.outcome == "accepted"}
            sample = _stratified(corpus.variants, args.sample, args.seed)
            chosen = {v.name for v in sample} | accepted
            follow = [v for v in corpus.variants if v.name in chosen]
            print(f"reader and info done in {time.perf_counter() - started:.0f} s; {len(follow)} variants "
                  f"({len(accepted)} accepted by info) go on through {', '.join(FOLLOW_UP)}", flush=True)
            harness.run(follow, FOLLOW_UP)
        finally:
            harness.close()
        elapsed = time.perf_counter() - started

    print(f"\nseed {args.seed}, timeout {args.timeout:g} s, memory cap {args.memory_gb:g} GiB, "
          f"{len(report.runs)} runs in {elapsed:.0f} s, {harness.worker.restarts} worker restarts\n")
    print(report.markdown())
    print(f"\ninputs modified: {len(report.modified_inputs)}; runs that left files behind: {len(report.leftovers)}")
    for line in report.modified_inputs + report.leftovers:
        print(f"  {line}")
    failures = report.failures()
    for run in failures:
        print(f"{run.outcome}: {run.command} {run.variant}: {run.detail}")
    if args.report is not None:
        args.report.write_text(json.dumps([asdict(run) for run in report.runs], indent=1))
    return 1 if failures or report.modified_inputs or report.leftovers else 0


if __name__ == "__main__":
    sys.exit(main())
