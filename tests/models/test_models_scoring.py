"""Scoring models: features, network shapes, training, checkpoints, scorer, CLI."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.motion.skeleton import COCO17
from analysis.session.library import Library
from app.cli.scoring import read_exemplar, scoring_exemplars
from models.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from models.config import preset
from models.data import (
    athlete_split,
    epoch_pairs,
    exemplars_by_action,
    fault_free_rows,
)
from models.features import (
    JointRoles,
    mirror_features,
    pose_features,
    to_original_frames,
)
from models.graph import partitioned_adjacency
from models.scorer import Exemplar, Scorer
from models.train import train
from tests.helpers import TINY_TRAINING

REPO = Path(__file__).resolve().parents[2]


def _exemplars(library: Library, take, k: int) -> list[Exemplar]:
    """The poses of the ``k`` exemplars ``take`` (a library index row) is scored against."""
    chosen = scoring_exemplars(library, library.path_of(take.file), take.take, take.action, take.event, k)
    return [read_exemplar(library, row.file, row.take, row.score, "pose3d") for row in chosen.itertuples()]


def test_adjacency_comes_from_the_skeleton_edges():
    adjacency = partitioned_adjacency(COCO17.n_joints, COCO17.edges)
    assert adjacency.shape == (2, 17, 17)
    knee, ankle, nose = COCO17.index("left_knee"), COCO17.index("left_ankle"), COCO17.index("nose")
    assert adjacency[1, knee, ankle] > 0 and adjacency[1, knee, nose] == 0
    np.testing.assert_allclose(adjacency[1], adjacency[1].T)


def test_features_fill_missing_joints_and_keep_a_fixed_length():
    rng = np.random.default_rng(0)
    pose = rng.normal(size=(97, 17, 3)).astype(np.float32)
    pose[10:20, 3] = np.nan
    pose[:, 0] = np.nan
    features = pose_features(pose, JointRoles.from_joint_names(COCO17.joint_names), 32)
    assert features.shape == (12, 32, 17)
    assert pose_features(pose, JointRoles.from_joint_names(COCO17.joint_names), 32, angles=False).shape == (10, 32, 17)
    assert np.isfinite(features).all()
    # Root-centred: the hip midpoint sits at the origin in every step.
    hips = 0.5 * (features[:3, :, 11] + features[:3, :, 12])
    np.testing.assert_allclose(hips, 0.0, atol=1e-5)
    heat = to_original_frames(np.array([[0.0, 1.0, 0.0]]), 5)
    np.testing.assert_allclose(heat, [[0.0, 0.5, 1.0, 0.5, 0.0]])


def standing_pose(knee_bend_deg: float, lean_deg: float, size: float = 1.0) -> np.ndarray:
    """A COCO-17 pose (40, 17, 3): left knee bent by ``knee_bend_deg``, trunk leaning forward."""
    pose = np.zeros((17, 3))
    lean = np.radians(lean_deg)
    for side, x in (("left", -0.1), ("right", 0.1)):
        pose[COCO17.index(f"{side}_hip")] = [x, 0.0, 0.9]
        pose[COCO17.index(f"{side}_knee")] = [x, 0.0, 0.5]
        pose[COCO17.index(f"{side}_ankle")] = [x, 0.0, 0.1]
        pose[COCO17.index(f"{side}_shoulder")] = [x * 1.8, 0.5 * np.sin(lean), 0.9 + 0.5 * np.cos(lean)]
        pose[COCO17.index(f"{side}_elbow")] = pose[COCO17.index(f"{side}_shoulder")] - [0.0, 0.0, 0.3]
        pose[COCO17.index(f"{side}_wrist")] = pose[COCO17.index(f"{side}_elbow")] - [0.0, 0.0, 0.25]
    bend = np.radians(knee_bend_deg)
    pose[COCO17.index("left_ankle")] = pose[COCO17.index("left_knee")] + 0.4 * np.array([0.0, -np.sin(bend), -np.cos(bend)])
    pose[:5] = pose[COCO17.index("left_shoulder")] + [0.1, 0.0, 0.25]
    return np.repeat(pose[None] * size, 40, axis=0)


def test_angle_channels_measure_flexion_and_lean_whatever_the_body_size():
    roles = JointRoles.from_joint_names(COCO17.joint_names)
    features = pose_features(standing_pose(90.0, 30.0), roles, 32)
    flexion, lean = features[-2], features[-1]
    np.testing.assert_allclose(flexion[:, COCO17.index("left_knee")], np.pi / 2, atol=1e-3)
    np.testing.assert_allclose(flexion[:, COCO17.index("right_knee")], 0.0, atol=1e-3)
    np.testing.assert_allclose(flexion[:, COCO17.index("nose")], 0.0)  # no hinge there
    np.testing.assert_allclose(lean, np.radians(30.0), atol=1e-3)
    # A bigger athlete in the same posture has the same angles.
    np.testing.assert_allclose(pose_features(standing_pose(90.0, 30.0, size=1.3), roles, 32)[-2:], features[-2:],
                               atol=1e-4)


def test_features_ignore_the_heading_and_mirror_like_the_body():
    rng = np.random.default_rng(1)
    roles = JointRoles.from_joint_names(COCO17.joint_names)
    pose = rng.normal(scale=0.3, size=(60, 17, 3)) + np.array([0.0, 0.0, 1.0])
    pose[:, COCO17.index("left_hip")] += [-0.1, 0.0, 0.0]
    pose[:, COCO17.index("right_hip")] += [0.1, 0.0, 0.0]
    pose[:, COCO17.index("left_shoulder")] += [-0.2, 0.0, 0.5]
    pose[:, COCO17.index("right_shoulder")] += [0.2, 0.0, 0.5]
    pose += np.linspace(0.0, 2.0, 60)[:, None, None] * np.array([0.6, 0.8, 0.0])  # travelling
    features = pose_features(pose, roles, 32)
    turn = np.array([[np.cos(2.0), -np.sin(2.0), 0.0], [np.sin(2.0), np.cos(2.0), 0.0], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(pose_features(pose @ turn.T, roles, 32), features, atol=1e-4)
    # The world mirror image of the take (X negated, left and right swapped) gives the mirrored features.
    flip = COCO17.flip_permutation()
    mirrored_pose = pose[:, flip] * np.array([-1.0, 1.0, 1.0])
    np.testing.assert_allclose(pose_features(mirrored_pose, roles, 32), mirror_features(features, flip, 3), atol=1e-4)
    np.testing.assert_allclose(mirror_features(mirror_features(features, flip, 3), flip, 3), features)


def test_split_keeps_test_athletes_unseen_and_pairs_share_takes(tiny_data):
    index = tiny_data.index
    split = athlete_split(index)
    assert not set(split.test) & set(split.train)
    exemplars = exemplars_by_action(index)
    rows = index["row"].to_numpy()
    targets, partners = epoch_pairs(index, rows, exemplars, "mixed", 0, 10, np.random.default_rng(0),
                                    partners_per_take=2, group_size=3)
    assert (index["action"].to_numpy()[targets] == index["action"].to_numpy()[partners]).all()
    assert index["is_exemplar"].to_numpy()[partners].all()
    # Every take is a target, meeting min(2, exemplars of its action) distinct exemplars.
    for row in rows:
        met = partners[targets == row]
        assert len(met) == len(set(met)) == min(2, len(exemplars[index["action"].iloc[row]]))


def test_fault_free_trainee_takes_can_join_the_references():
    index = pd.DataFrame({"action": ["a"] * 5, "is_exemplar": [True, False, False, False, False],
                          "file": ["e", "t1", "t1", "t2", "t3"], "take": ["1", "1", "2", "1", "1"], "level": 1,
                          "row": np.arange(5)})
    labels = np.array([[0, 0], [0, 0], [1, 0], [0, 0], [0, 1]], dtype=np.float32)
    clean = fault_free_rows(index, labels, np.array([0, 1, 2, 4]))   # row 3 is not a training take
    assert clean.tolist() == [1]
    assert exemplars_by_action(index)["a"].tolist() == [0]
    assert exemplars_by_action(index, clean)["a"].tolist() == [0, 1]
    targets, partners = epoch_pairs(index, np.arange(1, 5), exemplars_by_action(index, clean), "mixed", 0, 1,
                                    np.random.default_rng(0), partners_per_take=2)
    assert set(partners) == {0, 1} and len(targets) == 8


def test_curriculum_introduces_levels_in_order():
    index = pd.DataFrame({"action": ["hard", "hard", "easy", "easy", "hard", "easy"], "level": [2, 2, 1, 1, 2, 1],
                          "row": np.arange(6)})
    exemplars = {"hard": np.array([0]), "easy": np.array([2])}
    rows = np.array([1, 3, 4, 5])
    first, _ = epoch_pairs(index, rows, exemplars, "curriculum", 0, 10, np.random.default_rng(0))
    assert sorted(first) == [3, 5]
    later, _ = epoch_pairs(index, rows, exemplars, "curriculum", 9, 10, np.random.default_rng(0))
    assert list(index["level"].to_numpy()[later]) == [1, 1, 2, 2]
    mixed = [tuple(index["level"].to_numpy()[epoch_pairs(index, rows, exemplars, "mixed", 9, 10,
                                                          np.random.default_rng(seed))[0]]) for seed in range(8)]
    assert len(set(mixed)) > 1


def test_network_outputs_have_the_documented_shapes(tiny_model, tiny_data):
    network = tiny_model.network
    batch = torch.from_numpy(tiny_data.features[:3])
    pairs = torch.arange(3)
    score, logits = network(batch, pairs, pairs.flip(0))
    assert score.shape == (3,)
    assert logits.shape == (3, len(tiny_model.head_codes), (TINY_TRAINING.n_steps + 1) // 2)
    assert tiny_model.head_codes == tuple(load_penalty_catalogue())


def test_the_same_seed_trains_the_same_weights(tiny_data):
    settings = dataclasses.replace(TINY_TRAINING, epochs=1)
    first, again = (train(tiny_data, settings, seed=5, device="cpu", log=lambda line: None) for _ in range(2))
    other = train(tiny_data, settings, seed=6, device="cpu", log=lambda line: None)
    weights = [model.network.state_dict() for model in (first, again, other)]
    assert all(torch.equal(weights[0][name], weights[1][name]) for name in weights[0])
    assert not all(torch.equal(weights[0][name], weights[2][name]) for name in weights[0])


def test_checkpoint_round_trip_gives_identical_outputs(tiny_model, tiny_model_file, tiny_data):
    loaded = load_checkpoint(tiny_model_file)
    batch = torch.from_numpy(tiny_data.features[:4])
    pairs = torch.arange(4)
    tiny_model.network.eval()
    with torch.no_grad():
        before = tiny_model.network(batch, pairs, pairs.flip(0))
        after = loaded.network(batch, pairs, pairs.flip(0))
    assert torch.equal(before[0], after[0]) and torch.equal(before[1], after[1])
    assert loaded.metadata["skeleton"]["joint_names"] == list(COCO17.joint_names)
    assert [item["code"] for item in loaded.metadata["penalty_catalogue"]] == list(load_penalty_catalogue())


def test_exemplar_against_itself_predicts_its_own_score(tiny_model_file, tiny_library):
    scorer = Scorer.load(tiny_model_file, device="cpu")
    library = Library.scan(tiny_library)
    for row in library.index[library.index["is_exemplar"]].head(6).itertuples():
        with library.open(row.file) as session:
            pose = session.pose3d(row.take)
        exemplar = Exemplar(f"{row.file}:{row.take}", pose, None, float(row.score))
        result = scorer.score(pose, None, [exemplar])
        assert abs(result.score - row.score) <= 0.3
        assert result.heatmap.shape == (len(scorer.penalty_codes), row.n_frames)


def test_a_mirrored_performance_scores_the_same(tiny_model_file, tiny_library):
    # Each pair is scored as it is and mirrored, so leading with the other side changes nothing.
    scorer = Scorer.load(tiny_model_file, device="cpu")
    library = Library.scan(tiny_library)
    row = next(r for r in library.index[~library.index["is_exemplar"]].itertuples() if r.score < 9.5)
    flip, world_mirror = COCO17.flip_permutation(), np.array([-1.0, 1.0, 1.0])
    with library.open(row.file) as session:
        pose = session.pose3d(row.take)
    exemplars = _exemplars(library, row, 3)
    mirrored = [Exemplar(e.key + ":mirrored", e.pose3d[:, flip] * world_mirror, None, e.score) for e in exemplars]
    as_performed = scorer.score(pose, None, exemplars)
    other_side = scorer.score(pose[:, flip] * world_mirror, None, mirrored)
    assert other_side.score == pytest.approx(as_performed.score, abs=1e-3)
    np.testing.assert_allclose(other_side.penalty_probabilities, as_performed.penalty_probabilities, atol=1e-3)


def test_penalty_heatmap_peaks_inside_the_injected_span(tiny_library):
    # The shipped model (trained on a 48-athlete library, seed 1560) on athletes it never saw (seed 3).
    scorer = Scorer.load(device="cpu")
    library = Library.scan(tiny_library)
    hits, chance, count = 0, 0.0, 0
    for row in library.index[~library.index["is_exemplar"]].itertuples():
        exemplars = _exemplars(library, row, 5)
        with library.open(row.file) as session:
            pose, penalties = session.pose3d(row.take), session.penalties(row.take)
        if not len(penalties.codes) or not exemplars:
            continue
        result = scorer.score(pose, None, exemplars)
        for code, start, end in zip(penalties.codes, penalties.start, penalties.end):
            peak = int(np.argmax(result.heatmap[scorer.penalty_codes.index(code)]))
            hits += int(start <= peak <= end)
            chance += (end - start + 1) / row.n_frames
            count += 1
    assert count >= 10
    assert hits > chance + 0.1 * count, f"{hits} of {count} peaks inside the span; chance {chance:.1f}"


def test_foreign_and_damaged_checkpoints_give_clear_errors(tmp_path, tiny_model_file):
    garbage = tmp_path / "garbage.pt"
    garbage.write_bytes(b"this is not a checkpoint")
    with pytest.raises(CheckpointError, match="garbage.pt is not a scoring model checkpoint"):
        load_checkpoint(garbage)
    foreign = tmp_path / "foreign.pt"
    torch.save({"model": torch.zeros(3)}, foreign)
    with pytest.raises(CheckpointError, match="expected format 'lucid-scorer'"):
        load_checkpoint(foreign)
    pickled = tmp_path / "object.pt"
    torch.save(argparse.Namespace(a=1), pickled)
    with pytest.raises(CheckpointError, match="cannot be read as a plain torch weights file"):
        load_checkpoint(pickled)
    payload = torch.load(tiny_model_file, weights_only=True)
    payload["state_dict"].pop(next(iter(payload["state_dict"])))
    damaged = tmp_path / "damaged.pt"
    torch.save(payload, damaged)
    with pytest.raises(CheckpointError, match="damaged.pt is a damaged scoring model checkpoint"):
        load_checkpoint(damaged)
    payload = torch.load(tiny_model_file, weights_only=True)
    payload["format_version"] = 1
    old = tmp_path / "old.pt"
    torch.save(payload, old)
    with pytest.raises(CheckpointError, match="old.pt has checkpoint format version 1, made by an older version"):
        load_checkpoint(old)
    with pytest.raises(FileNotFoundError, match="model checkpoint not found"):
        load_checkpoint(tmp_path / "missing.pt")


def test_version_2_checkpoints_load_as_models_without_angle_channels(tmp_path, tiny_data):
    # Version 2 had no angle channels and no "angles" setting: such a file still loads and scores.
    with pytest.raises(ValueError, match="holds 12 channels x 32 steps per joint, the settings need 10 x 32"):
        train(tiny_data, preset("tiny", angles=False), seed=0, device="cpu", log=lambda line: None)
    without_angles = dataclasses.replace(tiny_data, features=tiny_data.features[:, :10])
    model = train(without_angles, preset("tiny", epochs=1, angles=False), seed=0, device="cpu", log=lambda line: None)
    payload = torch.load(save_checkpoint(tmp_path / "new.pt", model), weights_only=True)
    payload["format_version"] = 2
    del payload["config"]["angles"]
    torch.save(payload, tmp_path / "v2.pt")
    loaded = load_checkpoint(tmp_path / "v2.pt")
    assert loaded.config.angles is False
    with torch.no_grad():
        inputs = torch.from_numpy(without_angles.features[:2])
        score, _ = loaded.network(inputs, torch.arange(2), torch.arange(2).flip(0))
    assert torch.isfinite(score).all()


def test_torchrun_trains_with_two_cpu_processes(tiny_library, tmp_path):
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent))
    assert torchrun is not None, "torchrun is missing from the environment"
    out = tmp_path / "ddp.pt"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [torchrun, "--standalone", "--nproc_per_node=2", str(REPO / "main.py"), "train", "--library",
         str(tiny_library), "--out", str(out), "--preset", "tiny", "--epochs", "3", "--device", "cpu"],
        capture_output=True, text=True, timeout=180, env=env, cwd=REPO)
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "2 process(es)" in completed.stdout
    assert load_checkpoint(out).metadata["training"]["processes"] == 2
