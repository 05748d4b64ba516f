"""Training runs that choose the scoring settings on validation athletes (issue 15), each logged.

A run trains one variant on the training athletes of a library (``--data``: its
backbone inputs, cached with ``cache``) and scores the trainee takes of a separate
validation library of fresh athletes and fresh exemplar athletes (``--val``):
against the K = 4 exemplars of each action, and against one exemplar (each
exemplar athlete of a sex in turn, the figures averaged over the turns). It also
measures the penalty items (AUC, span IoU of the detected faults). Each run
appends one JSON line to ``--log``: name, settings, seed, validation figures,
wall time and load; ``--predictions`` keeps the per-take predictions (for the
interval calibration).

    python bench/scoring_runs.py cache --library DIR --out FILE.pkl [--modality pose3d]
    python bench/scoring_runs.py run --data TRAIN.pkl --val VAL.pkl --name NAME [--preset default]
        [--set key=value ...] [--epochs N] [--seed S] [--log bench/results/scoring_runs.jsonl]
        [--save MODEL.pt] [--predictions FILE.npz] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.catalogue.penalties import load_penalty_catalogue  # noqa: E402
from app.cli.training_data import load_library_data  # noqa: E402
from models.checkpoint import save_checkpoint  # noqa: E402
from models.config import preset  # noqa: E402
from models.evaluate import predict_takes, score_metrics  # noqa: E402
from models.spans import penalty_metrics  # noqa: E402
from models.train import train  # noqa: E402


def exemplar_pools(index, size: int) -> list[list[str]]:
    """Exemplar athletes in pools of ``size`` per sex: pool i takes the athletes i·size … of each sex, in id order."""
    athletes = index.loc[index["is_exemplar"], ["athlete", "sex"]].drop_duplicates()
    by_sex = [sorted(group["athlete"]) for _, group in athletes.groupby("sex")]
    count = min(len(names) for names in by_sex) // size
    return [[name for names in by_sex for name in names[i * size:(i + 1) * size]] for i in range(count)]


def pool_predictions(model, data, rows: np.ndarray, pool: list[str] | None, k: int, device) -> tuple:
    """Predictions of the takes ``rows`` against the first ``k`` exemplars of the athletes in ``pool`` (None: all)."""
    index = data.index
    references = index if pool is None else index[~index["is_exemplar"] | index["athlete"].isin(pool)]
    targets = index.iloc[rows]
    return predict_takes(model.network, data.features, targets, data.features, references, k,
                         targets["file"].tolist(), model.score_offset, device, model.test_mirror)


def validation_figures(model, data, device) -> tuple[dict, dict]:
    """Figures on the validation library's trainee takes (see the module docstring), and per-take predictions."""
    rows = data.index.loc[~data.index["is_exemplar"], "row"].to_numpy()
    codes = tuple(model.head_codes)
    columns = [data.codes.index(code) for code in codes]
    figures, kept = {}, {"truth": [], "predicted": [], "spread": [], "k": [], "athlete": [], "pool": []}
    for k in (4, 1):
        runs = []
        for number, pool in enumerate(exemplar_pools(data.index, k) or [None]):
            scored, steps = pool_predictions(model, data, rows, pool, k, device)
            metrics = score_metrics(scored["predicted"].to_numpy(), scored["score"].to_numpy())
            runs.append((metrics["spearman"], metrics["rl2x100"], metrics["mae"]))
            for key, values in (("truth", scored["score"]), ("predicted", scored["predicted"]),
                                ("spread", scored["spread"]), ("k", scored["n_exemplars"]),
                                ("athlete", scored["athlete"]), ("pool", [f"{k}:{number}"] * len(scored))):
                kept[key].extend(np.asarray(values).tolist())
            if k == 4 and steps is not None:
                taken = scored["row"].to_numpy()
                figures["penalties"] = penalty_metrics(steps, codes, data.labels[taken][:, columns],
                                                       [data.spans[r] for r in taken],
                                                       scored["n_frames"].to_numpy())
        rho, rl2, mae = np.mean(runs, axis=0)
        figures[f"k{k}"] = {"spearman": rho, "rl2x100": rl2, "mae": mae, "pools": len(runs)}
    return figures, {key: np.asarray(values) for key, values in kept.items()}


def _cache(args: argparse.Namespace) -> None:
    started = time.perf_counter()
    data = load_library_data(args.library, args.modality, args.steps, tuple(load_penalty_catalogue()), angles=True)
    args.out.write_bytes(pickle.dumps(data))
    print(f"{args.out}: {data.features.shape} in {time.perf_counter() - started:.0f} s")


def _settings(pairs: list[str]) -> dict:
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        settings[key] = json.loads(value)
    return settings


def _run(args: argparse.Namespace) -> None:
    torch.set_num_threads(args.threads)
    data = pickle.loads(args.data.read_bytes())
    validation = pickle.loads(args.val.read_bytes())
    settings = _settings(args.set)
    config = preset(args.preset, epochs=args.epochs, **settings)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    model = train(data, config, seed=args.seed, device="cpu", log=lambda line: print(line, flush=True))
    train_seconds = time.perf_counter() - started
    figures, kept = validation_figures(model, validation, torch.device("cpu"))
    entry = {"name": args.name, "preset": args.preset, "settings": settings, "epochs": config.epochs,
             "seed": args.seed, "best_epoch": model.metadata["training"]["best_epoch"],
             "train_library": str(data.root), "validation_library": str(validation.root),
             "validation": figures, "in_training_validation": model.metadata["metrics"]["validation"],
             "train_seconds": round(train_seconds, 1), "seconds": round(time.perf_counter() - started, 1),
             "load_at_start": round(load, 2), "load_at_end": round(os.getloadavg()[0], 2),
             "threads": args.threads, "when": time.strftime("%Y-%m-%d %H:%M")}
    with args.log.open("a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")
    if args.save:
        save_checkpoint(args.save, model)
    if args.predictions:
        np.savez(args.predictions, **kept)
    k4, k1 = figures["k4"], figures["k1"]
    print(f"{args.name} seed {args.seed}: K=4 rho {k4['spearman']:.3f} R-l2x100 {k4['rl2x100']:.3f}; "
          f"K=1 rho {k1['spearman']:.3f} R-l2x100 {k1['rl2x100']:.3f}; "
          f"penalty IoU {figures.get('penalties', {}).get('mean_iou', float('nan')):.3f} "
          f"({entry['seconds']:.0f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cache = commands.add_parser("cache", help="read a library's backbone inputs once")
    cache.add_argument("--library", required=True, type=Path)
    cache.add_argument("--out", required=True, type=Path)
    cache.add_argument("--modality", default="pose3d")
    cache.add_argument("--steps", type=int, default=32)
    cache.set_defaults(handler=_cache)
    run = commands.add_parser("run", help="train a variant and score the validation library")
    run.add_argument("--data", required=True, type=Path)
    run.add_argument("--val", required=True, type=Path)
    run.add_argument("--name", required=True)
    run.add_argument("--preset", default="default")
    run.add_argument("--set", nargs="*", default=[], help="settings as key=JSON value")
    run.add_argument("--epochs", type=int, default=None)
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--threads", type=int, default=1)
    run.add_argument("--log", type=Path, default=Path("bench/results/scoring_runs.jsonl"))
    run.add_argument("--save", type=Path, default=None)
    run.add_argument("--predictions", type=Path, default=None)
    run.set_defaults(handler=_run)
    args = parser.parse_args()
    args.handler(args)


if __name__ == "__main__":
    main()
