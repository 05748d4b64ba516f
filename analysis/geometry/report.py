"""How good the 3D is: reprojection error per view, joint and frame, and MPJPE.

All functions are NaN-safe: missing detections and missing points are left
out of means and counts, and a table row with nothing to average shows NaN.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analysis.geometry.robust_triangulation import Triangulation


def _nanmean(values: np.ndarray, axis) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of nothing is NaN, on purpose
        return np.nanmean(values, axis=axis)


def position_errors(points3d: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Euclidean distance ``(T, J)`` between two ``(T, J, 3)`` arrays in metres; NaN where either is missing."""
    return np.linalg.norm(np.asarray(points3d, np.float64) - np.asarray(reference, np.float64), axis=-1)


def mpjpe(points3d: np.ndarray, reference: np.ndarray) -> float:
    """Mean per-joint position error in metres over the points present in both; NaN if none."""
    return float(_nanmean(position_errors(points3d, reference), axis=None))


def _used_errors(result: Triangulation) -> np.ndarray:
    return np.where(result.used, result.errors, np.nan)


def per_view_table(result: Triangulation, view_names: list[str]) -> pd.DataFrame:
    """One row per view: detections, excluded share, mean / median / p95 reprojection error (px) of the used views."""
    errors = _used_errors(result).reshape(len(view_names), -1)
    detected = result.detected.reshape(len(view_names), -1).sum(axis=1)
    excluded = result.excluded.reshape(len(view_names), -1).sum(axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        table = pd.DataFrame({
            "detections": detected,
            "excluded_fraction": np.divide(excluded, detected, out=np.zeros(len(view_names)), where=detected > 0),
            "mean_px": np.nanmean(errors, axis=1),
            "median_px": np.nanmedian(errors, axis=1),
            "p95_px": np.nanpercentile(errors, 95, axis=1),
        }, index=pd.Index(view_names, name="view"))
    return table


def per_joint_table(result: Triangulation, joint_names: list[str], reference: np.ndarray | None = None) -> pd.DataFrame:
    """One row per joint: mean reprojection error (px), share triangulated, and MPJPE (mm) when a reference is given."""
    errors = _used_errors(result)
    points_present = np.isfinite(result.points).all(axis=-1)
    table = pd.DataFrame({
        "mean_px": _nanmean(errors, axis=(0, 1)),
        "triangulated_fraction": points_present.mean(axis=0) if points_present.size else np.zeros(len(joint_names)),
    }, index=pd.Index(joint_names, name="joint"))
    if reference is not None:
        table["mpjpe_mm"] = _nanmean(position_errors(result.points, reference), axis=0) * 1000.0
    return table


def per_frame_table(result: Triangulation, reference: np.ndarray | None = None) -> pd.DataFrame:
    """One row per frame: mean reprojection error (px), joints triangulated, and MPJPE (mm) with a reference."""
    errors = _used_errors(result)
    table = pd.DataFrame({
        "mean_px": _nanmean(errors, axis=(0, 2)),
        "joints": np.isfinite(result.points).all(axis=-1).sum(axis=1),
    }, index=pd.RangeIndex(result.points.shape[0], name="frame"))
    if reference is not None:
        table["mpjpe_mm"] = _nanmean(position_errors(result.points, reference), axis=1) * 1000.0
    return table


def summary(results: list[Triangulation], view_names: list[str], joint_names: list[str]) -> dict:
    """The headline figures over one or more takes, as JSON-ready values.

    Returns
    -------
    dict
        ``mean_reprojection_px`` (float or None), ``per_view`` and
        ``per_joint`` (name to mean px or None), ``excluded_fraction`` (share of
        usable detections left out as outliers).
    """
    def number(value: float) -> float | None:
        return None if not np.isfinite(value) else round(float(value), 4)

    errors = [_used_errors(result) for result in results]
    flat_views = np.concatenate([e.reshape(len(view_names), -1) for e in errors], axis=1)
    flat_joints = np.concatenate([e.transpose(2, 0, 1).reshape(len(joint_names), -1) for e in errors], axis=1)
    detected = sum(int(r.detected.sum()) for r in results)
    excluded = sum(int(r.excluded.sum()) for r in results)
    return {
        "mean_reprojection_px": number(_nanmean(flat_views, axis=None)),
        "per_view": {name: number(v) for name, v in zip(view_names, _nanmean(flat_views, axis=1))},
        "per_joint": {name: number(v) for name, v in zip(joint_names, _nanmean(flat_joints, axis=1))},
        "excluded_fraction": round(excluded / detected, 6) if detected else 0.0,
    }
