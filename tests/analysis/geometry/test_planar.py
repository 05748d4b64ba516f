"""Plane geometry: the segment nearest a point."""

from __future__ import annotations

import numpy as np

from analysis.geometry.planar import nearest_segment


def test_nearest_segment():
    segments = np.array([(0.0, 0.0), (10.0, 0.0), (np.nan, 0.0), (5.0, 5.0), (0.0, 10.0), (10.0, 10.0)])
    index, distance = nearest_segment(np.array([5.0, 7.0]), segments)
    assert (index, distance) == (2, 3.0)
    index, distance = nearest_segment(np.array([-3.0, -4.0]), segments)
    assert (index, distance) == (0, 5.0)
    assert nearest_segment(np.array([0.0, 0.0]), segments[2:4]) == (-1, float("inf"))
