"""Robust triangulation, reprojection reports and MPJPE."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import project_all
from analysis.geometry.report import (
    mpjpe,
    per_frame_table,
    per_joint_table,
    per_view_table,
    summary,
)
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


def test_never_drops_below_two_views():
    points = body_points(2, n_frames=1)
    pixels = project_all(CAMERAS, points)
    pixels[2:] = np.nan
    pixels[1] += 30.0                  # the two views disagree, but they are all there is
    result = triangulate_robust(CAMERAS, pixels, threshold_px=1.0)
    assert result.used[:2].all() and np.isfinite(result.points).all()
    assert (result.errors[:2] > 1.0).any()


def test_report_tables_point_at_the_bad_camera_and_joint():
    points = body_points(3, n_frames=6)
    pixels = project_all(CAMERAS, points) + np.random.default_rng(0).normal(0, 0.5, (8, 6, 17, 2))
    pixels[4, :, 9] += (60.0, -40.0)   # cam5 misplaces joint 9 everywhere
    pixels[:, 5] = np.nan              # frame 5 has no detections at all
    result = triangulate_robust(CAMERAS, pixels, threshold_px=10.0)
    joints = [f"j{i}" for i in range(17)]

    views = per_view_table(result, VIEWS)
    assert views.loc["cam5", "excluded_fraction"] == views["excluded_fraction"].max() > 0
    assert views.loc["cam5", "detections"] == 5 * 17
    by_joint = per_joint_table(result, joints, reference=points)
    assert by_joint["mpjpe_mm"].max() < 10.0   # the 72 px error on j9 does not reach the 3D
    assert by_joint.loc["j9", "triangulated_fraction"] == 5 / 6
    frames = per_frame_table(result, reference=points)
    assert np.isnan(frames.loc[5, "mean_px"]) and frames.loc[5, "joints"] == 0 and np.isnan(frames.loc[5, "mpjpe_mm"])
    report = summary([result], VIEWS, joints)
    assert set(report) == {"mean_reprojection_px", "per_view", "per_joint", "excluded_fraction"}
    assert report["excluded_fraction"] == pytest.approx(5 / (5 * 17 * 8), abs=1e-6)
    assert report["mean_reprojection_px"] < 2.0


def test_mpjpe_ignores_missing_points():
    reference = np.zeros((2, 3, 3))
    estimate = reference.copy()
    estimate[0, 0] = (0.03, 0.04, 0.0)   # 5 cm off
    estimate[1, 2] = np.nan              # missing: not counted
    assert abs(mpjpe(estimate, reference) - 0.05 / 5) < 1e-12
    assert np.isnan(mpjpe(np.full((1, 1, 3), np.nan), np.zeros((1, 1, 3))))
