"""The camera rig and its report: kept and all means, views left out, joints left empty, tables, MPJPE."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import project_all
from analysis.geometry.report import (
    empty_cells,
    mean_reprojection_px,
    mpjpe,
    per_frame_table,
    per_joint_table,
    per_view_table,
    summary,
)
from analysis.geometry.rig import CameraRig
from analysis.synthetic.rig import make_rig

CAMERAS = make_rig(apparatus_for("MFE"), np.random.default_rng(5))
VIEWS = [c.name for c in CAMERAS]
JOINTS = [f"j{i}" for i in range(17)]


def detections(seed: int, n_frames: int = 6, noise_px: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Body-sized points ``(T, 17, 3)`` and their noisy detections ``(8, T, 17, 3)`` at confidence 0.9."""
    rng = np.random.default_rng(seed)
    points = rng.uniform([-1.5, -1.0, 0.1], [1.5, 1.0, 2.0], size=(n_frames, 17, 3))
    pixels = project_all(CAMERAS, points) + rng.normal(0.0, noise_px, (8, n_frames, 17, 2))
    return points, np.concatenate([pixels, np.full(pixels.shape[:-1] + (1,), 0.9)], axis=-1)


def test_kept_mean_leaves_out_the_outliers_and_all_mean_keeps_them():
    points, pose2d = detections(3)
    pose2d[4, :, 9, :2] += (60.0, -40.0)     # cam5 misplaces joint 9 everywhere
    rig = CameraRig(CAMERAS, threshold_px=10.0)

    observations = rig.retriangulate(pose2d).observations

    outlier = np.zeros(observations.valid.shape, bool)
    outlier[4, :, 9] = True
    np.testing.assert_array_equal(observations.valid & ~observations.kept, outlier)
    assert observations.mean_px("kept") < 1.0
    expected_all = np.concatenate([observations.errors[observations.kept], observations.errors[outlier]]).mean()
    assert observations.mean_px("all") == pytest.approx(expected_all)
    assert observations.mean_px("all") > 1.5 * observations.mean_px("kept")


def test_detections_below_the_minimum_confidence_count_in_neither_mean():
    points, pose2d = detections(4)
    pose2d[2, :, :, 2] = 0.05                # cam3: a guess the detector barely believes ...
    pose2d[2, :, :, :2] += 150.0             # ... far from the athlete
    rig = CameraRig(CAMERAS, threshold_px=10.0, min_confidence=0.1)

    observations = rig.retriangulate(pose2d).observations

    assert not observations.valid[2].any()
    assert observations.mean_px("all") < 1.0 and observations.mean_px("kept") < 1.0


def test_a_view_left_out_is_measured_but_not_counted():
    points, pose2d = detections(5)
    pose2d[6, ..., 0] += 40.0
    rig = CameraRig(CAMERAS, threshold_px=1000.0)   # nothing is an outlier: only the exclusion removes cam7

    result = rig.retriangulate(pose2d, ["cam7"])

    without_cam7 = pose2d.copy()
    without_cam7[6] = (np.nan, np.nan, 0.0)
    np.testing.assert_array_equal(result.points, rig.retriangulate(without_cam7).points)
    observations = result.observations
    assert not observations.valid[6].any() and observations.observed[6].all()
    assert observations.mean_px("all") < 1.0
    views = per_view_table(observations, VIEWS)
    assert np.isnan(views.loc["cam7", "kept_px"]) and views.loc["cam7", "excluded_pct"] == 100.0
    assert views.loc["cam7", "all_px"] == pytest.approx(40.0, rel=0.05)
    report = summary({"take1": observations}, VIEWS, JOINTS)
    assert report["per_view"]["cam7"] is None and report["excluded_fraction"] == 0.0


def test_joints_seen_by_fewer_than_two_views_after_an_exclusion_stay_empty():
    points, pose2d = detections(6)
    pose2d[2:, :4, 0] = np.nan               # the nose, frames 0-3: only cam1 and cam2 see it
    pose2d[2:, 2:, 3] = np.nan               # the left ear, frames 2-5: the same
    rig = CameraRig(CAMERAS)

    before = rig.retriangulate(pose2d)
    after = rig.retriangulate(pose2d, ["cam2"])

    assert np.isfinite(before.points).all()
    expected = np.zeros((6, 17), bool)
    expected[:4, 0] = expected[2:, 3] = True
    np.testing.assert_array_equal(np.isnan(after.points).any(axis=-1), expected)
    assert np.isnan(after.points[expected]).all()
    assert empty_cells(after.observations) == (8, 2, 6)
    assert summary({"take1": after.observations}, VIEWS, JOINTS)["empty_joint_frames"] == 8


