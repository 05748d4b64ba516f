"""Multi-view triangulation (batched, confidence-weighted DLT) and reprojection error.

Kernels are plain functions on arrays, shaped like aniposelib's:
2D points ``(V, T, J, 2)``, confidences ``(V, T, J)``, 3D points ``(T, J, 3)``.
"""

from __future__ import annotations

import numpy as np

from analysis.cameras import Camera, project_all


def normalized_points(cameras: list[Camera], pixels: np.ndarray) -> np.ndarray:
    """Undistorted normalized image coordinates ``(V, ..., 2)`` of distorted pixels.

    Parameters
    ----------
    cameras : list of Camera, length V
    pixels : ndarray, shape (V, ..., 2)
        Distorted pixel coordinates; NaN allowed.
    """
    out = np.empty(pixels.shape, dtype=np.float64)
    for v, camera in enumerate(cameras):
        undistorted = camera.undistort_pixels(pixels[v])
        out[v] = (undistorted - camera.K[:2, 2]) / np.diag(camera.K)[:2]
    return out


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
    if confidence is None:
        confidence = np.ones(pixels.shape[:-1])
    normalized = normalized_points(cameras, pixels)
    valid = np.all(np.isfinite(normalized), axis=-1) & np.isfinite(confidence) & (confidence >= min_confidence)
    weights = np.where(valid, np.nan_to_num(confidence), 0.0)
    weights = np.where(valid & (weights <= 0), 1e-6, weights)
    normalized = np.where(valid[..., None], normalized, 0.0)

    extrinsics = np.stack([np.hstack([c.R, c.t[:, None]]) for c in cameras])  # (V, 3, 4)
    shape = (n_views,) + (1,) * (pixels.ndim - 2) + (4,)
    row1 = normalized[..., 0:1] * extrinsics[:, 2].reshape(shape) - extrinsics[:, 0].reshape(shape)
    row2 = normalized[..., 1:2] * extrinsics[:, 2].reshape(shape) - extrinsics[:, 1].reshape(shape)
    rows = np.concatenate([row1, row2], axis=0) * np.concatenate([weights, weights], axis=0)[..., None]
    normal = np.einsum("v...i,v...j->...ij", rows, rows)  # (T, J, 4, 4)
    _, vectors = np.linalg.eigh(normal)
    homogeneous = vectors[..., :, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        points = homogeneous[..., :3] / homogeneous[..., 3:4]
    enough_views = valid.sum(axis=0) >= 2
    points[~enough_views] = np.nan
    return points


def reprojection_errors(cameras: list[Camera], points3d: np.ndarray, pixels: np.ndarray) -> np.ndarray:
    """Distance between detections and reprojected 3D points.

    Parameters
    ----------
    cameras : list of Camera, length V
    points3d : ndarray, shape (T, J, 3)
    pixels : ndarray, shape (V, T, J, 2)

    Returns
    -------
    ndarray, shape (V, T, J)
        Pixels; NaN where either side is missing.
    """
    projected = project_all(cameras, points3d)
    return np.linalg.norm(projected - np.asarray(pixels, dtype=np.float64), axis=-1)
