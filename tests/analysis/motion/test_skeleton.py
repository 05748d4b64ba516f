"""Skeleton layouts: names, bones and left/right pairs."""

from __future__ import annotations

import pytest

from analysis.motion.skeleton import (
    BODY25,
    CENTRE,
    COCO17,
    HALPE26,
    KNOWN_SKELETONS,
    LEFT,
    RIGHT,
    Skeleton,
    bone_sides,
    joint_sides,
)


def _pair_names(skeleton):
    return {(skeleton.joint_names[a], skeleton.joint_names[b]) for a, b in skeleton.pairs}


def test_coco17_pairs_every_limb_joint_with_its_twin():
    assert COCO17.n_joints == 17 and len(COCO17.edges) == 16
    assert ("left_knee", "right_knee") in _pair_names(COCO17)
    assert len(COCO17.pairs) == 8
    flip = COCO17.flip_permutation()
    assert flip[COCO17.index("left_wrist")] == COCO17.index("right_wrist")
    assert flip[COCO17.index("nose")] == COCO17.index("nose")


def test_openpose_and_halpe_layouts():
    assert BODY25.n_joints == 25 and ("LBigToe", "RBigToe") in _pair_names(BODY25)
    assert len(BODY25.pairs) == 11
    assert HALPE26.n_joints == 26 and ("left_heel", "right_heel") in _pair_names(HALPE26)
    assert {"coco17", "body25", "halpe26"} <= set(KNOWN_SKELETONS)


def test_every_joint_is_connected():
    for skeleton in KNOWN_SKELETONS.values():
        touched = {j for edge in skeleton.edges for j in edge}
        assert touched == set(range(skeleton.n_joints)), skeleton.name


def test_bad_edges_and_unknown_joints_are_refused():
    with pytest.raises(ValueError, match="bad edge"):
        Skeleton("x", ("a", "b"), ((0, 2),))
    with pytest.raises(KeyError, match="not in skeleton 'coco17'"):
        COCO17.index("tail")


def test_bones_and_joints_take_the_side_of_the_body_they_are_on():
    sides = dict(zip(COCO17.edges, bone_sides(COCO17)))
    assert sides[(11, 13)] == LEFT
    assert sides[(12, 14)] == RIGHT
    assert sides[(5, 6)] == CENTRE
    assert sides[(11, 12)] == CENTRE
    assert sides[(0, 1)] == LEFT
    joints = joint_sides(COCO17)
    assert joints[COCO17.index("nose")] == CENTRE
    assert joints[COCO17.index("left_ankle")] == LEFT
    # OpenPose spelling: the neck-to-shoulder bone is the right side's, the mid-hip is central.
    body25 = dict(zip(BODY25.edges, bone_sides(BODY25)))
    assert body25[(1, 2)] == RIGHT and body25[(1, 8)] == CENTRE