def test_figures_of_a_stored_3d_are_those_of_the_run_that_wrote_it():
    points, pose2d = detections(7)
    pose2d[1, :, :5, :2] += 25.0
    pose2d = pose2d.astype(np.float32)         # as a session stores detections
    rig = CameraRig(CAMERAS)
    result = rig.retriangulate(pose2d, ["cam8"])
    assert result.points.dtype == np.float32

    reopened = rig.observe(pose2d, result.points.copy(), ["cam8"])

    for kind in ("kept", "all"):
        assert reopened.mean_px(kind) == result.observations.mean_px(kind)


def test_pooled_figures_weigh_every_observation_the_same():
    rig = CameraRig(CAMERAS)
    short = rig.retriangulate(detections(8, n_frames=2, noise_px=3.0)[1]).observations
    long = rig.retriangulate(detections(9, n_frames=10, noise_px=0.5)[1]).observations
    report = summary({"a": short, "b": long}, VIEWS, JOINTS)

    everything = np.concatenate([short.errors[short.kept], long.errors[long.kept]])
    assert report["mean_reprojection_px"] == pytest.approx(everything.mean(), abs=1e-4)
    assert mean_reprojection_px([short, long], "all") == pytest.approx(
        np.concatenate([short.errors[short.valid], long.errors[long.valid]]).mean())
    assert report["per_take"]["a"]["mean_reprojection_px"] == pytest.approx(short.mean_px("kept"), abs=1e-4)
    assert set(report) >= {"mean_reprojection_px", "mean_reprojection_all_px", "per_view", "per_joint",
                           "excluded_fraction", "empty_joint_frames", "per_take"}


def test_tables_point_at_the_bad_camera_joint_and_frame():
    points, pose2d = detections(3)
    pose2d[4, :, 9, :2] += (60.0, -40.0)
    pose2d[:, 5, :, :2] = np.nan              # frame 5 has no detections at all
    observations = CameraRig(CAMERAS, threshold_px=10.0).retriangulate(pose2d).observations

    views = per_view_table(observations, VIEWS)
    assert views["excluded_pct"].idxmax() == "cam5" and views.loc["cam5", "observations"] == 5 * 17
    assert views["all_px"].idxmax() == "cam5" and views.loc["cam5", "kept_px"] < 2.0
    joints = per_joint_table(observations, JOINTS, reference=points)
    assert joints["all_px"].idxmax() == "j9" and joints["mpjpe_mm"].max() < 10.0
    assert joints.loc["j9", "triangulated_pct"] == pytest.approx(100 * 5 / 6)
    frames = per_frame_table(observations, reference=points)
    assert np.isnan(frames.loc[5, "kept_px"]) and frames.loc[5, "joints"] == 0 and np.isnan(frames.loc[5, "mpjpe_mm"])


@pytest.mark.parametrize("excluded, message", [
    (["camX"], "no view named 'camX'"),
    (VIEWS[:-1], "leaves fewer than two views"),
])
def test_bad_exclusions_are_refused_naming_the_source(excluded, message):
    rig = CameraRig(CAMERAS, source="s.h5")
    with pytest.raises(ValueError, match=message) as error:
        rig.retriangulate(detections(1, n_frames=1)[1], excluded)
    assert str(error.value).startswith("s.h5: ")


def test_mpjpe_ignores_missing_points():
    reference = np.zeros((2, 3, 3))
    estimate = reference.copy()
    estimate[0, 0] = (0.03, 0.04, 0.0)   # 5 cm off
    estimate[1, 2] = np.nan              # missing: not counted
    assert abs(mpjpe(estimate, reference) - 0.05 / 5) < 1e-12
    assert np.isnan(mpjpe(np.full((1, 1, 3), np.nan), np.zeros((1, 1, 3))))
