"""The scoring benchmark table: rho and R-l2x100 (mean ± std over seeds) on unseen athletes.

Rows: contrastive vs direct regression vs ridge; pose3d vs pose2d; without the
angle channels; 0/1/2/3/all penalty heads; mixed vs curriculum; and the ceiling
set by annotator noise. Every network row trains on the training athletes with
early stopping on the validation athletes and is scored on the test athletes
(unseen). Runs go to ``--workers`` processes at once (one torch thread each
when there are several), on ``--device`` (default: CUDA when present).

    .venv/bin/python bench/bench_ablation.py --library DEMO_DIR [--epochs N] [--seeds 0 1 2]
        [--workers N] [--device cpu|cuda] [--out TABLE.md]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.catalogue.penalties import load_penalty_catalogue  # noqa: E402
from app.cli.training_data import load_library_data  # noqa: E402
from models.baselines import ridge_baseline  # noqa: E402
from models.config import preset  # noqa: E402
from models.data import athlete_split  # noqa: E402
from models.evaluate import spearman  # noqa: E402
from models.train import train  # noqa: E402

ROWS = (("contrastive (default: pose3d + angles, all heads, mixed)", "default"), ("direct regression", "direct"),
        ("pose2d (view 1)", "pose2d"), ("without the angle channels", "noangles"), ("0 penalty heads", "heads0"),
        ("1 penalty head", "heads1"), ("2 penalty heads", "heads2"), ("3 penalty heads", "heads3"),
        ("curriculum ordering", "curriculum"))


def _data_key(config) -> tuple:
    return config.modality, config.n_steps, config.angles


def _load(library: Path, key: tuple, folder: Path) -> Path:
    """Read the library's backbone inputs for ``key`` once and pickle them for the workers."""
    modality, n_steps, angles = key
    data = load_library_data(library, modality, n_steps, tuple(load_penalty_catalogue()), angles=angles)
    path = folder / f"{modality}_{n_steps}_{int(angles)}.pkl"
    path.write_bytes(pickle.dumps(data))
    return path


def _run(job: tuple) -> tuple:
    """Train one (row, seed) and return its test figures."""
    name, epochs, seed, data_path, device, threads = job
    torch.set_num_threads(threads)
    data = pickle.loads(Path(data_path).read_bytes())
    started = time.perf_counter()
    model = train(data, preset(name, epochs=epochs), seed=seed, device=device, log=lambda line: None)
    test = model.metadata["metrics"]["test"]
    print(f"{name} seed {seed}: rho {test['spearman']:.3f} R-l2x100 {test['rl2x100']:.3f} "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    return name, test["spearman"], test["rl2x100"], model.metadata["training"]["epochs_run"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, type=Path)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--rows", nargs="+", default=[name for _, name in ROWS])
    parser.add_argument("--workers", type=int, default=1, help="trainings run at once (default 1)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the table (Markdown) here")
    args = parser.parse_args()
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    rows = [(title, name) for title, name in ROWS if name in args.rows]
    started_all = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        keys = sorted({_data_key(preset(name)) for _, name in rows} | {("pose3d", 32, True)})
        with ProcessPoolExecutor(min(args.workers, len(keys)), mp_context=get_context("spawn")) as pool:
            paths = dict(zip(keys, pool.map(_load, [args.library] * len(keys), keys, [Path(scratch)] * len(keys))))
        threads = 1 if args.workers > 1 else 2
        jobs = [(name, args.epochs, seed, str(paths[_data_key(preset(name))]), device, threads)
                for _, name in rows for seed in args.seeds]
        with ProcessPoolExecutor(args.workers, mp_context=get_context("spawn")) as pool:
            results = list(pool.map(_run, jobs))
        data = pickle.loads(paths[("pose3d", 32, True)].read_bytes())
    lines = ["| model | rho | R-l2x100 | epochs run |", "|---|---|---|---|"]
    for title, name in rows:
        lines.append(_row(title, [r[1:] for r in results if r[0] == name]))
    split = athlete_split(data.index)
    parts = {part: split.rows(data.index, part) for part in ("train", "validation", "test")}
    ridge = ridge_baseline(data, parts["train"], parts["validation"], parts["test"])
    lines.append(f"| ridge on kinematic features (alpha {ridge['alpha']:g}; deterministic) | "
                 f"{ridge['spearman']:.3f} | {ridge['rl2x100']:.3f} | — |")
    test = data.index.iloc[parts["test"]]
    ceiling = spearman(test["score"].to_numpy(), test["clean_score"].to_numpy())
    lines.append(f"| ceiling: judges' mean vs noise-free score (test takes) | {ceiling:.3f} | — | — |")
    epochs = args.epochs or "the preset's"
    lines.append(f"\n{len(args.seeds)} seeds ({', '.join(map(str, args.seeds))}), at most {epochs} epochs per run, "
                 f"on {device} with {args.workers} run(s) at once, {time.perf_counter() - started_all:.0f} s in all; "
                 f"test athletes {', '.join(split.test)} ({len(parts['test'])} takes).")
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
