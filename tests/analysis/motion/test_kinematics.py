"""Kinematics: joint angles by vector geometry, angular velocities, centre of mass, CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.spatial.transform import Rotation

from analysis.motion.kinematics import (
    ANGLE_COLUMNS,
    CURVE_GROUPS,
    compute_kinematics,
    write_kinematics_csv,
)
from analysis.motion.skeleton import BODY25, COCO17, Skeleton

FPS = 30.0

#: A 1.72 m athlete standing upright facing +x, arms hanging, metres (COCO-17 order).
STANDING = np.array([
    [0.10, 0.00, 1.60],                        # nose
    [0.08, 0.03, 1.63], [0.08, -0.03, 1.63],   # eyes
    [0.00, 0.08, 1.60], [0.00, -0.08, 1.60],   # ears
    [0.00, 0.19, 1.42], [0.00, -0.19, 1.42],   # shoulders
    [0.00, 0.19, 1.12], [0.00, -0.19, 1.12],   # elbows
    [0.00, 0.19, 0.86], [0.00, -0.19, 0.86],   # wrists
    [0.00, 0.10, 0.92], [0.00, -0.10, 0.92],   # hips
    [0.00, 0.10, 0.50], [0.00, -0.10, 0.50],   # knees
    [0.00, 0.10, 0.08], [0.00, -0.10, 0.08],   # ankles
])


def hold(pose: np.ndarray, n_frames: int = 30) -> np.ndarray:
    """The same ``(J, 3)`` pose in every one of ``n_frames`` frames."""
    return np.repeat(pose[None], n_frames, axis=0)


def with_bent_knees(pose: np.ndarray) -> np.ndarray:
    """Thighs horizontal forward, shanks vertical: knees at a right angle."""
    bent = pose.copy()
    for hip, knee, ankle in ((11, 13, 15), (12, 14, 16)):
        bent[knee] = bent[hip] + [0.42, 0.0, 0.0]
        bent[ankle] = bent[knee] + [0.0, 0.0, -0.42]
    return bent


def test_straight_leg_has_no_knee_flexion_and_a_right_angle_reads_90():
    straight = compute_kinematics(hold(STANDING), COCO17, FPS)
    bent = compute_kinematics(hold(with_bent_knees(STANDING)), COCO17, FPS)
    for side in ("left", "right"):
        assert straight[f"{side}_knee_flexion_deg"].to_numpy() == pytest.approx(0.0, abs=1e-3)
        assert bent[f"{side}_knee_flexion_deg"].to_numpy() == pytest.approx(90.0, abs=1e-3)
        assert straight[f"{side}_elbow_flexion_deg"].to_numpy() == pytest.approx(0.0, abs=1e-3)
        # hanging arms, vertical, against a trunk side that narrows from shoulders to hips
        assert straight[f"{side}_shoulder_elevation_deg"].to_numpy() == pytest.approx(10.2, abs=0.1)
        assert bent[f"{side}_hip_flexion_deg"].to_numpy() == pytest.approx(90.0, abs=15.0)
    assert straight["trunk_inclination_deg"].to_numpy() == pytest.approx(0.0, abs=1e-3)


def test_handstand_is_inverted_and_keeps_its_joint_angles():
    upside_down = Rotation.from_euler("y", 180, degrees=True).apply(STANDING) + [0.0, 0.0, 1.75]
    upright = compute_kinematics(hold(STANDING), COCO17, FPS)
    handstand = compute_kinematics(hold(upside_down), COCO17, FPS)
    assert handstand["trunk_inclination_deg"].to_numpy() == pytest.approx(180.0, abs=1e-3)
    assert handstand["left_knee_flexion_deg"].to_numpy() == pytest.approx(0.0, abs=1e-3)
    for column in ANGLE_COLUMNS[:-1]:
        assert handstand[column].to_numpy() == pytest.approx(upright[column].to_numpy(), abs=1e-6), column


@pytest.mark.parametrize("seed", range(5))
def test_joint_angles_do_not_change_when_the_body_is_rotated(seed):
    rotation = Rotation.random(random_state=seed)
    pose = with_bent_knees(STANDING)
    pose[9] = pose[7] + [0.25, 0.0, 0.05]  # left forearm raised: a bent elbow
    original = compute_kinematics(hold(pose), COCO17, FPS)
    rotated = compute_kinematics(hold(rotation.apply(pose)), COCO17, FPS)
    for column in ANGLE_COLUMNS[:-1]:
        assert rotated[column].to_numpy() == pytest.approx(original[column].to_numpy(), abs=1e-6), column
    assert original["left_elbow_flexion_deg"].iloc[0] > 60.0


def test_tucked_salto_keeps_knee_angle_while_trunk_goes_through_180():
    n_frames = 61
    pitch = np.linspace(0.0, 360.0, n_frames)  # one turn in two seconds
    tucked = with_bent_knees(STANDING) - [0.0, 0.0, 1.0]
    poses = np.stack([Rotation.from_euler("y", p, degrees=True).apply(tucked) for p in pitch]) + [0, 0, 2.0]
    kinematics = compute_kinematics(poses, COCO17, FPS)
    assert kinematics["left_knee_flexion_deg"].to_numpy() == pytest.approx(90.0, abs=1.0)
    assert kinematics["trunk_inclination_deg"].max() == pytest.approx(180.0, abs=3.0)
    assert kinematics["trunk_inclination_deg"].iloc[[0, -1]].to_numpy() == pytest.approx(0.0, abs=3.0)


def test_angular_velocity_is_in_degrees_per_second():
    n_frames = 31
    flexion = np.linspace(0.0, 90.0, n_frames)  # 90 degrees in one second
    poses = hold(STANDING, n_frames)
    for knee, ankle in ((13, 15), (14, 16)):
        shank = 0.42 * np.stack([np.sin(np.radians(-flexion)), 0 * flexion, -np.cos(np.radians(flexion))], axis=1)
        poses[:, ankle] = poses[:, knee] + shank
    kinematics = compute_kinematics(poses, COCO17, FPS)
    assert kinematics["left_knee_flexion_deg"].iloc[-1] == pytest.approx(90.0, abs=0.5)
    assert kinematics["right_knee_flexion_velocity_deg_s"].to_numpy() == pytest.approx(90.0, abs=1.0)
    assert kinematics["left_elbow_flexion_velocity_deg_s"].to_numpy() == pytest.approx(0.0, abs=1e-6)


def test_centre_of_mass_of_a_standing_athlete_is_at_hip_height():
    kinematics = compute_kinematics(hold(STANDING), COCO17, FPS)
    height = kinematics["com_height_m"].to_numpy()
    assert 0.8 < height.mean() < 1.1
    assert kinematics["com_x_m"].abs().max() < 0.05 and kinematics["com_y_m"].abs().max() < 1e-9
    assert kinematics["com_speed_m_s"].to_numpy() == pytest.approx(0.0, abs=1e-9)


def test_centre_of_mass_speed_is_the_translation_speed():
    velocity = np.array([1.2, -0.5, 0.9])  # m/s
    times = np.arange(45) / FPS
    poses = STANDING[None] + times[:, None, None] * velocity
    kinematics = compute_kinematics(poses, COCO17, FPS)
    assert kinematics["com_speed_m_s"].to_numpy() == pytest.approx(np.linalg.norm(velocity), rel=1e-6)
    rise = kinematics["com_height_m"].iloc[-1] - kinematics["com_height_m"].iloc[0]
    assert rise == pytest.approx(velocity[2] * times[-1], rel=1e-6)
    assert kinematics["time_s"].to_numpy() == pytest.approx(times)


def test_short_gaps_are_bridged_and_long_gaps_stay_empty():
    poses = hold(with_bent_knees(STANDING), 90)
    poses[20:23, 13] = np.nan   # 0.1 s: interpolated
    poses[50:70, 14] = np.nan   # 0.67 s: left empty
    kinematics = compute_kinematics(poses, COCO17, FPS)
    left, right = kinematics["left_knee_flexion_deg"], kinematics["right_knee_flexion_deg"]
    assert left.notna().all() and left.to_numpy() == pytest.approx(90.0, abs=1e-3)
    assert right.iloc[50:70].isna().all()
    assert right.drop(range(50, 70)).to_numpy() == pytest.approx(90.0, abs=1e-3)
    assert kinematics["com_height_m"].iloc[50:70].isna().all()
    assert kinematics["com_height_m"].iloc[:50].notna().all()


def test_other_layouts_by_joint_name_and_missing_joints_give_empty_curves():
    body25_pose = np.zeros((30, BODY25.n_joints, 3))
    for coco_index, name in enumerate(COCO17.joint_names):
        side, _, part = name.partition("_")
        openpose = (side[0].upper() + part.capitalize()) if part else side.capitalize()
        body25_pose[:, BODY25.index(openpose)] = with_bent_knees(STANDING)[coco_index]
    body25 = compute_kinematics(body25_pose, BODY25, FPS)
    assert body25["left_knee_flexion_deg"].to_numpy() == pytest.approx(90.0, abs=1e-3)

    no_arms = Skeleton("legs", ("left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle"),
                       ((0, 2), (2, 4), (1, 3), (3, 5), (0, 1)))
    legs = compute_kinematics(hold(with_bent_knees(STANDING)[11:]), no_arms, FPS)
    assert legs["right_knee_flexion_deg"].to_numpy() == pytest.approx(90.0, abs=1e-3)
    assert legs["left_elbow_flexion_deg"].isna().all() and legs["com_height_m"].isna().all()


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match=r"shape \(T, 17, 3\)"):
        compute_kinematics(np.zeros((10, 12, 3)), COCO17, FPS)
    with pytest.raises(ValueError, match="fps must be positive"):
        compute_kinematics(hold(STANDING), COCO17, 0.0)


def test_every_curve_group_names_columns_of_the_table():
    kinematics = compute_kinematics(hold(STANDING), COCO17, FPS)
    for group in CURVE_GROUPS:
        assert set(group.columns) <= set(kinematics.columns), group.name


def test_csv_round_trip(tmp_path):
    poses = hold(with_bent_knees(STANDING), 60)
    poses[10:40, 13] = np.nan
    kinematics = compute_kinematics(poses + np.random.default_rng(0).normal(0, 0.01, poses.shape), COCO17, FPS)
    path = write_kinematics_csv(kinematics, tmp_path / "out" / "kinematics.csv")
    assert [p.name for p in path.parent.iterdir()] == ["kinematics.csv"]
    read = pd.read_csv(path)
    pd.testing.assert_frame_equal(read, kinematics, check_exact=False, rtol=1e-7, atol=1e-9)
    assert read["left_knee_flexion_deg"].iloc[10:40].isna().all()
