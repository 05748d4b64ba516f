"""Robust triangulation: leave out the worst view of a point until the rest agree.

For each point the weighted DLT is solved with every usable view; while the
largest reprojection error among the views in use exceeds a threshold and
more than ``min_views`` views remain, the worst view is dropped and the point
solved again. The worst view is the one whose removal leaves the lowest mean
reprojection error of the others. A point whose last ``min_views`` views still
disagree by more than the threshold is left empty (NaN) rather than placed
between rays that do not meet. Only failing points are solved again, so a
clean take costs one DLT plus one reprojection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.geometry.cameras import Camera
from analysis.geometry.triangulation import (
    detection_weights,
    dlt_from_normalized,
    extrinsic_matrices,
    normalized_points,
)

#: Default reprojection threshold, pixels.
DEFAULT_THRESHOLD_PX = 15.0
#: Default confidence below which a detection is not used.
DEFAULT_MIN_CONFIDENCE = 0.1


@dataclass(frozen=True)
class Triangulation:
    """3D points with the views that produced them.

    Attributes
    ----------
    points : ndarray, shape (T, J, 3)
        World points, metres; NaN where fewer than two views were usable, or
        where no ``min_views`` of them agree within the threshold.
    detected : ndarray, shape (V, T, J), bool
        Usable detections (finite pixels, confidence at or above the minimum).
    used : ndarray, shape (V, T, J), bool
        Detections the final point was solved from (a subset of ``detected``).
    errors : ndarray, shape (V, T, J)
        Reprojection error of every usable detection against ``points``,
        pixels; NaN where there is no detection or no point.
    """

    points: np.ndarray
    detected: np.ndarray
    used: np.ndarray
    errors: np.ndarray

    @property
    def excluded(self) -> np.ndarray:
        """Detections left out as outliers, shape (V, T, J), bool."""
        return self.detected & ~self.used

    @property
    def excluded_fraction(self) -> float:
        """Share of usable detections left out as outliers (0 when nothing was detected)."""
        n_detected = int(self.detected.sum())
        return float(self.excluded.sum() / n_detected) if n_detected else 0.0


def _errors_px(cameras: list[Camera], points: np.ndarray, pixels: np.ndarray, views: np.ndarray) -> np.ndarray:
    """Reprojection error ``(V, P)`` in pixels of ``points (P, 3)`` against ``pixels (V, P, 2)``.

    Only entries where ``views (V, P)`` is True are computed; the rest are NaN.
    """
    errors = np.full(views.shape, np.nan)
    for v, camera in enumerate(cameras):
        mask = views[v]
        if mask.any():
            errors[v, mask] = np.linalg.norm(camera.project(points[mask]) - pixels[v, mask], axis=-1)
    return errors


def _errors_or_inf(cameras: list[Camera], points: np.ndarray, pixels: np.ndarray, views: np.ndarray) -> np.ndarray:
    """Like :func:`_errors_px`, but ``inf`` for a view in use that sees the point behind it, ``-inf`` off ``views``."""
    errors = _errors_px(cameras, points, pixels, views)
    return np.where(views, np.nan_to_num(errors, nan=np.inf, posinf=np.inf), -np.inf)


def _best_view_to_drop(
    cameras: list[Camera], extrinsics: np.ndarray, normalized: np.ndarray, pixels: np.ndarray, weights: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Which view to leave out of each point: the one whose removal lets the rest agree best.

    The worst view is judged by leaving it out, not by its own error: an
    outlier can drag the DLT point towards its own ray, so that its error is
    small and the good views look bad.

    Parameters
    ----------
    cameras : list of Camera, length V
    extrinsics : ndarray, shape (V, 3, 4)
    normalized : ndarray, shape (V, P, 2)
    pixels : ndarray, shape (V, P, 2)
    weights : ndarray, shape (V, P)
        Weights of the views in use (0 for views already out).

    Returns
    -------
    view : ndarray, shape (P,), int
        Index of the view to drop.
    points : ndarray, shape (P, 3)
        The point solved without it, metres.
    """
    n_views, n_points = weights.shape
    in_use = weights > 0
    scores = np.full((n_views, n_points), np.inf)
    candidates = np.full((n_views, n_points, 3), np.nan)
    for v in range(n_views):
        columns = np.flatnonzero(in_use[v])
        if not columns.size:
            continue
        remaining = in_use[:, columns].copy()
        remaining[v] = False
        reduced = np.where(remaining, weights[:, columns], 0.0)
        candidates[v, columns] = dlt_from_normalized(extrinsics, normalized[:, columns], reduced)
        errors = _errors_or_inf(cameras, candidates[v, columns], pixels[:, columns], remaining)
        with np.errstate(invalid="ignore"):
            scores[v, columns] = np.where(remaining, errors, 0.0).sum(axis=0) / remaining.sum(axis=0)
    scores = np.nan_to_num(scores, nan=np.inf)
    view = scores.argmin(axis=0)
    return view, candidates[view, np.arange(n_points)]


