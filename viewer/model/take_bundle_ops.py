"""Qt-free computations on a take bundle for the triangulation inspector.

Error heatmaps and tables read the bundle's reprojection errors; a
re-triangulated bundle is the same take with new 3D, reprojection and errors.
The application calls :func:`retriangulated_bundle` in a worker and hands the
result to ``ViewerState.set_take`` on the main thread.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.geometry.cameras import project_all
from analysis.geometry.report import position_errors
from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
    triangulate_robust,
)
from analysis.geometry.triangulation import detection_weights
from viewer.model.take_bundle import TakeBundle

#: How the views are combined when the heatmap shows all of them.
VIEW_REDUCTIONS = ("max", "mean")


def _quietly(function, values: np.ndarray, axis) -> np.ndarray:
    """Apply a NaN-ignoring numpy reduction; a slice with nothing in it gives NaN without a warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(values, axis=axis)


def error_heatmap(bundle: TakeBundle, view: str | None, reduction: str = "max") -> np.ndarray:
    """Reprojection error of every joint at every frame, for one view or all of them.

    Parameters
    ----------
    bundle : TakeBundle
        With ``errors`` (V, T, J) pixels.
    view : str or None
        A view name, or None to combine all views with ``reduction``.
    reduction : {"max", "mean"}
        How views are combined when ``view`` is None; NaN (missing) views are ignored.

    Returns
    -------
    ndarray, shape (J, T)
        Pixels; NaN where there is no detection or no 3D point.
    """
    if bundle.errors is None:
        raise ValueError(f"take {bundle.take_id} has no 3D pose, so no reprojection errors")
    if view is not None:
        return bundle.errors[bundle.view_names.index(view)].T.copy()
    if reduction not in VIEW_REDUCTIONS:
        raise ValueError(f"unknown view reduction {reduction!r}; known: {', '.join(VIEW_REDUCTIONS)}")
    function = np.nanmax if reduction == "max" else np.nanmean
    return _quietly(function, bundle.errors, axis=0).T


def worst_view_at(bundle: TakeBundle, frame: int, joint: int) -> str | None:
    """Name of the view with the largest reprojection error of ``joint`` at ``frame``; None if no view has one."""
    if bundle.errors is None:
        return None
    errors = bundle.errors[:, frame, joint]
    if not np.isfinite(errors).any():
        return None
    return bundle.view_names[int(np.nanargmax(errors))]


def worst_cell(heatmap: np.ndarray) -> tuple[int, int] | None:
    """``(joint, frame)`` of the largest finite value of a (J, T) heatmap; None if it is all NaN."""
    if not np.isfinite(heatmap).any():
        return None
    joint, frame = np.unravel_index(int(np.nanargmax(heatmap)), heatmap.shape)
    return int(joint), int(frame)


def excluded_detections(bundle: TakeBundle, threshold_px: float,
                        min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> np.ndarray:
    """Which detections the 3D does not rest on, shape (V, T, J), bool.

    A detection counts as excluded when it is missing, its confidence is
    below ``min_confidence``, there is no 3D point to compare it with, or it
    lies more than ``threshold_px`` from the reprojected 3D point: the
    detections robust triangulation at that threshold leaves out.
    """
    usable = detection_weights(bundle.pose2d[..., :2], bundle.pose2d[..., 2], min_confidence) > 0
    if bundle.errors is None:
        return ~usable
    with np.errstate(invalid="ignore"):
        fits = bundle.errors <= threshold_px
    return ~(usable & fits)


def error_table(bundle: TakeBundle, by: str, threshold_px: float,
                min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> pd.DataFrame:
    """Reprojection error statistics per view or per joint.

    Parameters
    ----------
    bundle : TakeBundle
    by : {"view", "joint"}
    threshold_px, min_confidence : float
        Define excluded detections, see :func:`excluded_detections`.

    Returns
    -------
    DataFrame
        Indexed by view or joint name, in the take's order, with columns
        ``mean_px``, ``median_px``, ``max_px`` (over all detections with a 3D
        point, NaN when there are none) and ``excluded_pct`` (0-100). Per joint,
        ``mpjpe_mm`` is added when the take has a reference and a 3D pose.
    """
    if by not in ("view", "joint"):
        raise ValueError(f"error tables are per 'view' or per 'joint', not {by!r}")
    n_views, n_frames, n_joints = bundle.pose2d.shape[:3]
    errors = np.full((n_views, n_frames, n_joints), np.nan) if bundle.errors is None else bundle.errors
    excluded = excluded_detections(bundle, threshold_px, min_confidence)
    if by == "view":
        names, flat_errors = bundle.view_names, errors.reshape(n_views, -1)
        flat_excluded = excluded.reshape(n_views, -1)
    else:
        names = bundle.skeleton.joint_names
        flat_errors = errors.transpose(2, 0, 1).reshape(n_joints, -1)
        flat_excluded = excluded.transpose(2, 0, 1).reshape(n_joints, -1)
    table = pd.DataFrame({
        "mean_px": _quietly(np.nanmean, flat_errors, axis=1),
        "median_px": _quietly(np.nanmedian, flat_errors, axis=1),
        "max_px": _quietly(np.nanmax, flat_errors, axis=1),
        "excluded_pct": flat_excluded.mean(axis=1) * 100.0 if flat_excluded.shape[1] else np.zeros(len(names)),
    }, index=pd.Index(list(names), name=by))
    if by == "joint" and bundle.reference is not None and bundle.pose3d is not None:
        table["mpjpe_mm"] = _quietly(np.nanmean, position_errors(bundle.pose3d, bundle.reference), axis=0) * 1000.0
    return table


def retriangulated_bundle(bundle: TakeBundle, excluded_views: Sequence[str],
                          threshold_px: float = DEFAULT_THRESHOLD_PX, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> TakeBundle:
    """The take triangulated again, robustly, without some views.

    Parameters
    ----------
    bundle : TakeBundle
    excluded_views : sequence of str
        Views whose detections are not used at all.
    threshold_px, min_confidence : float
        See :func:`analysis.geometry.robust_triangulation.triangulate_robust`.

    Returns
    -------
    TakeBundle
        The same take with new ``pose3d`` (T, J, 3) metres, ``reprojected``
        (V, T, J, 2) px and ``errors`` (V, T, J) px. Errors are given for every
        view, the excluded ones too, so their disagreement with the new 3D stays visible.

    Raises
    ------
    ValueError
        For an unknown view, or when fewer than two views remain.
    """
    views = bundle.view_names
    unknown = [name for name in excluded_views if name not in views]
    if unknown:
        raise ValueError(f"take {bundle.take_id}: no view named {', '.join(map(repr, unknown))}; "
                         f"views are {', '.join(views)}")
    keep = np.array([name not in excluded_views for name in views])
    if keep.sum() < 2:
        raise ValueError(f"take {bundle.take_id}: excluding {', '.join(excluded_views)} leaves fewer than two views")
    pose2d = bundle.pose2d.astype(np.float64)
    pose2d[~keep] = (np.nan, np.nan, 0.0)
    result = triangulate_robust(bundle.cameras, pose2d[..., :2], pose2d[..., 2], min_confidence, threshold_px)
    pose3d = result.points.astype(np.float32)
    reprojected = project_all(bundle.cameras, pose3d)
    errors = np.linalg.norm(reprojected - bundle.pose2d[..., :2], axis=-1)
    return dataclasses.replace(bundle, pose3d=pose3d, reprojected=reprojected, errors=errors,
                               excluded_views=tuple(excluded_views))
