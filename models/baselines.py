"""Ridge regression on kinematic features: the non-deep baseline on the same split.

Features per take: joint angles (knees, elbows, hips, shoulders, trunk lean) and
the root's height and travel, summarised over time (mean, std, min, max), plus
the log duration; each also as its difference from the mean of the action's
exemplars. Computed from the backbone input (root-centred, scale-normalised).
"""

from __future__ import annotations

import numpy as np

from models.data import LibraryData, exemplars_by_action
from models.evaluate import score_metrics, spearman

_ANGLES = (  # (a, vertex, b) by COCO-17 joint name
    ("left_hip", "left_knee", "left_ankle"), ("right_hip", "right_knee", "right_ankle"),
    ("left_shoulder", "left_elbow", "left_wrist"), ("right_shoulder", "right_elbow", "right_wrist"),
    ("left_shoulder", "left_hip", "left_knee"), ("right_shoulder", "right_hip", "right_knee"),
    ("left_hip", "left_shoulder", "left_elbow"), ("right_hip", "right_shoulder", "right_elbow"),
)


def kinematic_features(data: LibraryData) -> np.ndarray:
    """Per-take summary features ``(N, F)`` (see the module docstring)."""
    names = data.skeleton.joint_names
    positions = data.features[:, 0:3].transpose(0, 2, 3, 1)  # (N, S, J, 3)
    travel = data.features[:, 6:9, :, 0].transpose(0, 2, 1)  # (N, S, 3)
    tracks = []
    for a, vertex, b in _ANGLES:
        u = positions[:, :, names.index(a)] - positions[:, :, names.index(vertex)]
        v = positions[:, :, names.index(b)] - positions[:, :, names.index(vertex)]
        cosine = (u * v).sum(-1) / (np.linalg.norm(u, axis=-1) * np.linalg.norm(v, axis=-1) + 1e-9)
        tracks.append(np.degrees(np.arccos(np.clip(cosine, -1, 1))))
    shoulders = 0.5 * (positions[:, :, names.index("left_shoulder")] + positions[:, :, names.index("right_shoulder")])
    tracks.append(np.degrees(np.arccos(np.clip(shoulders[..., 2] / (np.linalg.norm(shoulders, axis=-1) + 1e-9), -1, 1))))
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
