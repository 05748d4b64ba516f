"""The coach's penalty review: what the model proposes, and what the review makes of a take's score.

The model predicts, per penalty item, a probability and where in time it happens
(its heatmap), but no deduction. Each item it finds likely (probability at least
:data:`PROPOSAL_THRESHOLD`) is a :class:`Proposal`: its span is the run of
frames around the heatmap's peak, its deduction the one annotated in the session
for that item when there is one, else :data:`DEFAULT_DEDUCTION`. The coach
confirms, rejects or edits each proposal and adds the items the model missed; the
reviewed items (``reviewed_penalties`` of the annotations file, one per item
code) then stand for the take's penalties: the score is 10 minus the deductions
kept (every status but ``rejected``), floored at 0, as for annotated penalties.
A take is *reviewed* when it has at least one reviewed item.

Pure functions over any objects with the reviewed items' fields
(:class:`ReviewedItem`), so the report, the fine-tuning and the panel share them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from analysis.session.data import Penalties

PROPOSAL_THRESHOLD = 0.5
#: A predicted span holds the frames around the heatmap's peak at or above this probability (half the peak
#: when that is lower): the frames where the item is at all likely. Chosen on calibration athletes for the
#: shipped model (docs/benchmarks.md, "Scoring (issue 15)"): the temporal IoU against the injected spans
#: rises as the level falls from 0.5 (0.40) to 0.01 (0.58) and flattens below (0.59 at 0.002).
SPAN_LEVEL = 0.01
#: Deduction proposed for an item the session does not annotate (the model predicts none): a medium fault.
DEFAULT_DEDUCTION = 0.3
#: Statuses whose deduction counts; ``rejected`` items are the model's false alarms.
KEPT_STATUSES = ("confirmed", "edited", "added")
MAX_SCORE = 10.0


class ReviewedItem(Protocol):
    """A reviewed penalty item (``analysis.annotations.items.ReviewedPenalty`` fits).

    Attributes
    ----------
    code : str
    start, end : int
        Frame span, end exclusive; -1 where unknown.
    value : float
        Deduction, points.
    status : str
        ``confirmed``, ``rejected``, ``edited`` or ``added``.
    model_probability : float or None
    """

    code: str
    start: int
    end: int
    value: float
    status: str
    model_probability: float | None


@dataclass(frozen=True)
class Proposal:
    """A penalty item the model finds likely, as offered for review.

    Attributes
    ----------
    code : str
    start, end : int
        Frames around the heatmap's peak (end exclusive).
    value : float
        Proposed deduction, points.
    probability : float
        The model's probability of the item in the take.
    """

    code: str
    start: int
    end: int
    value: float
    probability: float


def kept_items(items: Sequence[ReviewedItem]) -> list[ReviewedItem]:
    """The reviewed items whose deduction counts (not rejected), in order."""
    return [item for item in items if item.status in KEPT_STATUSES]


def reviewed_score(items: Sequence[ReviewedItem]) -> float:
    """10 minus the deductions kept by the review, floored at 0."""
    return max(0.0, MAX_SCORE - float(sum(item.value for item in kept_items(items))))


def reviewed_penalties(items: Sequence[ReviewedItem]) -> Penalties:
    """The kept items as the session file stores penalties (codes, values, spans)."""
    kept = kept_items(items)
    return Penalties(tuple(item.code for item in kept), np.array([item.value for item in kept], np.float32),
                     np.array([item.start for item in kept], np.int32), np.array([item.end for item in kept], np.int32))


def reviewed_index(index: pd.DataFrame, reviews: Mapping[tuple[str, str], Sequence[ReviewedItem]]) -> pd.DataFrame:
    """A library index with the coach's reviews applied: a ``reviewed`` column, and each reviewed take's
    ``score`` replaced by :func:`reviewed_score` (so a take the judges left unscored can train once reviewed).

    Parameters
    ----------
    index : DataFrame
        Library index rows (``file``, ``take``, ``score``).
    reviews : mapping of (file, take) to sequence of ReviewedItem
        The reviewed items of each reviewed take (takes without items are not reviewed).
    """
    keys = list(zip(index["file"], index["take"]))
    reviewed = np.array([bool(reviews.get(key)) for key in keys], dtype=bool)
    scores = [reviewed_score(reviews[key]) if flag else score
              for key, flag, score in zip(keys, reviewed, index["score"].to_numpy(dtype=np.float64))]
    return index.assign(score=np.asarray(scores, dtype=np.float64), reviewed=reviewed)


def predicted_span(activity: np.ndarray, level: float = SPAN_LEVEL) -> tuple[int, int]:
    """The run of frames around the peak of a heatmap row where the item is likely.

    Frames count while their probability is at least ``level``, or at least
    half the peak when the peak itself is lower.

    Parameters
    ----------
    activity : ndarray (T,)
        Per frame probability of the item.

    Returns
    -------
    (start, end) : int
        End exclusive; (-1, -1) when the row has no finite value.
    """
    activity = np.asarray(activity, dtype=np.float64)
    if not np.isfinite(activity).any():
        return -1, -1
    peak = int(np.nanargmax(activity))
    level = min(level, 0.5 * activity[peak])
    inside = np.nan_to_num(activity, nan=-1.0) >= level
    start, end = peak, peak + 1
    while start > 0 and inside[start - 1]:
        start -= 1
    while end < len(activity) and inside[end]:
        end += 1
    return start, end


def proposals(codes: Sequence[str], probabilities: np.ndarray, heatmap: np.ndarray, annotated: Penalties,
              threshold: float = PROPOSAL_THRESHOLD) -> list[Proposal]:
    """The items the model finds likely, most probable first.

    Parameters
    ----------
    codes : sequence of str
        The P items of the model's heads.
    probabilities : ndarray (P,)
    heatmap : ndarray (P, T)
    annotated : Penalties
        The take's penalties in the session file (their deductions are proposed for the same items).
    """
    deductions = dict(zip(annotated.codes, (round(float(v), 1) for v in annotated.values)))   # 0.1, not float32's
    order = np.argsort(-np.asarray(probabilities, dtype=np.float64), kind="stable")
    found = []
    for index in order:
        probability = float(probabilities[index])
        if probability >= threshold:
            start, end = predicted_span(heatmap[index])
            found.append(Proposal(codes[index], start, end, deductions.get(codes[index], DEFAULT_DEDUCTION),
                                  probability))
    return found
