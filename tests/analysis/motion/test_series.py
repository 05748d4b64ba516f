"""Joint tracks over time: joints found by either spelling, gaps bridged one way everywhere."""

from __future__ import annotations

import numpy as np

from analysis.motion.series import (
    fill_gaps,
    joint_index,
    joint_track,
    measured_pose,
    mid_joint,
    root_track,
)
from analysis.motion.skeleton import BODY25, COCO17


def test_joints_are_found_by_coco_or_openpose_name():
    assert joint_index(COCO17.joint_names, "left_hip") == 11
    assert joint_index(BODY25.joint_names, "left_hip") == BODY25.index("LHip")
    assert joint_index(BODY25.joint_names, "left_big_toe") == BODY25.index("LBigToe")
    assert joint_index(COCO17.joint_names, "left_big_toe") is None
    pose = np.zeros((4, 17, 3))
    pose[:, 11] = (1.0, 0.0, 1.0)
    pose[:, 12] = (0.0, 1.0, 1.0)
    np.testing.assert_allclose(mid_joint(pose, COCO17, "hip"), [[0.5, 0.5, 1.0]] * 4)
    assert np.isnan(joint_track(pose, COCO17, "left_big_toe")).all()


def test_the_root_is_the_mid_hip_bridged_through_a_missing_hip():
    pose = np.full((5, 17, 3), np.nan)
    frames = np.arange(5.0)
    pose[:, COCO17.index("left_hip")] = np.column_stack([frames, np.zeros(5), np.ones(5)])
    pose[:, COCO17.index("right_hip")] = np.column_stack([frames, np.ones(5), np.ones(5)])
    pose[2, COCO17.index("right_hip")] = np.nan                      # one hip lost: not the visible hip alone
    pose[4, COCO17.index("left_hip")] = np.nan                       # at the end: the last mid-hip is held
    np.testing.assert_allclose(root_track(pose, COCO17), [[0, 0.5, 1], [1, 0.5, 1], [2, 0.5, 1], [3, 0.5, 1],
                                                          [3, 0.5, 1]])
    pose[:, COCO17.index("left_hip")] = np.nan                        # never both hips: no root
    assert np.isnan(root_track(pose, COCO17)).all()


def test_gaps_are_interpolated_and_the_ends_held_or_left():
    series = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan, np.nan, np.nan, 8.0, np.nan])
    np.testing.assert_allclose(fill_gaps(series), [1, 1, 2, 3, 4, 5, 6, 7, 8, 8])
    short_only = fill_gaps(series, max_gap=2, hold_ends=False)
    np.testing.assert_allclose(short_only[1:5], [1, 2, 3, 4])
    assert np.isnan(short_only[[0, 5, 6, 7, 9]]).all() and short_only[8] == 8.0
    never_seen = np.full((5, 2), np.nan)
    never_seen[:, 0] = np.arange(5.0)
    filled = fill_gaps(never_seen)
    np.testing.assert_allclose(filled[:, 0], np.arange(5.0))
    assert np.isnan(filled[:, 1]).all()
    assert np.isnan(series[0]), "the input is not modified"


def test_a_take_is_measured_on_its_triangulation_else_its_reference():
    triangulated, reference = np.zeros((3, 17, 3)), np.ones((3, 17, 3))
    assert measured_pose(triangulated, reference) is triangulated
    assert measured_pose(None, reference) is reference
    assert measured_pose(None, None) is None
