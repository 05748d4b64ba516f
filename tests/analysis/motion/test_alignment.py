"""Time alignment of takes (DTW on pose features), the ghost placement and the per-phase deviations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from analysis.catalogue.apparatus import apparatus_for
from analysis.motion.alignment import (
    align_exemplar_pose,
    align_takes,
    facing_yaw,
    pose_features,
)
from analysis.motion.skeleton import COCO17
from analysis.synthetic.actions import load_actions
from analysis.synthetic.athletes import make_athletes
from analysis.synthetic.motion import synthesize_take

ACTIONS = {action.code: action for action in load_actions()}
ATHLETES = {athlete.sex: athlete for athlete in make_athletes(2, np.random.default_rng(7))}


def clean_take(code: str, seed: int = 3) -> np.ndarray:
    action = ACTIONS[code]
    return synthesize_take(action, ATHLETES[action.sex], apparatus_for(action.event), [], seed=seed).pose3d


def warped(pose: np.ndarray, n_frames: int) -> tuple[np.ndarray, np.ndarray]:
    """``pose`` resampled at a smooth monotone warp; returns the new take and, per frame, the source frame."""
    u = np.linspace(0.0, 1.0, n_frames)
    source = u + 0.25 * np.sin(2 * np.pi * u) / (2 * np.pi) + 0.1 * np.sin(np.pi * u) ** 2 * u
    source = (source - source[0]) / (source[-1] - source[0]) * (len(pose) - 1)
    assert np.all(np.diff(source) > 0)
    frames = np.arange(len(pose))
    flat = pose.reshape(len(pose), -1)
    resampled = np.stack([np.interp(source, frames, flat[:, k]) for k in range(flat.shape[1])], axis=1)
    return resampled.reshape(n_frames, *pose.shape[1:]), source


def rotated_about_z(pose: np.ndarray, degrees: float, shift: tuple[float, float, float]) -> np.ndarray:
    return Rotation.from_euler("z", degrees, degrees=True).apply(pose.reshape(-1, 3)).reshape(pose.shape) + shift


def moving_frames(exemplar: np.ndarray, source: np.ndarray) -> np.ndarray:
    """Trainee frames whose source exemplar pose changes (held poses are interchangeable in time)."""
    speed = np.nanmax(np.linalg.norm(np.gradient(exemplar, axis=0), axis=-1), axis=1)
    return np.interp(source, np.arange(len(exemplar)), speed) > 0.01


@pytest.mark.parametrize("code", ["MFE-1-01", "WBB-2-02", "MVT-1-01", "MHB-3-03"])
def test_a_known_time_warp_is_recovered_within_two_frames(code):
    exemplar = clean_take(code)
    trainee, source = warped(exemplar, int(len(exemplar) * 1.3))
    trainee = rotated_about_z(trainee, 70.0, (3.0, -2.0, 0.0))

    alignment = align_takes(trainee, exemplar, COCO17)

    moving = moving_frames(exemplar, source)
    assert moving.sum() > 0.5 * len(trainee)
    error = np.abs(alignment.exemplar_frame_for - source)
    assert error[moving].max() <= 2.0
    assert alignment.exemplar_frame_for.shape == (len(trainee),)
    assert alignment.trainee_frame_for.shape == (len(exemplar),)
    assert np.all(np.diff(alignment.path, axis=0) >= 0)
    assert tuple(alignment.path[0]) == (0, 0)
    assert tuple(alignment.path[-1]) == (len(trainee) - 1, len(exemplar) - 1)


def test_a_pirouette_is_matched_by_how_far_the_body_has_turned():
    # WBB-2-02 holds one pose while it turns 360 degrees: only the turn tells the frames apart
    exemplar = clean_take("WBB-2-02")
    trainee, source = warped(exemplar, len(exemplar) + 20)
    turn = np.degrees(np.unwrap(facing_yaw(exemplar, COCO17)))
    assert turn.max() - turn.min() > 300

    alignment = align_takes(trainee, exemplar, COCO17)

    turning = np.interp(source, np.arange(len(exemplar)), np.abs(np.gradient(turn))) > 2.0
    assert turning.sum() > 10
    assert np.abs(alignment.exemplar_frame_for - source)[turning].max() <= 2.0


def test_facing_follows_a_rotation_about_z_and_ignores_a_somersault():
    take = clean_take("MFE-1-01")
    turned = rotated_about_z(take, 120.0, (1.0, 1.0, 0.0))
    difference = np.degrees(np.angle(np.exp(1j * (facing_yaw(turned, COCO17) - facing_yaw(take, COCO17)))))
    np.testing.assert_allclose(difference, 120.0, atol=1e-6)
    np.testing.assert_allclose(pose_features(turned, COCO17), pose_features(take, COCO17), atol=1e-9)


def test_a_rotated_and_translated_copy_gets_the_ghost_exactly_on_the_trainee():
    exemplar = clean_take("MVT-1-01")  # never still, so every frame has a single match
    trainee = rotated_about_z(exemplar, -135.0, (4.0, 2.5, 0.3))
    alignment = align_takes(trainee, exemplar, COCO17)
    np.testing.assert_array_equal(alignment.exemplar_frame_for, np.arange(len(exemplar)))
    assert alignment.cost == pytest.approx(0.0, abs=1e-9)

    ghost = align_exemplar_pose(exemplar, trainee, alignment.path, COCO17)

    assert np.abs(ghost - trainee).max() < 1e-9


def test_gaps_in_either_take_are_bridged():
    exemplar = clean_take("MFE-1-01")
    trainee, source = warped(exemplar, int(len(exemplar) * 1.2))
    trainee[40:46] = np.nan                              # whole frames lost
    trainee[:, COCO17.index("left_wrist")] = np.nan      # a joint never seen
    holed_exemplar = exemplar.copy()
    holed_exemplar[60:63, COCO17.index("left_hip")] = np.nan

    features = pose_features(trainee, COCO17)
    wrist_columns = slice(3 * COCO17.index("left_wrist"), 3 * COCO17.index("left_wrist") + 3)
    assert np.isnan(features[:, wrist_columns]).all()
    features[:, wrist_columns] = 0.0
    assert np.isfinite(features).all()
    alignment = align_takes(trainee, holed_exemplar, COCO17)
    ghost = align_exemplar_pose(holed_exemplar, trainee, alignment.path, COCO17)

    moving = moving_frames(exemplar, source)
    assert np.abs(alignment.exemplar_frame_for - source)[moving].max() <= 2.0
    seen_in_exemplar = np.isfinite(holed_exemplar[alignment.exemplar_frame_for])
    assert np.isfinite(ghost[seen_in_exemplar]).all()
