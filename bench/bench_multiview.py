"""The multi-view ablation (the paper's Table 3a, on every camera's 2D keypoints): rho and
R-l2x100 on unseen athletes, mean ± std over seeds.

Rows: the first view alone (Base); views as separate samples (Batch); views joined
at the backbone's tokens (BB), the decoder's queries (AD) or the pair feature (PE),
concatenated (Cat) or averaged (Avg); the views' scores averaged (SR). Every row
trains on the training athletes with early stopping on the validation athletes
(same settings otherwise: ``--preset`` with ``--epochs``) and is scored on the test
athletes twice: with every view (Mv.Test) and with the first view copied into every
view's place (Sv.Test, as when only one camera filmed the take).

    .venv/bin/python bench/bench_multiview.py --library DEMO_DIR [--preset default] [--epochs N]
        [--levels 1 2] [--seeds 0 1 2] [--rows base batch bb-cat ...] [--workers N] [--device cpu|cuda]
        [--out TABLE.md]
"""

from __future__ import annotations

import dataclasses
import pickle
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ablation_runs import ablation_arguments, level_filter, report, run_trainings  # noqa: E402
from analysis.catalogue.penalties import load_penalty_catalogue  # noqa: E402
from app.cli.training_data import load_library_data  # noqa: E402
from models.config import preset  # noqa: E402
from models.data import LibraryData, athlete_split  # noqa: E402
from models.train import evaluate_rows, train  # noqa: E402

#: (name, strategy, position, operation, settings)
ROWS = (("base", "Base (view 1)", "-", "-", {"modality": "pose2d"}),
        ("batch", "Batch", "-", "-", {"view_fusion": "batch"}),
        ("bb-cat", "Channel", "BB", "Cat", {"view_fusion": "backbone", "fusion_op": "cat"}),
        ("bb-avg", "Channel", "BB", "Avg", {"view_fusion": "backbone", "fusion_op": "avg"}),
        ("ad-cat", "Channel", "AD", "Cat", {"view_fusion": "decoder", "fusion_op": "cat"}),
        ("ad-avg", "Channel", "AD", "Avg", {"view_fusion": "decoder", "fusion_op": "avg"}),
        ("pe-cat", "Channel", "PE", "Cat", {"view_fusion": "pair", "fusion_op": "cat"}),
        ("pe-avg", "Channel", "PE", "Avg", {"view_fusion": "pair", "fusion_op": "avg"}),
        ("sr-avg", "Channel", "SR", "Avg", {"view_fusion": "regressor", "fusion_op": "avg"}))


def first_view(data: LibraryData) -> LibraryData:
    """The library data of the first camera alone: features ``(N, D, S, J)``."""
    return dataclasses.replace(data, features=np.ascontiguousarray(data.features[:, 0]))


def first_view_everywhere(data: LibraryData) -> LibraryData:
    """Multi-view library data with the first camera's features in every view's place."""
    return dataclasses.replace(data, features=np.broadcast_to(data.features[:, :1], data.features.shape))


def _settings(row: str, base: str, epochs: int | None, n_views: int):
    settings = next(r[4] for r in ROWS if r[0] == row)
    if settings.get("modality") == "pose2d":
        return preset(base, epochs=epochs, **settings)
    return preset(base, epochs=epochs, modality="pose2d_views", n_views=n_views, **settings)


def _run(job: tuple) -> tuple:
    """Train one (row, seed) and return its test figures with every view and with the first only."""
    row, base, epochs, seed, data_path, device, threads = job
    torch.set_num_threads(threads)
    data = pickle.loads(Path(data_path).read_bytes())
    started = time.perf_counter()
    config = _settings(row, base, epochs, data.features.shape[1])
    single = config.modality == "pose2d"
    model = train(first_view(data) if single else data, config, seed=seed, device=device, log=lambda line: None)
    test_rows = athlete_split(data.index).rows(data.index, "test")
    torch_device = torch.device(device)
    multi = None if single else evaluate_rows(model, data, test_rows, torch_device)
    one = evaluate_rows(model, first_view(data) if single else first_view_everywhere(data), test_rows, torch_device)
    figures = [np.nan, np.nan] if multi is None else [multi["spearman"], multi["rl2x100"]]
    figures += [one["spearman"], one["rl2x100"], model.metadata["training"]["epochs_run"]]
    print(f"{row} seed {seed}: Mv rho {figures[0]:.3f} R-l2x100 {figures[1]:.3f}, Sv rho {figures[2]:.3f} "
          f"R-l2x100 {figures[3]:.3f} ({time.perf_counter() - started:.0f} s, {figures[4]} epochs)", flush=True)
    return row, figures


def _cell(values: np.ndarray) -> str:
    return "—" if np.isnan(values).all() else f"{values.mean():.3f} ± {values.std():.3f}"


def table(results: list[tuple[str, list[float]]], rows: list[str]) -> list[str]:
    """Markdown lines: one per row, mean ± std over its seeds."""
    lines = ["| strategy | pos | opt | Mv.Test rho | Sv.Test rho | Mv.Test R-l2x100 | Sv.Test R-l2x100 | epochs run |",
             "|---|---|---|---|---|---|---|---|"]
    for name, strategy, position, operation, _ in ROWS:
        if name not in rows:
            continue
        figures = np.array([f for r, f in results if r == name], dtype=float)
        lines.append(f"| {strategy} | {position} | {operation} | {_cell(figures[:, 0])} | {_cell(figures[:, 2])} | "
                     f"{_cell(figures[:, 1])} | {_cell(figures[:, 3])} | {figures[:, 4].mean():.0f} |")
    return lines


def main() -> None:
    args = ablation_arguments(__doc__.splitlines()[0], [r[0] for r in ROWS])
    started = time.perf_counter()
    n_steps = preset(args.preset).n_steps
    levels = level_filter(args.levels)
    data = load_library_data(args.library, "pose2d_views", n_steps, tuple(load_penalty_catalogue()), select=levels)
    print(f"read {len(data.index)} takes x {data.features.shape[1]} views in {time.perf_counter() - started:.0f} s",
          flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "views.pkl"
        path.write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        threads = 1 if args.workers > 1 else 2
        jobs = [(row, args.preset, args.epochs, seed, str(path), args.device, threads)
                for row in args.rows for seed in args.seeds]
        results = run_trainings(_run, jobs, args.workers)
    report(table(results, args.rows), args, data.index, started, f", {data.features.shape[1]} views")


if __name__ == "__main__":
    main()
