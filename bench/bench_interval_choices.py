"""The score intervals' floor, chosen on a calibration library (athletes the model never saw, never
a test library), and the penalty heads' figures there.

    .venv/bin/python bench/bench_interval_choices.py --library CAL_DIR [--model CKPT] [--json OUT]

Floor (:func:`models.intervals.nonconformity`): the library's athletes are split in two halves
(alternately, by id); intervals calibrated on one half are measured on the other, both ways, for
trainee takes scored against two or more exemplars (with one exemplar the spread is 0 and the floor does
not change the width). Coverage holds by construction; the floor with the narrowest intervals wins.

It also prints :func:`models.spans.penalty_metrics` on the library (per item AUC, span IoU), and the
mean span IoU for other levels of :func:`analysis.penalty_review.predicted_span`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli.scoring import library_predictions  # noqa: E402
from models.intervals import calibrate, coverage_and_width  # noqa: E402
from models.scorer import Scorer  # noqa: E402
from models.spans import penalty_metrics  # noqa: E402

FLOORS = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 5.0)
SPAN_LEVELS = (0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)

def floor_figures(scored, coverage: float = 0.9) -> list[dict]:
    """Per floor: coverage and mean width (points) of intervals calibrated on the other half's athletes."""
    scored = scored[(scored["n_exemplars"] >= 2) & ~scored["is_exemplar"].to_numpy(bool)]
    athletes = sorted(scored["athlete"].unique())
    halves = [scored["athlete"].isin(athletes[0::2]).to_numpy(), scored["athlete"].isin(athletes[1::2]).to_numpy()]
    columns = {name: scored[name].to_numpy() for name in ("score", "predicted", "spread", "n_exemplars")}
    figures = []
    for floor in FLOORS:
        inside, widths = [], []
        for fit, held in (halves, halves[::-1]):
            calibration = calibrate(*(columns[n][fit] for n in ("score", "predicted", "spread", "n_exemplars")),
                                    coverage, floor)
            intervals = calibration.intervals(columns["predicted"][held], columns["spread"][held],
                                              columns["n_exemplars"][held])
            share, width = coverage_and_width(columns["score"][held], intervals)
            inside.append(share * held.sum())
            widths.append(width * held.sum())
        figures.append({"floor": floor, "coverage": sum(inside) / len(scored), "mean_width": sum(widths) / len(scored)})
    return figures

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--library", required=True, type=Path, help="calibration library (unseen athletes)")
    parser.add_argument("--model", type=Path, default=None, help="checkpoint (default: the shipped model)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    scorer = Scorer.load(args.model, device="cpu")
    scored, steps, targets = library_predictions(scorer.model, args.library, None, scorer.device)
    floors = floor_figures(scored)
    rows = scored["row"].to_numpy()
    codes = tuple(scorer.model.head_codes)
    truth = (targets.labels[rows], [targets.spans[r] for r in rows], scored["n_frames"].to_numpy())
    penalties = penalty_metrics(steps, codes, *truth)
    levels = {level: penalty_metrics(steps, codes, *truth, span_level=level)["mean_iou"] for level in SPAN_LEVELS}
    print(f"{len(scored)} takes of {args.library}, {time.perf_counter() - started:.0f} s")
    print("| floor (points) | coverage (other half) | mean width (points) |\n|---|---|---|")
    for row in floors:
        print(f"| {row['floor']} | {row['coverage']:.3f} | {row['mean_width']:.3f} |")
    print("| span level | mean IoU |\n|---|---|")
    for level, iou in levels.items():
        print(f"| {level} | {iou:.3f} |")
    print(f"penalty spans: mean IoU {penalties['mean_iou']:.3f} over {penalties['n_detected']} detected faults")
    for code, item in penalties["items"].items():
        print(f"  {code}: AUC {item['auc']:.3f}  span IoU {item['mean_iou']:.3f}  "
              f"detected {item['n_detected']} of {item['n_present']}")
    if args.json:
        args.json.write_text(json.dumps({"library": str(args.library), "floors": floors, "penalties": penalties,
                                         "span_levels": levels},
                                        indent=2, default=float) + "\n")
    return 0

if __name__ == "__main__":
    sys.exit(main())
