"""Multi-view triangulation (batched, confidence-weighted DLT) and reprojection error.

Kernels are plain functions on arrays, shaped like aniposelib's:
2D points ``(V, T, J, 2)``, confidences ``(V, T, J)``, 3D points ``(T, J, 3)``.
The robust mode that drops outlying views lives in
:mod:`analysis.geometry.robust_triangulation`.
"""

from __future__ import annotations

import cv2
import numpy as np

from analysis.geometry.cameras import Camera

#: ``cv2.undistortPoints`` iterates until the re-distorted point is within
#: 1e-8 px of the detection (at most 30 times: ~1e-9 px for mild lenses,
#: < 1e-6 px for strong barrel distortion such as k1 = -0.35).
_UNDISTORT_CRITERIA = (cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 30, 1e-8)
#: Relative shift of the inverse iteration that finds the DLT null vector.
_INVERSE_ITERATION_SHIFT = 1e-12


def normalized_points(cameras: list[Camera], pixels: np.ndarray) -> np.ndarray:
    """Undistorted normalized image coordinates ``(V, ..., 2)`` of distorted pixels.

    Parameters
    ----------
    cameras : list of Camera, length V
    pixels : ndarray, shape (V, ..., 2)
        Distorted pixel coordinates; NaN allowed (stays NaN).
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    out = np.full(pixels.shape, np.nan)
    for v, camera in enumerate(cameras):
        flat = pixels[v].reshape(-1, 2)
        finite = np.isfinite(flat).all(axis=1)
        target = out[v].reshape(-1, 2)
        if not finite.any():
            continue
        if np.any(camera.dist):
            undistorted = cv2.undistortPoints(flat[finite].reshape(-1, 1, 2), camera.K, camera.dist,
                                              criteria=_UNDISTORT_CRITERIA).reshape(-1, 2)
        else:
            undistorted = (flat[finite] - camera.K[:2, 2]) / np.diag(camera.K)[:2]
        target[finite] = undistorted
    return out


def extrinsic_matrices(cameras: list[Camera]) -> np.ndarray:
    """``[R | t]`` of every camera, shape (V, 3, 4)."""
    return np.stack([np.hstack([camera.R, camera.t[:, None]]) for camera in cameras])


def dlt_from_normalized(extrinsics: np.ndarray, normalized: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted homogeneous DLT of points given in normalized image coordinates.

    Each view adds the rows ``w (x P3 - P1)`` and ``w (y P3 - P2)``; the point is
    the null vector of the stacked rows (the smallest eigenvector of their
    4x4 normal matrix, found by two steps of shifted inverse iteration, which
    is exact to rounding for any point with a clear null vector).

    Parameters
    ----------
    extrinsics : ndarray, shape (V, 3, 4)
        ``[R | t]`` per view.
    normalized : ndarray, shape (V, P, 2)
        Undistorted normalized coordinates; values where ``weights`` is 0 are ignored
        (they may be NaN).
    weights : ndarray, shape (V, P)
        Non-negative weight of each view for each point; 0 leaves the view out.

    Returns
    -------
    ndarray, shape (P, 3)
        World points, metres; NaN where fewer than two views have weight > 0.
    """
    n_views, n_points = weights.shape
    used = weights > 0
    xy = np.where(used[..., None], normalized, 0.0)
    rows = np.empty((n_points, 2 * n_views, 4))
    for v in range(n_views):
        p1, p2, p3 = extrinsics[v]
        w = weights[v][:, None]
        rows[:, 2 * v] = w * (xy[v, :, 0:1] * p3 - p1)
        rows[:, 2 * v + 1] = w * (xy[v, :, 1:2] * p3 - p2)
    normal = np.matmul(rows.transpose(0, 2, 1), rows)  # (P, 4, 4)
    solvable = used.sum(axis=0) >= 2
    normal[~solvable] = np.eye(4)
    scale = np.trace(normal, axis1=1, axis2=2)
    normal += (_INVERSE_ITERATION_SHIFT * scale)[:, None, None] * np.eye(4)
    vector = np.zeros((n_points, 4, 1))
    vector[:, 3] = 1.0
    for _ in range(2):
        vector = np.linalg.solve(normal, vector)
        vector /= np.linalg.norm(vector, axis=1, keepdims=True)
    homogeneous = vector[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        points = homogeneous[:, :3] / homogeneous[:, 3:4]
    points[~solvable] = np.nan
    return points


def detection_weights(pixels: np.ndarray, confidence: np.ndarray | None, min_confidence: float) -> np.ndarray:
    """DLT weight of every detection, shape (V, ...): its confidence, 0 where unusable.

    A detection is unusable where a pixel coordinate is NaN or the confidence
    is NaN or below ``min_confidence``; a usable detection of confidence 0
    gets a tiny weight so that it still counts as a view.
    """
    if confidence is None:
        confidence = np.ones(pixels.shape[:-1])
    confidence = np.asarray(confidence, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(pixels).all(axis=-1) & np.isfinite(confidence) & (confidence >= min_confidence)
    weights = np.where(valid, np.nan_to_num(confidence), 0.0)
    return np.where(valid & (weights <= 0), 1e-6, weights)


def triangulate_dlt(
    cameras: list[Camera],
    pixels: np.ndarray,
    confidence: np.ndarray | None = None,
    min_confidence: float = 0.0,
) -> np.ndarray:
    """Triangulate points seen by several cameras with a weighted DLT.

    Each view contributes two equations weighted by its confidence; views with
    NaN pixels or confidence below ``min_confidence`` are left out. Points
    seen by fewer than two views are NaN.

    Parameters
    ----------
    cameras : list of Camera, length V
    pixels : ndarray, shape (V, T, J, 2)
        Distorted pixel coordinates.
    confidence : ndarray, shape (V, T, J), optional
        Detection confidence in [0, 1]; all ones if omitted.
    min_confidence : float
        Views below this confidence are not used.

    Returns
    -------
    ndarray, shape (T, J, 3)
        World points, metres.
    """
    pixels = np.asarray(pixels, dtype=np.float64)
    n_views = pixels.shape[0]
    weights = detection_weights(pixels, confidence, min_confidence)
    normalized = normalized_points(cameras, pixels)
    points = dlt_from_normalized(extrinsic_matrices(cameras), normalized.reshape(n_views, -1, 2),
                                 weights.reshape(n_views, -1))
    return points.reshape(pixels.shape[1:-1] + (3,))


def reprojection_errors(reprojected: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """Distance between detections and reprojected 3D points.

    Parameters
    ----------
    reprojected : ndarray, shape (V, T, J, 2)
        3D points projected into every camera (:func:`analysis.geometry.cameras.project_all`), pixels.
    pixels : ndarray, shape (V, T, J, 2)
        Detections, pixels.

    Returns
    -------
    ndarray, shape (V, T, J)
        Pixels; NaN where either side is missing.
    """
    return np.linalg.norm(np.asarray(reprojected, dtype=np.float64) - np.asarray(pixels, dtype=np.float64), axis=-1)
