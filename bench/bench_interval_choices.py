"""The score intervals' scale (floor and deduction weight), chosen on calibration libraries (athletes the
model never saw, never a test library), and the penalty heads' figures there.

    .venv/bin/python bench/bench_interval_choices.py --library CAL_DIR [--library CAL_DIR ...] [--model CKPT]
        [--json OUT]

Scale (:func:`models.intervals.interval_scale`): the libraries' athletes are split in two halves
(alternately, by library and id); intervals calibrated on one half are measured on the other, both ways,
for trainee takes scored against one exemplar and against two or more. Overall coverage holds by
construction; what a scale changes is which takes are covered. Per floor and deduction weight it prints
the coverage at each score level (predicted deduction bands) and the mean width. The choice: the
smallest worst departure from the nominal coverage over the levels, then the narrowest intervals.

It also prints :func:`models.spans.penalty_metrics` on the libraries (per item AUC, span IoU), and the
mean span IoU for other levels of :func:`analysis.penalty_review.predicted_span`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli.scoring import library_predictions  # noqa: E402
from models.intervals import calibrate, predicted_deduction  # noqa: E402
from models.scorer import Scorer  # noqa: E402
from models.spans import penalty_metrics  # noqa: E402

FLOORS = (0.05, 0.1, 0.2, 0.3, 0.5)
DEDUCTION_WEIGHTS = (0.0, 0.25, 0.5, 1.0)
#: Score levels by predicted deduction (points): clean, light, medium, heavy faults.
LEVEL_EDGES = (0.0, 0.3, 0.7, 1.2, np.inf)
SPAN_LEVELS = (0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def held_out_intervals(scored: pd.DataFrame, floor: float, weight: float, coverage: float) -> np.ndarray:
    """Intervals ``(N, 2)`` of each trainee take, calibrated on the other half of the athletes."""
    athletes = scored["athlete_key"].to_numpy()
    names = sorted(set(athletes))
    halves = [np.isin(athletes, names[0::2]), np.isin(athletes, names[1::2])]
    columns = {name: scored[name].to_numpy() for name in ("score", "predicted", "spread", "n_exemplars")}
    intervals = np.zeros((len(scored), 2))
    for fit, held in (halves, halves[::-1]):
        calibration = calibrate(*(columns[n][fit] for n in ("score", "predicted", "spread", "n_exemplars")),
                                coverage, floor, weight)
        intervals[held] = calibration.intervals(columns["predicted"][held], columns["spread"][held],
                                                columns["n_exemplars"][held])
    return intervals


def scale_figures(scored: pd.DataFrame, coverage: float = 0.9) -> list[dict]:
    """Per floor and deduction weight: held-out coverage per exemplar group and score level, mean width."""
    scored = scored[~scored["is_exemplar"].to_numpy(bool)]
    truth = scored["score"].to_numpy()
    level = np.digitize(predicted_deduction(scored["predicted"].to_numpy()), LEVEL_EDGES[1:-1])
    groups = {"1": scored["n_exemplars"].to_numpy() == 1, "2+": scored["n_exemplars"].to_numpy() >= 2}
    figures = []
    for floor in FLOORS:
        for weight in DEDUCTION_WEIGHTS:
            intervals = held_out_intervals(scored, floor, weight, coverage)
            inside = (intervals[:, 0] <= truth) & (truth <= intervals[:, 1])
            by_level = {name: [float(inside[chosen & (level == index)].mean()) if (chosen & (level == index)).any()
                               else None for index in range(len(LEVEL_EDGES) - 1)]
                        for name, chosen in groups.items() if chosen.any()}
            worst = max(abs(share - coverage) for shares in by_level.values() for share in shares if share is not None)
            figures.append({"floor": floor, "deduction_weight": weight, "coverage": float(inside.mean()),
                            "mean_width": float(np.mean(intervals[:, 1] - intervals[:, 0])),
                            "coverage_by_level": by_level, "worst_departure": float(worst)})
    return figures


def chosen_scale(figures: list[dict]) -> dict:
    """The figures with the smallest worst departure over the levels (in whole percent), then the narrowest."""
    return min(figures, key=lambda row: (round(100 * row["worst_departure"]), row["mean_width"]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, type=Path, action="append",
                        help="calibration library of unseen athletes (repeatable)")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the shipped model)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    scorer = Scorer.load(args.model, device="cpu")
    parts, steps, labels, spans = [], [], [], []
    for library in args.library:
        scored, library_steps, targets = library_predictions(scorer.model, library, None, scorer.device)
        rows = scored["row"].to_numpy()
        parts.append(scored.assign(athlete_key=[f"{library.name}:{a}" for a in scored["athlete"]]))
        steps.append(library_steps)
        labels.append(targets.labels[rows])
        spans.extend(targets.spans[r] for r in rows)
    scored = pd.concat(parts, ignore_index=True)
    figures = scale_figures(scored)
    codes = tuple(scorer.model.head_codes)
    truth = (np.concatenate(labels), spans, scored["n_frames"].to_numpy())
    steps = np.concatenate(steps)
    penalties = penalty_metrics(steps, codes, *truth)
    levels = {level: penalty_metrics(steps, codes, *truth, span_level=level)["mean_iou"] for level in SPAN_LEVELS}
    print(f"{len(scored)} takes of {', '.join(str(library) for library in args.library)}, "
          f"{time.perf_counter() - started:.0f} s")
    bands = " / ".join(f"{low:g}–{high:g}" for low, high in zip(LEVEL_EDGES[:-1], LEVEL_EDGES[1:]))
    print(f"| floor | deduction weight | coverage by predicted deduction {bands} (1 exemplar; 2+) | worst | "
          "coverage | mean width (points) |\n|---|---|---|---|---|---|")
    for row in figures:
        cells = "; ".join("/".join("–" if share is None else f"{100 * share:.0f}" for share in shares)
                          for shares in row["coverage_by_level"].values())
        print(f"| {row['floor']} | {row['deduction_weight']} | {cells} | {100 * row['worst_departure']:.1f} | "
              f"{row['coverage']:.3f} | {row['mean_width']:.3f} |")
    best = chosen_scale(figures)
    print(f"chosen: floor {best['floor']}, deduction weight {best['deduction_weight']}")
    print("| span level | mean IoU |\n|---|---|")
    for level, iou in levels.items():
        print(f"| {level} | {iou:.3f} |")
    print(f"penalty spans: mean IoU {penalties['mean_iou']:.3f} over {penalties['n_detected']} detected faults")
    for code, item in penalties["items"].items():
        print(f"  {code}: AUC {item['auc']:.3f}  span IoU {item['mean_iou']:.3f}  "
              f"detected {item['n_detected']} of {item['n_present']}")
    if args.json:
        args.json.write_text(json.dumps({"libraries": [str(library) for library in args.library],
                                         "scales": figures, "chosen": best, "penalties": penalties,
                                         "span_levels": levels}, indent=2, default=float) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
