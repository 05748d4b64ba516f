"""Robust triangulation: outlying views dropped, disagreeing points left empty."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import project_all
from analysis.geometry.robust_triangulation import triangulate_robust
from analysis.synthetic.rig import make_rig

CAMERAS = make_rig(apparatus_for("MFE"), np.random.default_rng(5))
VIEWS = [c.name for c in CAMERAS]


def body_points(seed: int, n_frames: int = 4, n_joints: int = 17) -> np.ndarray:
    return np.random.default_rng(seed).uniform([-1.5, -1.0, 0.1], [1.5, 1.0, 2.0], size=(n_frames, n_joints, 3))


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_noise_free_round_trip_uses_every_view(seed):
    points = body_points(seed)
    result = triangulate_robust(CAMERAS, project_all(CAMERAS, points), threshold_px=1.0)
    np.testing.assert_allclose(result.points, points, atol=1e-6)
    assert result.used.all() and result.excluded_fraction == 0.0
    assert np.nanmax(result.errors) < 1e-6


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), direction=st.floats(0, 2 * np.pi))
def test_one_view_off_by_200_px_is_dropped_and_the_truth_recovered(seed, direction):
    rng = np.random.default_rng(seed)
    points = body_points(seed)
    pixels = project_all(CAMERAS, points)
    bad_view = rng.integers(0, len(CAMERAS), size=points.shape[:2])
    frames, joints = np.indices(points.shape[:2])
    pixels[bad_view, frames, joints] += 200.0 * np.array([np.cos(direction), np.sin(direction)])

    result = triangulate_robust(CAMERAS, pixels, threshold_px=5.0)

    np.testing.assert_allclose(result.points, points, atol=1e-6)
    expected_excluded = np.zeros(result.used.shape, bool)
    expected_excluded[bad_view, frames, joints] = True
    np.testing.assert_array_equal(result.excluded, expected_excluded)
    assert result.excluded_fraction == 1 / len(CAMERAS)


def test_missing_views_and_nan_propagate():
    points = body_points(1, n_frames=3)
    pixels = project_all(CAMERAS, points)
    confidence = np.ones(pixels.shape[:-1])
    pixels[:6, 0, 0] = np.nan         # two views left: triangulated from those two
    pixels[:7, 1, 1] = np.nan         # one view left: no point
    confidence[:, 2, 2] = 0.05        # all below the minimum: no point
    pixels[3, 2, 5] = (np.nan, 7.0)   # one bad coordinate: that view is not detected
    result = triangulate_robust(CAMERAS, pixels, confidence, min_confidence=0.1)
    np.testing.assert_allclose(result.points[0, 0], points[0, 0], atol=1e-6)
    assert np.isnan(result.points[1, 1]).all() and np.isnan(result.points[2, 2]).all()
    assert result.used[6:, 0, 0].all() and not result.used[:6, 0, 0].any()
    assert not result.used[:, 1, 1].any() and np.isnan(result.errors[:, 1, 1]).all()
    assert not result.detected[3, 2, 5] and np.isnan(result.errors[3, 2, 5])
    assert np.isfinite(result.points[2, 5]).all()


def test_never_drops_below_two_views_and_leaves_two_disagreeing_views_empty():
    points = body_points(2, n_frames=1, n_joints=2)
    pixels = project_all(CAMERAS, points)
    pixels[3:] = np.nan
    pixels[1, :, 0] += 30.0            # joint 0: three views, one of them off: it is dropped
    pixels[2, :, 1] = np.nan
    pixels[1, :, 1] += (0.0, 30.0)     # joint 1: two views that disagree, and nothing else
    plain = triangulate_robust(CAMERAS, pixels, threshold_px=np.inf)
    residual = np.nanmax(plain.errors[:, 0, 1])
    assert residual > 2.0              # the disagreement shows in the reprojection

    strict = triangulate_robust(CAMERAS, pixels, threshold_px=residual / 2)
    np.testing.assert_allclose(strict.points[0, 0], points[0, 0], atol=1e-6)
    assert strict.used[[0, 2], 0, 0].all() and not strict.used[1, 0, 0]
    assert np.isnan(strict.points[0, 1]).all() and not strict.used[:, 0, 1].any()
    assert np.isnan(strict.errors[:, 0, 1]).all()

    lenient = triangulate_robust(CAMERAS, pixels, threshold_px=residual * 2)
    assert np.isfinite(lenient.points[0, 1]).all() and lenient.used[:2, 0, 1].all()
