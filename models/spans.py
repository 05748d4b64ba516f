"""Where in time each penalty happens: spans from the per-frame penalty probabilities,
and the temporal IoU that measures them against the injected spans.

Numpy and scipy only (no torch).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import rankdata

from models.features import to_original_frames

#: A span reaches out from the heatmap's peak while the probability stays at or above this
#: share of the peak (chosen on validation athletes, see docs/benchmarks.md "Scoring (issue 15)").
SPAN_FRACTION = 0.5


def penalty_spans(heatmap: np.ndarray, fraction: float = SPAN_FRACTION) -> np.ndarray:
    """The predicted span of each penalty item: the run of frames around its peak.

    Parameters
    ----------
    heatmap : numpy.ndarray, shape (H, T)
        Probability of each of H items at each of T frames.
    fraction : float
        In (0, 1]: the span holds the frames next to the peak whose probability is
        at least ``fraction`` × the peak's, without a gap.

    Returns
    -------
    numpy.ndarray of int, shape (H, 2)
        First and last frame (inclusive) of each item's span; (-1, -1) for an item
        whose row is empty or all zero.
    """
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    heatmap = np.asarray(heatmap, dtype=float)
    if heatmap.ndim != 2:
        raise ValueError(f"heatmap must have shape (H, T), got {heatmap.shape}")
    spans = np.full((heatmap.shape[0], 2), -1, dtype=np.int64)
    for item, row in enumerate(heatmap):
        if row.size == 0 or not np.nanmax(row, initial=0.0) > 0:
            continue
        peak = int(np.nanargmax(row))
        inside = np.nan_to_num(row) >= fraction * row[peak]
        below = np.flatnonzero(~inside)
        start = below[below < peak].max() + 1 if np.any(below < peak) else 0
        end = below[below > peak].min() - 1 if np.any(below > peak) else row.size - 1
        spans[item] = (start, end)
    return spans


def temporal_iou(predicted: tuple[int, int], truth: tuple[int, int]) -> float:
    """Intersection over union of two inclusive frame spans (0 when either is unknown, i.e. negative)."""
    if min(*predicted, *truth) < 0:
        return 0.0
    overlap = min(predicted[1], truth[1]) - max(predicted[0], truth[0]) + 1
    union = max(predicted[1], truth[1]) - min(predicted[0], truth[0]) + 1
    return max(overlap, 0) / union


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
                    spans: list[dict[str, tuple[int, int]]], n_frames: np.ndarray, threshold: float = 0.5,
                    fraction: float = SPAN_FRACTION) -> dict:
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
        Per take, item code to its injected (start, end) frames (-1 unknown).
    n_frames : numpy.ndarray of int, shape (N,)
    threshold : float
        A present item counts as detected when its take-level probability reaches this.

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
        for h, span in zip(detected, penalty_spans(heatmap, fraction)):
            ious[codes[h]].append(temporal_iou(tuple(span), spans[row][codes[h]]))
    items = {code: {"auc": item_auc(take_probabilities[:, h], labels[:, h] > 0),
                    "n_present": int(np.sum(labels[:, h] > 0)), "n_detected": len(ious[code]),
                    "mean_iou": float(np.mean(ious[code])) if ious[code] else float("nan")}
             for h, code in enumerate(codes)}
    every = [value for values in ious.values() for value in values]
    return {"items": items, "mean_iou": float(np.mean(every)) if every else float("nan"), "n_detected": len(every)}
