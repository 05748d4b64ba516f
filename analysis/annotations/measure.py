"""The numbers annotations show: the angle of a drawn angle, the values of a 3D measurement."""

from __future__ import annotations

import numpy as np

from analysis.annotations.items import Measurement
from analysis.motion.kinematics import vector_angle
from analysis.motion.skeleton import Skeleton

UNITS = {"distance": "m", "angle": "°"}


def included_angle_deg(end_a: np.ndarray, vertex: np.ndarray, end_b: np.ndarray) -> np.ndarray:
    """Angle at ``vertex`` between the arms to ``end_a`` and ``end_b``, degrees in [0, 180].

    Points are ``(..., C)`` with C = 2 (image pixels) or 3 (metres); 180 when the
    three are in a straight line; NaN where a point is missing.
    """
    vertex = np.asarray(vertex, dtype=np.float64)
    arm_a, arm_b = np.asarray(end_a, dtype=np.float64) - vertex, np.asarray(end_b, dtype=np.float64) - vertex
    return np.degrees(vector_angle(arm_a, arm_b))


def measurement_series(measurement: Measurement, pose: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """The value of ``measurement`` at every frame of ``pose`` ``(T, J, 3)`` metres: ``(T,)``.

    Metres for a distance, degrees for an angle; NaN where a joint is missing.

    Raises
    ------
    KeyError
        A joint of the measurement is not in ``skeleton``.
    """
    points = [pose[:, skeleton.index(name)].astype(np.float64) for name in measurement.joints]
    if measurement.kind == "distance":
        return np.linalg.norm(points[1] - points[0], axis=-1)
    return included_angle_deg(*points)


def format_value(kind: str, value: float) -> str:
    """``"0.482 m"`` or ``"93.1°"``; ``"—"`` for a missing value."""
    if not np.isfinite(value):
        return "—"
    return f"{value:.3f} m" if kind == "distance" else f"{value:.1f}°"
