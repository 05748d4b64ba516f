"""Time-warp augmentation of backbone inputs, and training with it."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from analysis.motion.skeleton import COCO17
from models.augment import random_paces, time_warp
from models.config import preset
from models.features import JointRoles, pose_features
from models.train import train
from tests.helpers import TINY_TRAINING


def test_random_paces_keep_the_take_length():
    pace = random_paces(np.random.default_rng(0), 5, 32, 0.3)
    assert pace.shape == (5, 31) and (pace > 0).all()
    np.testing.assert_allclose(pace.sum(axis=1), 31.0)
    assert np.ptp(pace) > 0.1


def test_time_warp_replays_a_take_at_the_given_pace():
    steps = np.arange(32, dtype=np.float32)
    features = torch.from_numpy(np.broadcast_to(steps[None, None, :, None], (2, 12, 32, 17)).copy())
    even = torch.ones(2, 31)
    torch.testing.assert_close(time_warp(features, even, 3), features)
    # Twice as fast over the first half, then slower: step 10 shows source step 20.
    pace = torch.as_tensor(np.concatenate([np.full(10, 2.0), np.full(21, 11.0 / 21.0)]))[None].repeat(2, 1)
    warped = time_warp(features, pace, 3)
    assert float(warped[0, 0, 10, 0]) == 20.0 and float(warped[0, 0, -1, 0]) == 31.0
    assert float(warped[0, 3, 5, 0]) == 20.0        # velocity (source value 10) twice as fast
    assert float(warped[0, 9, 5, 0]) == 10.0        # duration: the source value, unscaled


def test_time_warp_of_real_features_stays_in_range():
    rng = np.random.default_rng(2)
    pose = np.cumsum(rng.normal(scale=0.01, size=(80, 17, 3)), axis=0) + rng.uniform(0, 1.5, size=(1, 17, 3))
    features = torch.from_numpy(pose_features(pose, JointRoles.from_joint_names(COCO17.joint_names), 32))[None]
    warped = time_warp(features, torch.as_tensor(random_paces(rng, 1, 32, 0.3)), 3)
    assert torch.isfinite(warped).all()
    positions = features[:, :3]
    assert float(warped[:, :3].min()) >= float(positions.min()) - 1e-5
    assert float(warped[:, :3].max()) <= float(positions.max()) + 1e-5


def test_training_with_warped_exemplars_and_clean_references(tiny_data):
    config = dataclasses.replace(TINY_TRAINING, epochs=1, warp_exemplars=0.3, clean_references=True)
    model = train(tiny_data, config, seed=0, device="cpu", log=lambda _line: None)
    assert model.config.warp_exemplars == 0.3 and model.config.clean_references
    assert np.isfinite(model.metadata["metrics"]["validation"]["spearman"])


def test_the_measured_variants_differ_from_the_shipped_recipe_in_one_setting():
    shipped = preset("shipped")
    assert preset("shipped-cleanrefs") == dataclasses.replace(shipped, clean_references=True)
    assert preset("shipped-warp") == dataclasses.replace(shipped, warp_exemplars=0.2)
