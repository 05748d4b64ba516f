"""How good the 3D is: every detection measured against it, and the tables and figures built on that.

:class:`Observations` records, for one take, the reprojection error of every
detection and which detections count. Two means are reported everywhere; they
answer different questions:

- **kept**: the valid observations within the robust threshold of their 3D
  point, i.e. those robust triangulation at that threshold solves the point
  from. How well the 3D fits the detections it rests on.
- **all**: every valid observation (a detection with finite pixels and
  confidence at or above the minimum, in a view the 3D was triangulated from,
  of a joint that has a 3D point), outliers included. How well the 3D agrees
  with the detector.

Both are computed from the 3D as stored, so a file opened again gives the
figures of the run that wrote it. Tables are NaN-safe: a row with nothing to
average shows NaN.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The two means, by the observations they average.
MEAN_KINDS = ("kept", "all")
#: Axis order that puts the grouped axis first, for arrays shaped (V, T, J).
_GROUP_AXES = {"view": (0, 1, 2), "frame": (1, 0, 2), "joint": (2, 0, 1)}


def _quietly(function, values: np.ndarray, axis) -> np.ndarray:
    """A NaN-ignoring numpy reduction; a slice with nothing in it gives NaN without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(values, axis=axis)


@dataclass(frozen=True, eq=False)
class Observations:
    """Every detection of one take against its 3D points.

    Attributes
    ----------
    points : ndarray, shape (T, J, 3)
        The 3D as stored, metres; NaN where a joint was left empty.
    errors : ndarray, shape (V, T, J)
        Distance between each detection and its reprojected 3D point, pixels;
        NaN where the detection or the point is missing. Every view, also
        views left out of the triangulation.
    usable : ndarray, shape (V, T, J), bool
        Detections triangulation may use: finite pixels, confidence at or above the minimum.
    participating : ndarray, shape (V,), bool
        Views the 3D was triangulated from (False for views left out).
    threshold_px : float
        Robust threshold that separates kept observations from outliers, pixels.
    """

    points: np.ndarray
    errors: np.ndarray
    usable: np.ndarray
    participating: np.ndarray
    threshold_px: float

    @property
    def observed(self) -> np.ndarray:
        """Usable detections with an error (a 3D point in front of the camera), any view, (V, T, J) bool."""
        return self.usable & np.isfinite(self.errors)

    @property
    def valid(self) -> np.ndarray:
        """Observed detections in the views the 3D was triangulated from, (V, T, J) bool: what "all" averages."""
        return self.observed & self.participating[:, None, None]

    @property
    def kept(self) -> np.ndarray:
        """Valid observations within the threshold of their 3D point, (V, T, J) bool: what "kept" averages."""
        with np.errstate(invalid="ignore"):
            return self.valid & (self.errors <= self.threshold_px)

    @property
    def empty(self) -> np.ndarray:
        """Joints without a 3D point, (T, J) bool."""
        return ~np.isfinite(self.points).all(axis=-1)

    def mask(self, kind: str) -> np.ndarray:
        """The observations the ``"kept"`` or ``"all"`` mean averages, (V, T, J) bool."""
        if kind not in MEAN_KINDS:
            raise ValueError(f"unknown mean {kind!r}; means are over {' or '.join(MEAN_KINDS)} observations")
        return self.kept if kind == "kept" else self.valid

    def mean_px(self, kind: str) -> float:
        """Mean reprojection error over the ``"kept"`` or ``"all"`` observations, pixels; NaN if there are none."""
        return mean_reprojection_px([self], kind)


def mean_reprojection_px(observations: Sequence[Observations], kind: str) -> float:
    """Mean reprojection error over the ``"kept"`` or ``"all"`` observations of one or more takes, pixels.

    Every observation weighs the same, whichever take it belongs to; NaN when there are none.
    """
    total, count = _group_sums(observations, kind, None)
    return float(total[0] / count[0]) if count[0] else float("nan")


def excluded_fraction(observations: Sequence[Observations]) -> float:
    """Share of valid observations beyond the threshold (outliers the 3D does not rest on); 0 when there are none."""
    n_valid = sum(int(item.valid.sum()) for item in observations)
    n_kept = sum(int(item.kept.sum()) for item in observations)
    return (n_valid - n_kept) / n_valid if n_valid else 0.0


def empty_cells(observations: Observations) -> tuple[int, int, int]:
    """``(joint-frames, joints, frames)`` left without a 3D point."""
    empty = observations.empty
    return int(empty.sum()), int(empty.any(axis=0).sum()), int(empty.any(axis=1).sum())


def _grouped(array: np.ndarray, by: str | None) -> np.ndarray:
    """A (V, T, J) array as (groups, rest) for ``by`` in view/frame/joint, or (1, all) for None."""
    if by is None:
        return array.reshape(1, -1)
    order = _GROUP_AXES[by]
    return array.transpose(order).reshape(array.shape[order[0]], -1)


