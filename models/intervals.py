"""Score intervals by split-conformal prediction, scaled by how hard a take is to place.

A model scores a take against K exemplars. Its errors grow with the
predicted deduction (a take with heavy faults is placed less surely than a clean
one) and with the disagreement of the K per-exemplar predictions. On takes of
athletes the model never saw (a calibration library), the nonconformity of a
take is

    s = |y − ŷ| / (floor + spread + w · max(10 − ŷ, 0))

with ``spread`` the standard deviation of its K per-exemplar predictions (0 for
one exemplar), ``floor`` a constant in points and ``w`` the deduction weight.
Per number of exemplars K, the split-conformal quantile q_K of the calibration
scores gives intervals ŷ ± q_K (floor + spread + w · deduction) that hold the
true score with probability at least the nominal coverage on exchangeable takes
(Vovk et al.; Lei et al. 2018), clipped to the score range [0, 10]. A take
scored against more exemplars than any calibrated K uses the largest
calibrated K. With w = 0 (calibrations written before the weight existed)
every take of a K gets the same width around ŷ up to its spread, which covers
clean takes more and heavily faulted takes less than the nominal share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: The score scale: 10 minus the penalties, floored at 0.
SCORE_RANGE = (0.0, 10.0)

# The two defaults of the scale below were chosen on calibration athletes (bench/bench_interval_choices.py,
# docs/benchmarks.md "Scoring (issue 15)"): the flattest coverage across score levels, then the narrowest.

#: Points added to the spread of the per-exemplar predictions in the nonconformity's scale.
INTERVAL_FLOOR = 0.5

#: Points of scale per point of predicted deduction.
DEDUCTION_WEIGHT = 0.5


def conformal_quantile(scores: np.ndarray, coverage: float) -> float:
    """The split-conformal quantile of nonconformity ``scores`` for ``coverage``.

    The ⌈(n + 1) · coverage⌉-th smallest score (infinite when that rank exceeds n):
    a new exchangeable score is at most this with probability ≥ ``coverage``.

    Parameters
    ----------
    scores : numpy.ndarray, shape (n,)
        Nonconformity scores of the calibration takes (finite, ≥ 0).
    coverage : float
        Nominal coverage in (0, 1).
    """
    if not 0.0 < coverage < 1.0:
        raise ValueError(f"coverage must be in (0, 1), got {coverage}")
    values = np.sort(np.asarray(scores, dtype=float))
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError("conformal calibration needs at least one finite score")
    rank = math.ceil((values.size + 1) * coverage)
    return float("inf") if rank > values.size else float(values[rank - 1])


@dataclass(frozen=True)
class IntervalCalibration:
    """How wide a model's score intervals are.

    Attributes
    ----------
    coverage : float
        Nominal coverage, e.g. 0.9.
    floor : float
        Points added to the spread in the denominator of the nonconformity.
    quantiles : dict of int to float
        K (number of exemplars) to the conformal quantile q_K.
    counts : dict of int to int
        K to the number of calibration takes behind q_K.
    source : str
        What the calibration takes were (library, athletes).
    deduction_weight : float
        Points of scale per point of predicted deduction (0: the width does not follow the score).
    """

    coverage: float
    floor: float
    quantiles: dict[int, float]
    counts: dict[int, int]
    source: str = ""
    deduction_weight: float = 0.0

    def quantile_for(self, k: int) -> float:
        """q_K for ``k`` exemplars (the largest calibrated K at or below ``k``, else the smallest)."""
        if not self.quantiles:
            raise ValueError("the calibration holds no quantile")
        below = [key for key in self.quantiles if key <= k]
        return self.quantiles[max(below) if below else min(self.quantiles)]

    def intervals(self, predicted: np.ndarray, spread: np.ndarray, k: np.ndarray | int) -> np.ndarray:
        """Intervals ``(N, 2)`` (low, high, points) around ``predicted`` ``(N,)``.

        Parameters
        ----------
        predicted, spread : numpy.ndarray, shape (N,)
            Predicted scores and the standard deviation of their per-exemplar predictions.
        k : int or numpy.ndarray of int, shape (N,)
            Exemplars each take was scored against.
        """
        predicted = np.asarray(predicted, dtype=float)
        ks = np.broadcast_to(np.asarray(k, dtype=int), predicted.shape)
        half = np.array([self.quantile_for(int(value)) for value in ks.ravel()]).reshape(predicted.shape)
        half = half * interval_scale(predicted, spread, self.floor, self.deduction_weight)
        return np.clip(np.stack([predicted - half, predicted + half], axis=-1), *SCORE_RANGE)

    def to_dict(self) -> dict:
        """Plain values for the checkpoint (string keys)."""
        return {"coverage": self.coverage, "floor": self.floor,
                "quantiles": {str(k): v for k, v in self.quantiles.items()},
                "counts": {str(k): v for k, v in self.counts.items()}, "source": self.source,
                "deduction_weight": self.deduction_weight}

    @classmethod
    def from_dict(cls, data: dict) -> "IntervalCalibration":
        """Inverse of :meth:`to_dict`."""
        return cls(float(data["coverage"]), float(data["floor"]),
                   {int(k): float(v) for k, v in data["quantiles"].items()},
                   {int(k): int(v) for k, v in data["counts"].items()}, str(data.get("source", "")),
                   float(data.get("deduction_weight", 0.0)))


def interval_scale(predicted: np.ndarray, spread: np.ndarray, floor: float, deduction_weight: float) -> np.ndarray:
    """floor + spread + w · max(10 − ŷ, 0) per take, points (see the module docstring).

    Parameters
    ----------
    predicted, spread : numpy.ndarray, shape (N,)
        Predicted scores and the standard deviation of their per-exemplar predictions (points).
    floor : float
        Points, > 0.
    deduction_weight : float
        Points of scale per point of predicted deduction, ≥ 0.
    """
    if floor <= 0:
        raise ValueError(f"the floor must be positive, got {floor}")
    if deduction_weight < 0:
        raise ValueError(f"the deduction weight must not be negative, got {deduction_weight}")
    return floor + np.asarray(spread, float) + deduction_weight * predicted_deduction(predicted)


def predicted_deduction(predicted: np.ndarray) -> np.ndarray:
    """Points below the top of the scale, max(10 − ŷ, 0), per predicted score ``(N,)``."""
    return np.clip(SCORE_RANGE[1] - np.asarray(predicted, float), 0.0, None)


def nonconformity(truth: np.ndarray, predicted: np.ndarray, spread: np.ndarray, floor: float,
                  deduction_weight: float) -> np.ndarray:
    """|y − ŷ| / :func:`interval_scale` per take (see the module docstring)."""
    scale = interval_scale(predicted, spread, floor, deduction_weight)
    return np.abs(np.asarray(truth, float) - np.asarray(predicted, float)) / scale


def calibrate(truth: np.ndarray, predicted: np.ndarray, spread: np.ndarray, k: np.ndarray, coverage: float,
              floor: float, deduction_weight: float, source: str = "") -> IntervalCalibration:
    """Calibrate intervals on held-out takes, one quantile per number of exemplars.

    Parameters
    ----------
    truth, predicted, spread : numpy.ndarray, shape (N,)
        Annotated scores, predictions and per-exemplar spreads of calibration takes
        (athletes the model was not trained on).
    k : numpy.ndarray of int, shape (N,)
        Exemplars each prediction used.
    coverage : float
    floor, deduction_weight : float
        See :func:`interval_scale`.
    source : str
        What the calibration takes were.
    """
    scores = nonconformity(truth, predicted, spread, floor, deduction_weight)
    k = np.asarray(k, dtype=int)
    quantiles, counts = {}, {}
    for value in np.unique(k):
        quantiles[int(value)] = conformal_quantile(scores[k == value], coverage)
        counts[int(value)] = int(np.sum(k == value))
    return IntervalCalibration(float(coverage), float(floor), quantiles, counts, source, float(deduction_weight))


def coverage_and_width(truth: np.ndarray, intervals: np.ndarray) -> tuple[float, float]:
    """Share of ``truth`` ``(N,)`` inside ``intervals`` ``(N, 2)``, and their mean width (points)."""
    truth = np.asarray(truth, dtype=float)
    inside = (intervals[:, 0] <= truth) & (truth <= intervals[:, 1])
    return float(inside.mean()), float(np.mean(intervals[:, 1] - intervals[:, 0]))


def interval_report(truth: np.ndarray, intervals: np.ndarray, is_exemplar: np.ndarray, nominal: float) -> dict:
    """Measured coverage and mean width of a library's intervals, trainees and exemplars apart.

    The intervals are calibrated on trainee takes (:func:`calibrate`), so their
    coverage is measured on trainee takes. An exemplar's own take, scored
    against the other exemplars of its action, is a population of its own (near
    the top of the scale, where intervals are clipped) and is reported apart.

    Parameters
    ----------
    truth : numpy.ndarray, shape (N,)
        Annotated scores.
    intervals : numpy.ndarray, shape (N, 2)
        (low, high) in points.
    is_exemplar : numpy.ndarray of bool, shape (N,)
        Whether each take is an exemplar.
    nominal : float
        The calibration's nominal coverage.

    Returns
    -------
    dict
        ``nominal``; ``coverage``, ``mean_width`` (points) and ``n_takes`` over the
        trainee takes (coverage and width None when there are none); and
        ``exemplar_coverage`` (None without exemplar takes) with ``n_exemplar_takes``.
    """
    exemplar = np.asarray(is_exemplar, dtype=bool)
    truth = np.asarray(truth, dtype=float)
    coverage = width = exemplar_coverage = None
    if (~exemplar).any():
        coverage, width = coverage_and_width(truth[~exemplar], intervals[~exemplar])
    if exemplar.any():
        exemplar_coverage = coverage_and_width(truth[exemplar], intervals[exemplar])[0]
    return {"nominal": float(nominal), "coverage": coverage, "mean_width": width, "n_takes": int((~exemplar).sum()),
            "exemplar_coverage": exemplar_coverage, "n_exemplar_takes": int(exemplar.sum())}
