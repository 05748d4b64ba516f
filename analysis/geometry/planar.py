"""Plane geometry on screen or image points: which segment a point is nearest (picking what was clicked)."""

from __future__ import annotations

import numpy as np


def nearest_segment(point: np.ndarray, segments: np.ndarray) -> tuple[int, float]:
    """The 2D segment nearest a point, and its distance.

    Parameters
    ----------
    point : ndarray, shape (2,)
    segments : ndarray, shape (2N, 2)
        Segment ends; segments with a NaN end are ignored.

    Returns
    -------
    index : int
        Segment index, -1 when none is finite.
    distance : float
        Infinity when none is finite.
    """
    starts, ends = segments[0::2], segments[1::2]
    direction = ends - starts
    length2 = np.einsum("ij,ij->i", direction, direction)
    with np.errstate(invalid="ignore", divide="ignore"):
        along = np.clip(np.einsum("ij,ij->i", point - starts, direction) / length2, 0.0, 1.0)
    along = np.where(length2 > 0, along, 0.0)
    distances = np.linalg.norm(starts + along[:, None] * direction - point, axis=1)
    distances = np.where(np.isfinite(distances), distances, np.inf)
    if not len(distances) or not np.isfinite(distances.min()):
        return -1, float("inf")
    index = int(np.argmin(distances))
    return index, float(distances[index])