def triangulate_robust(
    cameras: list[Camera],
    pixels: np.ndarray,
    confidence: np.ndarray | None = None,
    min_confidence: float = 0.0,
    threshold_px: float = DEFAULT_THRESHOLD_PX,
    min_views: int = 2,
) -> Triangulation:
    """Triangulate, dropping the worst view per point until it reprojects within ``threshold_px``.

    A point that cannot be brought within ``threshold_px`` without going below
    ``min_views`` views is left empty (NaN): with its views in disagreement,
    any position would be a guess.

    Parameters
    ----------
    cameras : list of Camera, length V
    pixels : ndarray, shape (V, T, J, 2)
        Distorted pixel coordinates; NaN where not detected.
    confidence : ndarray, shape (V, T, J), optional
        Detection confidence in [0, 1], used as DLT weight; all ones if omitted.
    min_confidence : float
        Detections below this confidence are not used.
    threshold_px : float
        Largest accepted reprojection error, pixels. ``inf`` gives the plain DLT.
    min_views : int
        Views are never dropped below this count (at least 2).

    Returns
    -------
    Triangulation
    """
    if min_views < 2:
        raise ValueError(f"min_views must be at least 2, got {min_views}")
    if not threshold_px > 0:
        raise ValueError(f"threshold must be a positive number of pixels, got {threshold_px}")
    pixels = np.asarray(pixels, dtype=np.float64)
    n_views = pixels.shape[0]
    grid = pixels.shape[1:-1]
    flat_pixels = pixels.reshape(n_views, -1, 2)
    weights = detection_weights(pixels, confidence, min_confidence).reshape(n_views, -1)
    normalized = normalized_points(cameras, pixels).reshape(n_views, -1, 2)
    extrinsics = extrinsic_matrices(cameras)
    detected = weights > 0
    used = detected.copy()

    points = dlt_from_normalized(extrinsics, normalized, weights)
    active = np.flatnonzero(np.isfinite(points).all(axis=1))
    while active.size:
        in_use = used[:, active]
        errors = _errors_or_inf(cameras, points[active], flat_pixels[:, active], in_use)
        failing = errors.max(axis=0) > threshold_px
        can_drop = in_use.sum(axis=0) > min_views
        points[active[failing & ~can_drop]] = np.nan
        active = active[failing & can_drop]
        if not active.size:
            break
        dropped, points[active] = _best_view_to_drop(cameras, extrinsics, normalized[:, active],
                                                     flat_pixels[:, active], np.where(used[:, active], weights[:, active], 0.0))
        used[dropped, active] = False

    solved = np.isfinite(points).all(axis=1)
    used &= solved[None, :]
    errors = _errors_px(cameras, points, flat_pixels, detected & solved[None, :])
    return Triangulation(
        points=points.reshape(grid + (3,)),
        detected=detected.reshape((n_views,) + grid),
        used=used.reshape((n_views,) + grid),
        errors=errors.reshape((n_views,) + grid),
    )
