"""Pinhole cameras with OpenCV lens distortion, and vectorized projection.

Conventions: world frame right-handed, Z up, metres. Camera frame as in OpenCV
(x right, y down, z forward). ``R``, ``t`` map world to camera:
``X_cam = R @ X_world + t``.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

#: Distortion vector lengths OpenCV accepts.
VALID_DIST_LENGTHS = (0, 4, 5, 8, 12, 14)


@dataclass(frozen=True, eq=False)
class Camera:
    """One calibrated camera.

    Attributes
    ----------
    name : str
    K : ndarray, shape (3, 3)
        Intrinsics in pixels.
    dist : ndarray, shape (k,)
        OpenCV distortion ``k1 k2 p1 p2 [k3 [k4 k5 k6 [s1 s2 s3 s4 [tx ty]]]]``.
    R : ndarray, shape (3, 3)
        World-to-camera rotation.
    t : ndarray, shape (3,)
        World-to-camera translation, metres.
    width, height : int
        Image size in pixels.
    """

    name: str
    K: np.ndarray
    dist: np.ndarray
    R: np.ndarray
    t: np.ndarray
    width: int
    height: int

    def __post_init__(self) -> None:
        for attr, shape in (("K", (3, 3)), ("R", (3, 3)), ("t", (3,))):
            value = np.asarray(getattr(self, attr), dtype=np.float64)
            if value.shape != shape:
                raise ValueError(f"camera {self.name!r}: {attr} has shape {value.shape}, expected {shape}")
            object.__setattr__(self, attr, value)
        dist = np.asarray(self.dist, dtype=np.float64).reshape(-1)
        if dist.size not in VALID_DIST_LENGTHS:
            raise ValueError(f"camera {self.name!r}: dist has {dist.size} coefficients, expected one of {VALID_DIST_LENGTHS}")
        object.__setattr__(self, "dist", dist)

    @property
    def center(self) -> np.ndarray:
        """Camera centre in world coordinates, shape (3,), metres."""
        return -self.R.T @ self.t

    @property
    def projection_matrix(self) -> np.ndarray:
        """``K [R | t]``, shape (3, 4), for undistorted pixel coordinates."""
        return self.K @ np.hstack([self.R, self.t[:, None]])

    def to_camera(self, points: np.ndarray) -> np.ndarray:
        """World points ``(..., 3)`` to camera coordinates ``(..., 3)``."""
        return np.asarray(points, dtype=np.float64) @ self.R.T + self.t

    def project(self, points: np.ndarray) -> np.ndarray:
        """Project world points to distorted pixel coordinates.

        Parameters
        ----------
        points : ndarray, shape (..., 3)
            World points in metres; NaN allowed.

        Returns
        -------
        ndarray, shape (..., 2)
            Pixels. NaN for NaN input and for points at or behind the camera.
        """
        cam = self.to_camera(points)
        z = cam[..., 2]
        with np.errstate(invalid="ignore", divide="ignore"):
            in_front = z > 1e-9
            xy = cam[..., :2] / np.where(in_front, z, np.nan)[..., None]
        xy = distort_normalized(xy, self.dist)
        pixels = xy @ self.K[:2, :2].T + self.K[:2, 2]
        return pixels

    def undistort_pixels(self, pixels: np.ndarray) -> np.ndarray:
        """Remove lens distortion from pixels ``(..., 2)``; result in pixels of ``K``.

        NaN input stays NaN.
        """
        pixels = np.asarray(pixels, dtype=np.float64)
        if not np.any(self.dist):
            return pixels.copy()
        flat = pixels.reshape(-1, 2)
        finite = np.all(np.isfinite(flat), axis=1)
        out = np.full_like(flat, np.nan)
        if finite.any():
            undistorted = cv2.undistortPoints(
                flat[finite].reshape(-1, 1, 2), self.K, self.dist, R=None, P=self.K,
                criteria=(cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 40, 1e-10),
            )
            out[finite] = undistorted.reshape(-1, 2)
        return out.reshape(pixels.shape)


def distort_normalized(xy: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """Apply OpenCV's distortion model to normalized image coordinates.

    Parameters
    ----------
    xy : ndarray, shape (..., 2)
        Undistorted normalized coordinates (x/z, y/z).
    dist : ndarray, shape (k,)
        OpenCV coefficients; k in (0, 4, 5, 8, 12, 14). The tilt terms of
        k = 14 are applied through ``cv2.projectPoints``.

    Returns
    -------
    ndarray, shape (..., 2)
    """
    coeffs = np.zeros(14)
    coeffs[: dist.size] = dist
    if np.any(coeffs[12:]):
        return _distort_with_opencv(xy, dist)
    k1, k2, p1, p2, k3, k4, k5, k6, s1, s2, s3, s4 = coeffs[:12]
    x, y = xy[..., 0], xy[..., 1]
    r2 = x * x + y * y
    r4 = r2 * r2
    r6 = r4 * r2
    radial = (1 + k1 * r2 + k2 * r4 + k3 * r6) / (1 + k4 * r2 + k5 * r4 + k6 * r6)
    xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x) + s1 * r2 + s2 * r4
    yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y + s3 * r2 + s4 * r4
    return np.stack([xd, yd], axis=-1)


def _distort_with_opencv(xy: np.ndarray, dist: np.ndarray) -> np.ndarray:
    flat = xy.reshape(-1, 2)
    finite = np.all(np.isfinite(flat), axis=1)
    out = np.full_like(flat, np.nan)
    if finite.any():
        object_points = np.hstack([flat[finite], np.ones((finite.sum(), 1))])
        projected, _ = cv2.projectPoints(object_points, np.zeros(3), np.zeros(3), np.eye(3), dist)
        out[finite] = projected.reshape(-1, 2)
    return out.reshape(xy.shape)


def project_all(cameras: list[Camera], points: np.ndarray) -> np.ndarray:
    """Project world points into every camera.

    Parameters
    ----------
    cameras : list of Camera, length V
    points : ndarray, shape (T, J, 3)
        World points, metres.

    Returns
    -------
    ndarray, shape (V, T, J, 2)
        Distorted pixel coordinates; NaN where the point is NaN or behind a camera.
        V may be 0 (a session of 3D takes without cameras).
    """
    points = np.asarray(points, dtype=np.float64)
    if not cameras:
        return np.zeros((0, *points.shape[:-1], 2))
    return np.stack([camera.project(points) for camera in cameras])


def look_at(eye: np.ndarray, target: np.ndarray, up: np.ndarray = (0.0, 0.0, 1.0)) -> tuple[np.ndarray, np.ndarray]:
    """World-to-camera ``(R, t)`` for a camera at ``eye`` looking at ``target``.

    Parameters
    ----------
    eye, target : array-like, shape (3,)
        Positions in metres.
    up : array-like, shape (3,)
        World direction that appears up in the image.

    Returns
    -------
    R : ndarray, shape (3, 3)
    t : ndarray, shape (3,)
    """
    eye = np.asarray(eye, dtype=np.float64)
    forward = np.asarray(target, dtype=np.float64) - eye
    forward /= np.linalg.norm(forward)
    right = np.cross(forward, np.asarray(up, dtype=np.float64))
    right /= np.linalg.norm(right)
    down = np.cross(forward, right)
    rotation = np.stack([right, down, forward])
    return rotation, -rotation @ eye
