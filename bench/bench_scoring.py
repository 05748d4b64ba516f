"""Scoring speed: latency of one take vs 5 exemplars (CPU, one thread; GPU when present),
and the default model's training time and throughput (from its checkpoint metadata).

    .venv/bin/python bench/bench_scoring.py [--model CKPT] [--library DIR]

Without ``--library`` a small library is generated in a temporary folder.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.session.library import Library  # noqa: E402
from analysis.synthetic.library_builder import generate_library  # noqa: E402
from app.cli.scoring import read_exemplar, scoring_exemplars  # noqa: E402
from models.scorer import Scorer  # noqa: E402


def _latency(scorer: Scorer, pose, exemplars, repeats: int = 30) -> tuple[float, float]:
    first = time.perf_counter()
    scorer.clear_cache()
    scorer.score(pose, None, exemplars)
    cold = time.perf_counter() - first
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        scorer.score(pose, None, exemplars)
        if scorer.device.type == "cuda":
            torch.cuda.synchronize()
        times.append(time.perf_counter() - started)
    return cold * 1000, statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--library", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.library
        if folder is None:
            folder = Path(scratch)
            generate_library(folder, seed=7, n_athletes=6, video_takes=0, repetitions=1, levels=(2,), workers=1)
        library = Library.scan(folder)
        index = library.index
        row = next(r for r in index[~index["is_exemplar"]].itertuples() if len(library.exemplars(r.action)) > 0)
        with library.open(row.file) as session:
            pose = session.pose3d(row.take)
        chosen = scoring_exemplars(library, library.path_of(row.file), row.take, row.action, row.event, 5)
        exemplars = [read_exemplar(library, e.file, e.take, e.score, "pose3d") for e in chosen.itertuples()]
        exemplars = (exemplars * 5)[:5]
        exemplars = [type(e)(f"{e.key}#{i}", e.pose3d, e.pose2d, e.score) for i, e in enumerate(exemplars)]
        scorer = Scorer.load(args.model, device="cpu", single_thread=True)
        cold, warm = _latency(scorer, pose, exemplars)
        print(f"CPU, 1 thread, take of {row.n_frames} frames vs 5 exemplars: {warm:.1f} ms median "
              f"(first call, embedding the exemplars: {cold:.1f} ms)")
        if torch.cuda.is_available():
            gpu = Scorer.load(args.model, device="cuda")
            cold, warm = _latency(gpu, pose, exemplars)
            print(f"GPU {torch.cuda.get_device_name()}: {warm:.1f} ms median (first call {cold:.1f} ms)")
        else:
            print("GPU: none present")
        training = scorer.model.metadata["training"]
        print(f"default model training: {training['seconds']:.0f} s for {training['epochs_run']} epochs, "
              f"{training['pairs_per_second']:.0f} pairs/s ({training['processes']} process(es)), "
              f"{sum(p.numel() for p in scorer.model.network.parameters())} parameters")


if __name__ == "__main__":
    main()
