"""The modality ablation (the paper's Table 3b): rho and R-l2x100 on unseen athletes of
models reading video crops (RGB), the first camera's 2D pose, the 3D pose, or crops and
3D pose together (the dual stream), mean ± std over seeds.

The crops are rendered from each synthetic take's reference motion by its first camera
(analysis/synthetic/athlete_crops.py), 32x32 pixels at the model's steps. Every row
trains on the training athletes with early stopping on the validation athletes (same
settings otherwise: ``--preset`` with ``--epochs``) and is scored on the test athletes.

    .venv/bin/python bench/bench_streams.py --library DEMO_DIR [--preset default] [--epochs N]
        [--levels 1 2] [--seeds 0 1 2] [--rows rgb pose2d pose3d rgb+pose3d] [--workers N]
        [--device cpu|cuda] [--out TABLE.md]
"""

from __future__ import annotations

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
from analysis.synthetic.athlete_crops import FirstCameraCrops  # noqa: E402
from app.cli.training_data import load_library_data  # noqa: E402
from models.config import preset  # noqa: E402
from models.train import train  # noqa: E402

#: (name, title, settings)
ROWS = (("rgb", "RGB (video crops, camera 1)", {"streams": "rgb"}),
        ("pose2d", "Pose2d (camera 1)", {"modality": "pose2d"}),
        ("pose3d", "Pose3d", {}),
        ("rgb+pose3d", "RGB + Pose3d (dual stream)", {"streams": "rgb+pose"}))


def _run(job: tuple) -> tuple:
    """Train one (row, seed) and return its test rho, R-l2x100 and epochs run."""
    row, base, epochs, seed, data_path, device, threads = job
    torch.set_num_threads(threads)
    data = pickle.loads(Path(data_path).read_bytes())
    started = time.perf_counter()
    settings = next(r[2] for r in ROWS if r[0] == row)
    model = train(data, preset(base, epochs=epochs, **settings), seed=seed, device=device, log=lambda line: None)
    test = model.metadata["metrics"]["test"]
    epochs_run = model.metadata["training"]["epochs_run"]
    print(f"{row} seed {seed}: rho {test['spearman']:.3f} R-l2x100 {test['rl2x100']:.3f} "
          f"({time.perf_counter() - started:.0f} s, {epochs_run} epochs)", flush=True)
    return row, (test["spearman"], test["rl2x100"], epochs_run)


def main() -> None:
    args = ablation_arguments(__doc__.splitlines()[0], [r[0] for r in ROWS])
    started = time.perf_counter()
    n_steps = preset(args.preset).n_steps
    levels = level_filter(args.levels)
    codes = tuple(load_penalty_catalogue())
    with tempfile.TemporaryDirectory() as scratch:
        paths = {}
        for modality in sorted({preset(args.preset, **r[2]).modality for r in ROWS if r[0] in args.rows}):
            video = modality == "pose3d" and bool({"rgb", "rgb+pose3d"} & set(args.rows))
            data = load_library_data(args.library, modality, n_steps, codes, select=levels,
                                     crops=FirstCameraCrops() if video else None)
            paths[modality] = Path(scratch) / f"{modality}.pkl"
            paths[modality].write_bytes(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"read {len(data.index)} takes ({modality}) in {time.perf_counter() - started:.0f} s", flush=True)
        threads = 1 if args.workers > 1 else 2
        jobs = [(row, args.preset, args.epochs, seed, str(paths[preset(args.preset, **settings).modality]),
                 args.device, threads) for row, _, settings in ROWS if row in args.rows for seed in args.seeds]
        results = run_trainings(_run, jobs, args.workers)
    lines = ["| data modality | rho | R-l2x100 | epochs run |", "|---|---|---|---|"]
    for row, title, _ in ROWS:
        if row in args.rows:
            rho, rl2, epochs_run = (np.array(v, dtype=float) for v in zip(*[f for r, f in results if r == row]))
            lines.append(f"| {title} | {rho.mean():.3f} ± {rho.std():.3f} | {rl2.mean():.3f} ± {rl2.std():.3f} | "
                         f"{epochs_run.mean():.0f} |")
    report(lines, args, data.index, started)


if __name__ == "__main__":
    main()
