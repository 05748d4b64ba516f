"""Benchmark: triangulation speed, plain and robust, against aniposelib in the same run.

Scene: the 8-camera rig of the synthetic generator (lens distortion k1, k2),
17 joints x 600 frames inside the capture volume, 1 px detection noise; the
robust run also moves 2 % of the detections by 200 px.

Targets (issue 3): the same 3D as aniposelib within 0.1 mm, and at least
1.5x its speed in plain mode.

aniposelib is not a dependency of the project. Install it into the venv for
this benchmark only (its own requirements pull opencv-contrib-python, which
must not sit beside opencv-python-headless, hence --no-deps):
    pip install --no-deps aniposelib==0.8.0 && pip install numba toml jax jaxlib

Usage: python bench/bench_triangulation.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from analysis.catalogue.apparatus import apparatus_for  # noqa: E402
from analysis.geometry.cameras import project_all  # noqa: E402
from analysis.geometry.robust_triangulation import triangulate_robust  # noqa: E402
from analysis.geometry.triangulation import triangulate_dlt  # noqa: E402
from analysis.synthetic.rig import make_rig  # noqa: E402

N_FRAMES, N_JOINTS = 600, 17


def timed(function, repeats: int) -> tuple[float, object]:
    """Median wall time (s) over ``repeats`` calls after one warm-up call, and the last result."""
    result = function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def aniposelib_group(cameras):
    from aniposelib.cameras import Camera as AniposeCamera
    from aniposelib.cameras import CameraGroup

    return CameraGroup([
        AniposeCamera(name=c.name, size=(c.width, c.height), matrix=c.K, dist=c.dist,
                      rvec=cv2.Rodrigues(c.R)[0].ravel(), tvec=c.t)
        for c in cameras
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    cameras = make_rig(apparatus_for("MFE"), np.random.default_rng(3))
    truth = rng.uniform([-1.5, -1.0, 0.1], [1.5, 1.0, 2.0], size=(N_FRAMES, N_JOINTS, 3))
    pixels = project_all(cameras, truth) + rng.normal(0.0, 1.0, size=(len(cameras), N_FRAMES, N_JOINTS, 2))
    n_points = N_FRAMES * N_JOINTS
    outliers = pixels.copy()
    hit = rng.random(outliers.shape[:-1]) < 0.02
    outliers[hit] += 200.0

    print(f"machine: {os.cpu_count()} cores, {sys.platform}, numpy {np.__version__}, opencv {cv2.__version__}")
    print(f"scene: {len(cameras)} cameras with distortion, {N_JOINTS} joints x {N_FRAMES} frames, 1 px noise")
    plain_s, plain = timed(lambda: triangulate_dlt(cameras, pixels), args.repeats)
    robust_clean_s, _ = timed(lambda: triangulate_robust(cameras, pixels, threshold_px=15.0), args.repeats)
    robust_s, robust = timed(lambda: triangulate_robust(cameras, outliers, threshold_px=15.0), args.repeats)
    print(f"plain DLT:                 {plain_s * 1000:7.1f} ms  {n_points / plain_s:10.0f} points/s")
    print(f"robust, no outliers:       {robust_clean_s * 1000:7.1f} ms  {n_points / robust_clean_s:10.0f} points/s")
    print(f"robust, 2% 200 px outliers:{robust_s * 1000:7.1f} ms  {n_points / robust_s:10.0f} points/s  "
          f"(excluded {robust.excluded_fraction * 100:.1f} % of views)")
    error = np.linalg.norm(plain - truth, axis=-1)
    robust_error = np.linalg.norm(robust.points - truth, axis=-1)
    print(f"error vs truth: plain mean {error.mean() * 1000:.2f} mm; robust (with outliers) mean "
          f"{robust_error.mean() * 1000:.2f} mm, max {robust_error.max() * 1000:.1f} mm")

    try:
        group = aniposelib_group(cameras)
    except ImportError as missing:
        print(f"aniposelib not installed ({missing}); see this file's docstring to compare")
        return
    flat = np.ascontiguousarray(pixels.reshape(len(cameras), -1, 2))
    anipose_s, anipose = timed(lambda: group.triangulate(flat, progress=False), args.repeats)
    difference = np.linalg.norm(anipose.reshape(truth.shape) - plain, axis=-1)
    print(f"aniposelib triangulate:    {anipose_s * 1000:7.1f} ms  {n_points / anipose_s:10.0f} points/s")
    print(f"plain DLT speed vs aniposelib: {anipose_s / plain_s:.2f}x (target >= 1.5x)")
    print(f"3D difference vs aniposelib: max {difference.max() * 1000:.5f} mm, mean {difference.mean() * 1000:.5f} mm "
          f"(target <= 0.1 mm)")


if __name__ == "__main__":
    main()
