"""Benchmark: `main.py sync` accuracy and speed on synthetic recordings with known clock offsets.

Each trial renders a recording with tests/helpers_recording.py: synthetic floor
routines (one or two, 5-20 s at 30 fps) seen through the detector-like noise
model (jitter, drift, dropouts, left/right swaps) by 4 or 8 cameras of the
generator's rig, each camera's clock offset by a random -7..+12 frames; in the
"bystander" trials a second person walks around the floor the whole time and
the people of each frame come in random order. Offsets are estimated by the
correlation alone and with the calibration's refinement; the error is the
estimate minus the truth, per non-reference view.

No real multi-camera recording with known offsets was available where this was
written: the figures are for synthetic detections only.

Usage: python bench/bench_sync.py [--trials 6] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from analysis.geometry.sync import synchronize  # noqa: E402
from analysis.motion.skeleton import COCO17  # noqa: E402
from tests.helpers_recording import offset_recording  # noqa: E402

#: name -> (cameras of the rig, routines, second person walking around)
SCENARIOS = {
    "8 cameras, 2 routines": (list(range(8)), 2, False),
    "8 cameras, 2 routines, bystander": (list(range(8)), 2, True),
    "4 cameras, 1 routine": ([0, 2, 4, 6], 1, False),
    "4 cameras, 1 routine, bystander": ([0, 2, 4, 6], 1, True),
}


def trial(seed: int, views: list[int], routines: int, bystander: bool) -> dict:
    rng = np.random.default_rng(seed)
    offsets = [0] + rng.integers(-7, 13, size=len(views) - 1).tolist()
    recording = offset_recording(seed, offsets, n_actions=routines, bystander=bystander, views=views)
    truth = recording.offsets
    flip = COCO17.flip_permutation()
    started = time.perf_counter()
    correlated = synchronize(recording.keypoints, flip=flip)
    correlation_s = time.perf_counter() - started
    started = time.perf_counter()
    refined = synchronize(recording.keypoints, recording.cameras, flip=flip)
    refined_s = time.perf_counter() - started
    def errors(result):
        return [abs(result.offsets[view] - truth[view]) for view in truth if view != result.reference]

    return {"frames": len(recording.athlete), "correlation": errors(correlated), "refined": errors(refined),
            "correlation_s": correlation_s, "refined_s": refined_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6, help="recordings per scenario (default 6)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print("| scenario | views x trials | frames (median) | within ±1 frame: correlation / refined | "
          "exact: correlation / refined | largest error | time per recording: correlation / refined |")
    print("|---|---|---|---|---|---|---|")
    for name, (views, routines, bystander) in SCENARIOS.items():
        results = [trial(args.seed + k, views, routines, bystander) for k in range(args.trials)]
        correlation = np.concatenate([r["correlation"] for r in results])
        refined = np.concatenate([r["refined"] for r in results])
        frames = int(np.median([r["frames"] for r in results]))
        print(f"| {name} | {len(views) - 1} x {args.trials} | {frames} | "
              f"{(correlation <= 1).mean() * 100:.0f} % / {(refined <= 1).mean() * 100:.0f} % | "
              f"{(correlation == 0).mean() * 100:.0f} % / {(refined == 0).mean() * 100:.0f} % | "
              f"{correlation.max()} / {refined.max()} frames | "
              f"{np.median([r['correlation_s'] for r in results]):.1f} s / "
              f"{np.median([r['refined_s'] for r in results]):.1f} s |", flush=True)


if __name__ == "__main__":
    main()
