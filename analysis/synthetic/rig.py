"""An 8-camera capture rig placed around an apparatus.

Cameras stand on an ellipse around the apparatus at alternating heights, aim at
its centre and zoom so that the volume the athlete uses fills most of the
frame, like the LucidAction MoCap layout.
"""

from __future__ import annotations

import numpy as np

from analysis.catalogue.apparatus import Apparatus
from analysis.geometry.cameras import Camera, look_at

VIEW_COUNT = 8
IMAGE_SIZE = (640, 360)
_FRAME_FILL = 0.86


def _fit_focal(rotation: np.ndarray, translation: np.ndarray, corners: np.ndarray, width: int, height: int) -> float:
    """Largest focal length (pixels) at which every corner stays inside the frame."""
    cam = corners @ rotation.T + translation
    x = np.abs(cam[:, 0] / cam[:, 2])
    y = np.abs(cam[:, 1] / cam[:, 2])
    return float(min(_FRAME_FILL * width / 2 / x.max(), _FRAME_FILL * height / 2 / y.max()))


def make_rig(apparatus: Apparatus, rng: np.random.Generator, size: tuple[int, int] = IMAGE_SIZE) -> list[Camera]:
    """Eight calibrated cameras looking at ``apparatus``.

    Parameters
    ----------
    apparatus : Apparatus
    rng : numpy Generator
        Jitters positions, principal points and lens distortion.
    size : (int, int)
        Image width and height in pixels.

    Returns
    -------
    list of Camera, length 8, named ``cam1`` ... ``cam8`` counter-clockwise
    (seen from above), ``cam1`` on the -Y side of the travel direction.
    """
    width, height = size
    target = np.asarray(apparatus.camera_target, dtype=np.float64)
    hx, hy, hz = apparatus.coverage
    corners = target + np.array([[sx * hx, sy * hy, sz * hz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    corners[:, 2] = np.maximum(corners[:, 2], 0.0)
    radius_x = 1.5 * hx + 4.5
    radius_y = 1.5 * max(hy, hx * 0.7) + 4.5
    cameras = []
    for index in range(VIEW_COUNT):
        azimuth = np.deg2rad(-90.0 + 45.0 * index + rng.uniform(-6, 6))
        eye = np.array([
            target[0] + radius_x * np.cos(azimuth),
            target[1] + radius_y * np.sin(azimuth),
            (1.3 if index % 2 == 0 else 3.2) + rng.uniform(-0.15, 0.15),
        ])
        rotation, translation = look_at(eye, target)
        focal = _fit_focal(rotation, translation, corners, width, height)
        K = np.array([
            [focal, 0.0, width / 2 + rng.uniform(-4, 4)],
            [0.0, focal, height / 2 + rng.uniform(-3, 3)],
            [0.0, 0.0, 1.0],
        ])
        dist = np.array([rng.uniform(-0.12, -0.04), rng.uniform(0.0, 0.03), 0.0, 0.0, 0.0])
        cameras.append(Camera(f"cam{index + 1}", K, dist, rotation, translation, width, height))
    return cameras
