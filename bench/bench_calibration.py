"""Benchmark: rig calibration from a rendered ChArUco recording against the cameras that rendered it.

Scene: 8 cameras (1280x960, focal lengths about 1400 px, each with its own
lens distortion k1 k2 p1 p2) on a 4.5 m ring around a capture volume,
alternately 1.4 m and 2.6 m high. A 10x7 ChArUco board (0.10 m squares,
DICT_4X4_100) moves through the volume over 150 frames, turning about 1.5
times around so that each camera sees its printed face in some frames and its
back or edge in others; in 10 % of the (camera, frame) pairs it is hidden
altogether. Images get a slight blur and sensor noise (2 grey levels) and are
written as H.264 MP4s (tests/helpers_board.py renders them).

Targets (issue 12): focal lengths within 1 %, camera centres within 2 cm of
the truth after a rigid alignment, reprojection RMS <= 0.6 px.

Usage: python bench/bench_calibration.py [--frames 150] [--seed 0] [--keep DIR]
(--keep renders into DIR, or reuses the videos a run with the same --frames and
--seed left there.)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from scipy.spatial.transform import Rotation  # noqa: E402

from analysis.geometry.board import parse_board_spec  # noqa: E402
from analysis.geometry.board_calibration import calibrate_rig  # noqa: E402
from analysis.geometry.board_recording import detect_boards, find_sources  # noqa: E402
from tests.helpers_board import (  # noqa: E402
    BoardRenderer,
    board_pose,
    ring_rig,
    write_video,
)

SPEC = "charuco:10x7:0.10:0.075:DICT_4X4_100"
TARGET = np.array([0.0, 0.0, 1.2])
HIDDEN_FRACTION = 0.10


def render_recording(folder: Path, n_frames: int, seed: int):
    """Write one MP4 per camera into ``folder`` (unless there already); return the true cameras."""
    rng = np.random.default_rng(seed)
    spec = parse_board_spec(SPEC)
    azimuths = [-90.0 + 45.0 * k + rng.uniform(-8, 8) for k in range(8)]
    cameras = ring_rig(azimuths, 4.5, [1.4, 2.6] * 4, TARGET, (1280, 960), 1400.0, rng)
    t = np.linspace(0.0, 1.0, n_frames)
    centres = TARGET + np.stack([1.1 * np.sin(2 * np.pi * 1.3 * t), 1.1 * np.sin(2 * np.pi * 0.9 * t + 1.0),
                                 0.5 * np.sin(2 * np.pi * 2.1 * t)], axis=1) + rng.normal(0, 0.05, (n_frames, 3))
    facing = -90.0 + 540.0 * t + rng.normal(0, 10, n_frames)
    poses = [board_pose(c, f, rng.uniform(-25, 35), rng.uniform(-35, 35), spec)
             for c, f in zip(centres, facing, strict=True)]
    if all((folder / f"{camera.name}.mp4").is_file() for camera in cameras):
        return cameras
    for camera in cameras:
        renderer = BoardRenderer(camera, spec, pixels_per_square=48, rng=rng)
        hidden = rng.random(n_frames) < HIDDEN_FRACTION
        frames = (renderer.render(None if hide else pose, rng, noise=2.0, gain=rng.uniform(0.7, 1.0))
                  for pose, hide in zip(poses, hidden, strict=True))
        write_video(folder / f"{camera.name}.mp4", frames)
    return cameras


def clock() -> tuple[float, float]:
    """Wall and process CPU seconds."""
    return time.perf_counter(), time.process_time()


def rigid_alignment_errors(truth: np.ndarray, estimate: np.ndarray) -> np.ndarray:
    """Distances (V,) between ``truth`` (V, 3) and ``estimate`` (V, 3) after the best rotation and shift."""
    rotation, _ = Rotation.align_vectors(truth - truth.mean(0), estimate - estimate.mean(0))
    aligned = rotation.apply(estimate - estimate.mean(0)) + truth.mean(0)
    return np.linalg.norm(aligned - truth, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="render into this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        started = clock()
        truth = render_recording(folder, args.frames, args.seed)
        rendered = clock()
        spec = parse_board_spec(SPEC)
        recording = detect_boards(find_sources(folder, videos=True), spec, every=1)
        detected = clock()
        stage_starts = {}
        iterations = []
        result = calibrate_rig(recording, spec, progress=lambda stage, done, _: (
            stage_starts.setdefault(stage, clock()), iterations.append(done)))
        calibrated = clock()

    print(f"board {SPEC}, {len(truth)} cameras, {args.frames} frames, seed {args.seed}")
    print(f"render {rendered[0] - started[0]:.1f} s (not part of the calibration)")
    adjusting = stage_starts["bundle adjustment"]
    for column, kind in enumerate(("wall", "CPU (all threads)")):
        print(f"{kind} time: detect {detected[column] - rendered[column]:.1f} s + lenses and initial poses "
              f"{adjusting[column] - detected[column]:.1f} s + bundle adjustment "
              f"{calibrated[column] - adjusting[column]:.1f} s ({iterations[-1]} iterations) "
              f"= {calibrated[column] - rendered[column]:.1f} s")
    centre_errors = rigid_alignment_errors(np.stack([c.center for c in truth]),
                                           np.stack([c.center for c in result.cameras]))
    print(f"{'camera':<8} {'views':>5} {'f true':>8} {'f est':>8} {'f err %':>8} {'centre err cm':>14} {'RMS px':>7}")
    focal_errors = []
    for camera, estimate, centre_error in zip(truth, result.cameras, centre_errors, strict=True):
        entry = result.report["per_camera"][camera.name]
        focal_error = 100 * (estimate.K[0, 0] / camera.K[0, 0] - 1)
        focal_errors.append(abs(focal_error))
        print(f"{camera.name:<8} {entry['n_frames']:5d} {camera.K[0, 0]:8.1f} {estimate.K[0, 0]:8.1f} "
              f"{focal_error:+8.3f} {100 * centre_error:14.2f} {entry['rms_px']:7.3f}")
    print(f"worst focal error {max(focal_errors):.3f} % (target 1 %), worst centre error "
          f"{100 * centre_errors.max():.2f} cm (target 2 cm), mean RMS {result.report['mean_rms_px']:.3f} px "
          f"(target 0.6 px); frames seen by 2+ cameras: {result.report['n_shared_frames']}")


if __name__ == "__main__":
    main()
