"""How well the penalty heads find each item and where it happens: per item AUC, and the temporal IoU
between the predicted span (:func:`analysis.penalty_review.predicted_span`, the one definition the
review, the report and ``score`` share) and the injected span.

Numpy and scipy only (no torch). Spans are ``(start, end)`` frames, end exclusive, -1 unknown, as in
the session file.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from analysis.penalty_review import PROPOSAL_THRESHOLD, SPAN_LEVEL, predicted_span
from models.features import to_original_frames


def item_spans(heatmap: np.ndarray, level: float = SPAN_LEVEL) -> np.ndarray:
    """The predicted span of every item of a heatmap ``(H, T)``: ``(H, 2)`` int, end exclusive (-1, -1 none);
    ``level`` is :func:`~analysis.penalty_review.predicted_span`'s threshold."""
    return np.array([predicted_span(row, level) for row in np.asarray(heatmap)], dtype=np.int64).reshape(-1, 2)


def temporal_iou(predicted: tuple[int, int], truth: tuple[int, int]) -> float:
    """Intersection over union of two frame spans, end exclusive (0 when either is unknown, i.e. negative)."""
    if min(*predicted, *truth) < 0:
        return 0.0
    overlap = min(predicted[1], truth[1]) - max(predicted[0], truth[0])
    union = max(predicted[1], truth[1]) - min(predicted[0], truth[0])
    return max(overlap, 0) / union if union > 0 else 0.0


def item_auc(probabilities: np.ndarray, present: np.ndarray) -> float:
    """ROC AUC of take-level probabilities ``(N,)`` against presence ``(N,)`` (NaN with one class only).

    The Mann–Whitney form: the chance that a take with the item scores above one
    without it, ties counting a half.
    """
    present = np.asarray(present, dtype=bool)
    n_present, n_absent = int(present.sum()), int((~present).sum())
    if n_present == 0 or n_absent == 0:
        return float("nan")
    ranks = rankdata(np.asarray(probabilities, dtype=float))
    return float((ranks[present].sum() - n_present * (n_present + 1) / 2) / (n_present * n_absent))


def penalty_metrics(step_probabilities: np.ndarray, codes: tuple[str, ...], labels: np.ndarray,
                    spans: list[dict[str, tuple[int, int]]], n_frames: np.ndarray,
                    threshold: float = PROPOSAL_THRESHOLD, span_level: float = SPAN_LEVEL) -> dict:
    """How well the heads find each penalty item and where it happens.

    Parameters
    ----------
    step_probabilities : numpy.ndarray, shape (N, H, S)
        Per resampled step probability of each item (the take's is the max over steps).
    codes : tuple of str
        The H item codes.
    labels : numpy.ndarray, shape (N, H)
        1 where the take carries the item.
    spans : list of dict, length N
        Per take, item code to its injected (start, end) frames (end exclusive, -1 unknown).
    n_frames : numpy.ndarray of int, shape (N,)
    threshold : float
        A present item counts as detected when its take-level probability reaches this.
    span_level : float
        The predicted spans' level (:func:`item_spans`).

    Returns
    -------
    dict
        ``items``: per code ``auc``, ``n_present``, ``n_detected`` (present and
        detected, with a known span) and ``mean_iou`` over those (NaN for none);
        ``mean_iou``: over every detected fault of every item; ``n_detected``.
    """
    take_probabilities = step_probabilities.max(axis=-1)
    ious: dict[str, list[float]] = {code: [] for code in codes}
    for row in range(len(step_probabilities)):
        detected = [h for h, code in enumerate(codes) if labels[row, h] > 0 and code in spans[row]
                    and min(spans[row][code]) >= 0 and take_probabilities[row, h] >= threshold]
        if not detected:
            continue
        heatmap = to_original_frames(step_probabilities[row, detected], int(n_frames[row]))
        for h, span in zip(detected, item_spans(heatmap, span_level)):
            ious[codes[h]].append(temporal_iou(tuple(span), spans[row][codes[h]]))
    items = {code: {"auc": item_auc(take_probabilities[:, h], labels[:, h] > 0),
                    "n_present": int(np.sum(labels[:, h] > 0)), "n_detected": len(ious[code]),
                    "mean_iou": float(np.mean(ious[code])) if ious[code] else float("nan")}
             for h, code in enumerate(codes)}
    every = [value for values in ious.values() for value in values]
    return {"items": items, "mean_iou": float(np.mean(every)) if every else float("nan"), "n_detected": len(every)}
