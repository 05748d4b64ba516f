"""Where a trainee differs from the exemplar, per phase: body parts a coach corrects, ranked by joint angle."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from analysis.motion.deviations import body_parts, deviation_cells, phase_deviation_summary
from analysis.motion.skeleton import BODY25, COCO17
from tests.analysis.motion.test_alignment import clean_take

FACE = ("nose", "left_eye", "right_eye", "left_ear", "right_ear")


def test_face_points_fold_into_the_head_and_limb_joints_carry_their_angle():
    parts = {part.name: part for part in body_parts(COCO17)}
    assert list(parts)[:2] == ["head", "trunk"]
    assert [COCO17.joint_names[j] for j in parts["head"].joints] == list(FACE)
    assert not set(parts) & set(FACE) and len(parts) == 2 + 12
    assert parts["left knee"].angle == "left knee flexion" and parts["right shoulder"].angle == "right shoulder elevation"
    assert parts["trunk"].angle == "trunk inclination" and parts["head"].angle == "head tilt"
    assert parts["left wrist"].angle == "" and parts["right ankle"].angle == ""

    openpose = {part.name: [BODY25.joint_names[j] for j in part.joints] for part in body_parts(BODY25)}
    assert sorted(openpose["head"]) == ["LEar", "LEye", "Nose", "REar", "REye"]
    assert sorted(openpose["trunk"]) == ["LShoulder", "MidHip", "Neck", "RShoulder"]
    assert sorted(openpose["left foot"]) == ["LBigToe", "LHeel", "LSmallToe"]
    assert "left knee" in openpose and "nose" not in openpose


def _turned(pose: np.ndarray, joints: list[int], pivot: np.ndarray, axis: np.ndarray, degrees: np.ndarray) -> None:
    """Turn ``joints`` of every frame about ``pivot`` (T, 3) around ``axis`` (T, 3) by ``degrees`` (T,), in place."""
    axis = axis / np.linalg.norm(axis, axis=1, keepdims=True)
    rotation = Rotation.from_rotvec(axis * np.radians(degrees)[:, None])
    for j in joints:
        pose[:, j] = rotation.apply(pose[:, j] - pivot) + pivot


def test_a_bent_knee_and_a_leaning_trunk_outrank_the_head_they_carry_along():
    exemplar = clean_take("WFE-1-01")
    trainee = exemplar.copy()
    n_frames = len(trainee)
    middle = slice(n_frames // 3, 2 * n_frames // 3)
    weight = np.zeros(n_frames)
    weight[middle] = np.hanning(middle.stop - middle.start)         # only in the middle third
    index = COCO17.index
    hips = trainee[:, [index("left_hip"), index("right_hip")]]
    hip_line = hips[:, 0] - hips[:, 1]
    upper_body = [index(name) for name in FACE + ("left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
                                                   "left_wrist", "right_wrist")]
    _turned(trainee, upper_body, hips.mean(axis=1), hip_line, 14.0 * weight)       # the trunk leans 14 degrees
    _turned(trainee, [index("left_ankle")], trainee[:, index("left_knee")], hip_line, 35.0 * weight)  # bent knee

    summary = phase_deviation_summary(trainee, exemplar, COCO17, phases=3)

    assert len(summary) == 3 * len(body_parts(COCO17)) and not set(summary["part"]) & set(FACE)
    middle_rows = summary[summary["phase"] == 2].reset_index(drop=True)
    top = middle_rows.head(3)
    assert top["part"].iloc[0] == "left knee" and (top["angle"] != "").all()
    assert "trunk" in set(top["part"]) and "head" not in set(top["part"])
    assert middle.start <= top["peak_frame"].iloc[0] < middle.stop
    assert abs(top["peak_frame"].iloc[0] - (middle.start + middle.stop) / 2) < 0.1 * n_frames
    head = middle_rows.set_index("part").loc["head"]
    knee = middle_rows.set_index("part").loc["left knee"]
    assert head["mean_distance_cm"] > 3 * knee["mean_distance_cm"]       # by distance alone the head would lead
    assert head["mean_angle_difference_deg"] < 2.0                       # it did not move against the trunk
    assert head["joints"] == ", ".join(FACE)
    for phase in (1, 3):
        rows = summary[summary["phase"] == phase]
        assert rows["mean_angle_difference_deg"].max() < 1.0 and rows["mean_distance_cm"].max() < 1.0
    assert summary.loc[summary["phase"] == 3, ["start_frame", "end_frame"]].iloc[0].tolist() == [
        2 * n_frames // 3, n_frames]


def test_a_part_never_seen_is_last_of_its_phase_with_no_peak():
    exemplar = clean_take("WFE-1-01")
    trainee = exemplar.copy()
    trainee[:, COCO17.index("right_wrist")] = np.nan
    summary = phase_deviation_summary(trainee, exemplar, COCO17, phases=2)
    last = summary.groupby("phase").tail(1)
    assert (last["part"] == "right wrist").all() and (last["peak_frame"] == -1).all()
    assert last["mean_distance_cm"].isna().all()
    phase, part, _angle, distance, worst = deviation_cells(next(last.itertuples()))
    assert (phase, part, distance, worst) == ("1 (0–" + f"{last['end_frame'].iloc[0] - 1})", "right wrist",
                                              "not seen", "–")                # never "nan cm", "frame -1"
    with pytest.raises(ValueError, match="aligned exemplar"):
        phase_deviation_summary(trainee, exemplar[:-1], COCO17)
