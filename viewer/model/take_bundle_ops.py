"""Qt-free computations on a take bundle for the triangulation inspector.

The inspector measures a take's detections against its 3D with the camera rig
(:class:`analysis.geometry.rig.CameraRig`), as the command line does, and
draws heatmaps and tables from those observations. A re-triangulated bundle is
the same take with new 3D, reprojection and errors; the application calls
:func:`retriangulated_bundle` in a worker and hands the result to
``ViewerState.set_take`` on the main thread.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence

import numpy as np

from analysis.geometry.report import Observations, empty_cells, mpjpe
from analysis.geometry.rig import CameraRig
from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
)
from viewer.model.take_bundle import TakeBundle

#: How the views are combined when the heatmap shows all of them.
VIEW_REDUCTIONS = ("max", "mean")


def take_rig(bundle: TakeBundle, threshold_px: float = DEFAULT_THRESHOLD_PX,
             min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> CameraRig:
    """The take's cameras with robust triangulation settings; errors name the take."""
    return CameraRig(bundle.cameras, threshold_px, min_confidence, source=f"take {bundle.take_id}")


def take_observations(bundle: TakeBundle, threshold_px: float,
                      min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> Observations | None:
    """Every detection of the take against its 3D.

    None when the take has no 3D, or no 2D detections to measure it against
    (3D imported from motion-capture files). Views in ``bundle.excluded_views``
    count as left out of the triangulation.
    """
    if bundle.pose3d is None or len(bundle.cameras) < 2 or not np.isfinite(bundle.pose2d[..., 0]).any():
        return None
    rig = take_rig(bundle, threshold_px, min_confidence)
    return rig.observe(bundle.pose2d, bundle.pose3d, bundle.excluded_views, bundle.errors)


def observed_errors(observations: Observations) -> np.ndarray:
    """Reprojection error ``(V, T, J)`` px of the usable detections, any view; NaN elsewhere."""
    return np.where(observations.observed, observations.errors, np.nan)


def error_heatmap(observations: Observations, view: int | None, reduction: str = "max") -> np.ndarray:
    """Reprojection error of every joint at every frame, for one view or all of them.

    Parameters
    ----------
    observations : Observations
    view : int or None
        A view index, or None to combine all views with ``reduction``.
    reduction : {"max", "mean"}
        How views are combined when ``view`` is None; views without a usable detection are ignored.

    Returns
    -------
    ndarray, shape (J, T)
        Pixels; NaN where there is no usable detection or no 3D point.
    """
    errors = observed_errors(observations)
    if view is not None:
        return errors[view].T.copy()
    if reduction not in VIEW_REDUCTIONS:
        raise ValueError(f"unknown view reduction {reduction!r}; known: {', '.join(VIEW_REDUCTIONS)}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a cell no view sees is NaN, on purpose
        return (np.nanmax if reduction == "max" else np.nanmean)(errors, axis=0).T


def worst_view_at(observations: Observations, frame: int, joint: int) -> int | None:
    """Index of the view with the largest reprojection error of ``joint`` at ``frame``; None if no view has one."""
    errors = observed_errors(observations)[:, frame, joint]
    if not np.isfinite(errors).any():
        return None
    return int(np.nanargmax(errors))


def worst_cell(heatmap: np.ndarray) -> tuple[int, int] | None:
    """``(joint, frame)`` of the largest finite value of a (J, T) heatmap; None if it is all NaN."""
    if not np.isfinite(heatmap).any():
        return None
    joint, frame = np.unravel_index(int(np.nanargmax(heatmap)), heatmap.shape)
    return int(joint), int(frame)


def retriangulated_bundle(bundle: TakeBundle, excluded_views: Sequence[str],
                          threshold_px: float = DEFAULT_THRESHOLD_PX, min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> TakeBundle:
    """The take triangulated again, robustly, without some views (the command line's ``triangulate``).

    Parameters
    ----------
    bundle : TakeBundle
    excluded_views : sequence of str
        Views whose detections are not used at all.
    threshold_px, min_confidence : float
        See :class:`analysis.geometry.rig.CameraRig`.

    Returns
    -------
    TakeBundle
        The same take with new ``pose3d`` (T, J, 3) metres, float32 as a file
        stores it, NaN where fewer than two views agree; ``reprojected``
        (V, T, J, 2) px and ``errors`` (V, T, J) px. Errors are given for every
        view, the excluded ones too, so their disagreement with the new 3D stays visible.

    Raises
    ------
    ValueError
        For an unknown view, or when fewer than two views remain.
    """
    result = take_rig(bundle, threshold_px, min_confidence).retriangulate(bundle.pose2d, excluded_views)
    return dataclasses.replace(bundle, pose3d=result.points, reprojected=result.reprojected,
                               errors=result.observations.errors, excluded_views=tuple(excluded_views))


def inspector_summary(take: TakeBundle | None, observations: Observations | None) -> str:
    """The figures above the inspector's heatmap: mean reprojection errors (kept and all, pixels), MPJPE
    against the reference (mm) and the joint-frames left empty; or why there are none."""
    if take is None:
        return "No take open."
    if observations is None and take.pose3d is not None:
        return "This take's 3D was imported: it has no 2D detections to measure it against."
    if observations is None:
        return "This take has no 3D pose yet: re-triangulate to build it."
    lines = [f"Mean reprojection error: kept {observations.mean_px('kept'):.2f} px · "
             f"all {observations.mean_px('all'):.2f} px"]
    if take.reference is not None:
        lines[0] += f" · MPJPE vs reference {mpjpe(take.pose3d, take.reference) * 1000.0:.1f} mm"
    else:
        lines[0] += " · no reference 3D for MPJPE"
    cells, joints, frames = empty_cells(observations)
    if cells:
        lines.append(f"{joints} joints × {frames} frames ({cells} joint-frames) have fewer than 2 views "
                     f"agreeing within {observations.threshold_px:g} px and were left empty")
    return "\n".join(lines)