def _group_sums(observations: Sequence[Observations], kind: str, by: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Sum of errors (px) and count of the ``kind`` observations per group (one group for None), pooled over takes."""
    total, count = np.zeros(1), np.zeros(1, np.int64)
    for item in observations:
        mask = _grouped(item.mask(kind), by)
        total = total + np.where(mask, _grouped(item.errors, by), 0.0).sum(axis=1)
        count = count + mask.sum(axis=1)
    return total, count


def position_errors(points3d: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Euclidean distance ``(T, J)`` between two ``(T, J, 3)`` arrays in metres; NaN where either is missing."""
    return np.linalg.norm(np.asarray(points3d, np.float64) - np.asarray(reference, np.float64), axis=-1)


def mpjpe(points3d: np.ndarray, reference: np.ndarray) -> float:
    """Mean per-joint position error in metres over the points present in both; NaN if none."""
    return float(_quietly(np.nanmean, position_errors(points3d, reference), axis=None))


def _error_columns(observations: Observations, by: str, counted: np.ndarray) -> dict[str, np.ndarray]:
    """Error statistics per group: kept mean, and mean / median / max / excluded share over ``counted``."""
    errors = _grouped(observations.errors, by)
    kept = _grouped(observations.kept, by)
    counted = _grouped(counted, by)
    over_counted = np.where(counted, errors, np.nan)
    n_counted = counted.sum(axis=1)
    n_excluded = (counted & ~kept).sum(axis=1)
    return {
        "observations": n_counted,
        "kept_px": _quietly(np.nanmean, np.where(kept, errors, np.nan), axis=1),
        "all_px": _quietly(np.nanmean, over_counted, axis=1),
        "median_px": _quietly(np.nanmedian, over_counted, axis=1),
        "max_px": _quietly(np.nanmax, over_counted, axis=1),
        "excluded_pct": np.divide(100.0 * n_excluded, n_counted, out=np.zeros(len(n_counted)), where=n_counted > 0),
    }


def per_view_table(observations: Observations, view_names: Sequence[str]) -> pd.DataFrame:
    """One row per view: reprojection error statistics.

    Columns: ``observations`` (count), ``kept_px`` (mean over the kept
    observations), ``all_px``, ``median_px``, ``max_px`` (over all valid
    observations), ``excluded_pct`` (share of them beyond the threshold, 0-100).
    A view left out of the triangulation has no kept observations; its other
    columns measure its usable detections against the 3D built without it
    (``excluded_pct`` 100).
    """
    columns = _error_columns(observations, "view", observations.observed)
    return pd.DataFrame(columns, index=pd.Index(list(view_names), name="view"))


def per_joint_table(observations: Observations, joint_names: Sequence[str],
                    reference: np.ndarray | None = None) -> pd.DataFrame:
    """One row per joint: the columns of :func:`per_view_table` over the valid observations,
    ``triangulated_pct`` (frames with a 3D point, 0-100) and, with a reference ``(T, J, 3)``, ``mpjpe_mm``."""
    table = pd.DataFrame(_error_columns(observations, "joint", observations.valid),
                         index=pd.Index(list(joint_names), name="joint"))
    present = ~observations.empty
    table["triangulated_pct"] = present.mean(axis=0) * 100.0 if present.size else np.zeros(len(table))
    if reference is not None:
        table["mpjpe_mm"] = _quietly(np.nanmean, position_errors(observations.points, reference), axis=0) * 1000.0
    return table


def per_frame_table(observations: Observations, reference: np.ndarray | None = None) -> pd.DataFrame:
    """One row per frame: ``kept_px``, ``all_px``, ``joints`` with a 3D point and, with a reference, ``mpjpe_mm``."""
    columns = _error_columns(observations, "frame", observations.valid)
    table = pd.DataFrame({"kept_px": columns["kept_px"], "all_px": columns["all_px"],
                          "joints": (~observations.empty).sum(axis=1)},
                         index=pd.RangeIndex(observations.points.shape[0], name="frame"))
    if reference is not None:
        table["mpjpe_mm"] = _quietly(np.nanmean, position_errors(observations.points, reference), axis=1) * 1000.0
    return table


def _number(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def _pooled_means(observations: Sequence[Observations], by: str, names: Sequence[str]) -> dict[str, float | None]:
    total, count = _group_sums(observations, "kept", by)
    means = np.divide(total, count, out=np.full(len(names), np.nan), where=count > 0)
    return {name: _number(value) for name, value in zip(names, means)}


def summary(observations: Mapping[str, Observations], view_names: Sequence[str],
            joint_names: Sequence[str]) -> dict:
    """The headline figures over one or more takes, as JSON-ready values.

    Parameters
    ----------
    observations : mapping of take id to Observations
    view_names, joint_names : sequences of str, lengths V and J

    Returns
    -------
    dict
        ``mean_reprojection_px`` (over the kept observations) and
        ``mean_reprojection_all_px`` (over all valid observations), pixels or
        None; ``per_view`` and ``per_joint`` (name to the kept mean, None where
        there is none, e.g. a view left out); ``excluded_fraction`` (share of
        valid observations beyond the threshold); ``empty_joint_frames``
        (joints x frames left without a 3D point); ``per_take`` (take id to
        its two means and empty joint-frames).
    """
    takes = list(observations.values())
    return {
        "mean_reprojection_px": _number(mean_reprojection_px(takes, "kept")),
        "mean_reprojection_all_px": _number(mean_reprojection_px(takes, "all")),
        "per_view": _pooled_means(takes, "view", view_names),
        "per_joint": _pooled_means(takes, "joint", joint_names),
        "excluded_fraction": round(excluded_fraction(takes), 6),
        "empty_joint_frames": sum(empty_cells(item)[0] for item in takes),
        "per_take": {
            take: {"mean_reprojection_px": _number(item.mean_px("kept")),
                   "mean_reprojection_all_px": _number(item.mean_px("all")),
                   "empty_joint_frames": empty_cells(item)[0]}
            for take, item in observations.items()
        },
    }
