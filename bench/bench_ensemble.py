"""Benchmark: scoring checkpoints alone and as an ensemble (the mean of their predicted scores).

Each checkpoint scores every take of each library against the same exemplars (the library's
own, by the one exemplar policy, as ``main.py evaluate`` does); the ensemble's prediction of a
take is the mean of the checkpoints' predictions. Prints Spearman ρ and R-l2×100 per library
for every checkpoint and for the ensemble. Use validation libraries to choose; a test library
once per reported figure.

    python bench/bench_ensemble.py --models a.pt b.pt c.pt --libraries /tmp/v24 /tmp/v4_1541
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from analysis.catalogue.penalties import load_penalty_catalogue  # noqa: E402
from app.cli.training_data import load_library_data  # noqa: E402
from models.checkpoint import load_checkpoint  # noqa: E402
from models.evaluate import predict_takes, score_metrics  # noqa: E402


def predictions(model, data) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(library rows scored, predicted scores, annotated scores), rows in index order."""
    scored, _ = predict_takes(model.network, data.features, data.index, data.features, data.index,
                              model.config.k_exemplars, data.index["file"].tolist(), model.score_offset,
                              torch.device("cpu"), model.test_mirror)
    scored = scored.sort_values("row")
    return scored["row"].to_numpy(), scored["predicted"].to_numpy(float), scored["score"].to_numpy(float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, nargs="+", required=True, help="checkpoints of one modality")
    parser.add_argument("--libraries", type=Path, nargs="+", required=True, help="library folders to score")
    args = parser.parse_args()
    torch.set_num_threads(2)
    models = [load_checkpoint(path) for path in args.models]
    config = models[0].config
    codes = tuple(load_penalty_catalogue())
    for library in args.libraries:
        data = load_library_data(library, config.modality, config.n_steps, codes, angles=True)
        runs = [predictions(model, data) for model in models]
        rows, annotated = runs[0][0], runs[0][2]
        if any(not np.array_equal(run[0], rows) for run in runs):
            raise SystemExit(f"{library}: the checkpoints scored different takes; they cannot be averaged")
        print(f"{library} ({len(rows)} takes)")
        for path, (_, predicted, _) in zip(args.models, runs):
            metrics = score_metrics(predicted, annotated)
            print(f"  {path.name:28s} rho {metrics['spearman']:.4f}  R-l2x100 {metrics['rl2x100']:.4f}")
        metrics = score_metrics(np.mean([run[1] for run in runs], axis=0), annotated)
        print(f"  {'ensemble (mean)':28s} rho {metrics['spearman']:.4f}  R-l2x100 {metrics['rl2x100']:.4f}")


if __name__ == "__main__":
    main()
