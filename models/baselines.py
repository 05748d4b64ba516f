"""Ridge regression on kinematic features: the non-deep baseline on the same split.

Features per take: the joint angles of :func:`analysis.motion.kinematics.joint_angles`
(knees, hips, elbows, shoulders, trunk inclination) and the root's height and
travel, summarised over time (mean, std, min, max), plus the log duration; each
also as its difference from the mean of the action's exemplars. Computed from
the backbone input (root-centred, scale-normalised).
"""

from __future__ import annotations

import numpy as np

from analysis.motion.kinematics import ANGLE_COLUMNS, joint_angles
from models.data import LibraryData, exemplars_by_action
from models.evaluate import score_metrics, spearman


def kinematic_features(data: LibraryData) -> np.ndarray:
    """Per-take summary features ``(N, F)`` (see the module docstring)."""
    n_takes, _, n_steps, n_joints = data.features.shape
    positions = data.features[:, 0:3].transpose(0, 2, 3, 1).astype(np.float64)  # (N, S, J, 3)
    travel = data.features[:, 6:9, :, 0].transpose(0, 2, 1)  # (N, S, 3)
    angles = joint_angles(positions.reshape(n_takes * n_steps, n_joints, 3), data.skeleton)
    tracks = [angles[column].reshape(n_takes, n_steps) for column in ANGLE_COLUMNS]
    tracks += [travel[..., 2], np.linalg.norm(travel[..., :2], axis=-1)]
    stacked = np.stack(tracks, axis=1)  # (N, A, S)
    summary = np.concatenate([stacked.mean(-1), stacked.std(-1), stacked.min(-1), stacked.max(-1),
                              data.features[:, 9, :1, 0]], axis=1)
    reference = np.zeros_like(summary)
    table = exemplars_by_action(data.index)
    for row, action in zip(data.index["row"], data.index["action"]):
        if action in table:
            reference[row] = summary[table[action]].mean(axis=0)
    return np.concatenate([summary, summary - reference], axis=1)


def fit_ridge(features: np.ndarray, targets: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Closed-form ridge on standardised features; returns (mean, scale, weights with bias last)."""
    mean, scale = features.mean(0), features.std(0) + 1e-9
    design = np.hstack([(features - mean) / scale, np.ones((len(features), 1))])
    penalty = alpha * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0
    weights = np.linalg.solve(design.T @ design + penalty, design.T @ targets)
    return mean, scale, weights


def predict_ridge(model: tuple[np.ndarray, np.ndarray, np.ndarray], features: np.ndarray) -> np.ndarray:
    mean, scale, weights = model
    return np.hstack([(features - mean) / scale, np.ones((len(features), 1))]) @ weights


def ridge_baseline(data: LibraryData, train_rows: np.ndarray, validation_rows: np.ndarray, test_rows: np.ndarray,
                   alphas: tuple[float, ...] = (0.1, 1.0, 10.0, 100.0, 1000.0)) -> dict:
    """Fit on ``train_rows``, pick alpha by validation ρ, report :func:`score_metrics` on ``test_rows``."""
    features = kinematic_features(data)
    scores = data.index["score"].to_numpy(float)
    best = max(alphas, key=lambda a: np.nan_to_num(spearman(
        predict_ridge(fit_ridge(features[train_rows], scores[train_rows], a), features[validation_rows]),
        scores[validation_rows]), nan=-1.0))
    model = fit_ridge(features[train_rows], scores[train_rows], best)
    metrics = score_metrics(predict_ridge(model, features[test_rows]), scores[test_rows])
    metrics["alpha"] = best
    return metrics
