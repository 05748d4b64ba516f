"""The scoring benchmark table: rho and R-l2x100 (mean ± std over seeds) on unseen athletes.

Rows: contrastive vs direct regression vs ridge; pose3d vs pose2d; 0/1/2/3/all
penalty heads; mixed vs curriculum; and the ceiling set by annotator noise.
Every network row trains on the training athletes with early stopping on the
validation athletes and is scored on the test athletes (unseen).

    .venv/bin/python bench/bench_ablation.py --library DEMO_DIR [--epochs N] [--seeds 0 1 2] [--out TABLE.md]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.synthetic.penalties import load_penalty_catalogue  # noqa: E402
from models.baselines import ridge_baseline  # noqa: E402
from models.config import preset  # noqa: E402
from models.data import athlete_split, load_library_data  # noqa: E402
from models.evaluate import spearman  # noqa: E402
from models.train import train  # noqa: E402

ROWS = (("contrastive (default: pose3d, all heads, mixed)", "default"), ("direct regression", "direct"),
        ("pose2d (view 1)", "pose2d"), ("0 penalty heads", "heads0"), ("1 penalty head", "heads1"),
        ("2 penalty heads", "heads2"), ("3 penalty heads", "heads3"), ("curriculum ordering", "curriculum"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, type=Path)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rows", nargs="+", default=[name for _, name in ROWS])
    parser.add_argument("--out", type=Path, default=None, help="also write the table (Markdown) here")
    args = parser.parse_args()
    torch.set_num_threads(2)
    codes = tuple(load_penalty_catalogue())
    cache = {}
    started_all = time.perf_counter()
    lines = ["| model | rho | R-l2x100 | epochs run |", "|---|---|---|---|"]
    for title, name in ROWS:
        if name not in args.rows:
            continue
        config = preset(name, epochs=args.epochs)
        key = (config.modality, config.n_steps)
        if key not in cache:
            cache[key] = load_library_data(args.library, config.modality, config.n_steps, codes)
        results = []
        for seed in args.seeds:
            started = time.perf_counter()
            model = train(cache[key], config, seed=seed, log=lambda line: None)
            test = model.metadata["metrics"]["test"]
            results.append((test["spearman"], test["rl2x100"], model.metadata["training"]["epochs_run"]))
            print(f"{name} seed {seed}: rho {test['spearman']:.3f} R-l2x100 {test['rl2x100']:.3f} "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
        lines.append(_row(title, results))
    data = next(iter(cache.values())) if cache else load_library_data(args.library, "pose3d", 32, codes)
    split = athlete_split(data.index)
    rows = {part: split.rows(data.index, part) for part in ("train", "validation", "test")}
    ridge = ridge_baseline(data, rows["train"], rows["validation"], rows["test"])
    lines.append(f"| ridge on kinematic features (alpha {ridge['alpha']:g}; deterministic) | "
                 f"{ridge['spearman']:.3f} | {ridge['rl2x100']:.3f} | — |")
    test = data.index.iloc[rows["test"]]
    ceiling = spearman(test["score"].to_numpy(), test["clean_score"].to_numpy())
    lines.append(f"| ceiling: judges' mean vs noise-free score (test takes) | {ceiling:.3f} | — | — |")
    epochs = args.epochs or "the preset's"
    lines.append(f"\n{len(args.seeds)} seeds ({', '.join(map(str, args.seeds))}), at most {epochs} epochs per run,"
                 f" {time.perf_counter() - started_all:.0f} s in all; "
                 f"test athletes {', '.join(split.test)} ({len(rows['test'])} takes).")
    table = "\n".join(lines)
    print(table)
    if args.out:
        args.out.write_text(table + "\n", encoding="utf-8")


def _row(title: str, results: list[tuple[float, float, int]]) -> str:
    rho, rl2, epochs = (np.array(v, dtype=float) for v in zip(*results))
    return (f"| {title} | {rho.mean():.3f} ± {rho.std():.3f} | {rl2.mean():.3f} ± {rl2.std():.3f} | "
            f"{epochs.mean():.0f} |")


if __name__ == "__main__":
    main()
