"""The camera rig: triangulate (with views left out), reproject, and measure every detection.

One object orchestrates the pure kernels of this package, in the manner of
aniposelib's ``CameraGroup``: :mod:`analysis.geometry.cameras` (projection),
:mod:`analysis.geometry.triangulation` (weighted DLT, reprojection error) and
:mod:`analysis.geometry.robust_triangulation`, then hands the measured
detections to :mod:`analysis.geometry.report`. The command line, the import,
the re-triangulation of a file and the application's inspector all go through
it, so they report the same figures for the same 3D.

Shapes follow aniposelib: detections ``(V, T, J, 3)`` (x, y pixels and
confidence), 3D points ``(T, J, 3)`` metres.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.geometry.cameras import Camera, project_all
from analysis.geometry.report import Observations
from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
    Triangulation,
    triangulate_robust,
)
from analysis.geometry.triangulation import detection_weights, reprojection_errors

#: Precision a session file stores 3D points in (``pose3d`` is float32).
STORED_DTYPE = np.float32


@dataclass(frozen=True, eq=False)
class Retriangulation:
    """A take triangulated again, as it will be stored and shown.

    Attributes
    ----------
    points : ndarray, shape (T, J, 3), float32
        Metres; NaN where a joint was left empty.
    reprojected : ndarray, shape (V, T, J, 2)
        ``points`` projected into every camera, pixels.
    observations : Observations
        Every detection against ``points``.
    """

    points: np.ndarray
    reprojected: np.ndarray
    observations: Observations


class CameraRig:
    """Calibrated cameras with the settings of robust triangulation.

    Parameters
    ----------
    cameras : sequence of Camera, length V
    threshold_px : float
        Robust threshold: a view whose detection reprojects farther than this
        is left out of the point, pixels.
    min_confidence : float
        Detections below this confidence are not used.
    source : str
        What the rig belongs to (a file, a take), named in error messages.
    """

    def __init__(self, cameras: Sequence[Camera], threshold_px: float = DEFAULT_THRESHOLD_PX,
                 min_confidence: float = DEFAULT_MIN_CONFIDENCE, source: str = "camera rig") -> None:
        if not threshold_px > 0:
            raise ValueError(f"{source}: the threshold must be a positive number of pixels, got {threshold_px}")
        self.cameras = list(cameras)
        self.threshold_px = float(threshold_px)
        self.min_confidence = float(min_confidence)
        self.source = source

    @property
    def view_names(self) -> tuple[str, ...]:
        return tuple(camera.name for camera in self.cameras)

    def participating(self, excluded_views: Sequence[str] = ()) -> np.ndarray:
        """Which views take part when ``excluded_views`` are left out, shape (V,), bool.

        Raises
        ------
        ValueError
            For a view the rig does not have, or when fewer than two views remain.
        """
        views = self.view_names
        unknown = [name for name in excluded_views if name not in views]
        if unknown:
            raise ValueError(f"{self.source}: no view named {', '.join(map(repr, unknown))}; "
                             f"views are {', '.join(views)}")
        keep = np.array([name not in excluded_views for name in views])
        if keep.sum() < 2:
            raise ValueError(f"{self.source}: excluding {', '.join(excluded_views)} leaves fewer than two views")
        return keep

    def triangulate(self, pose2d: np.ndarray, excluded_views: Sequence[str] = ()) -> Triangulation:
        """Robust triangulation without ``excluded_views``.

        Parameters
        ----------
        pose2d : ndarray, shape (V, T, J, 3)
            x, y pixels and confidence; NaN pixels where not detected.
        excluded_views : sequence of str
            Views whose detections are not used at all (they count as not detected).

        Returns
        -------
        Triangulation
            Joints with fewer than two views agreeing within the threshold are NaN.
        """
        pose2d = np.asarray(pose2d, dtype=np.float64)
        keep = self.participating(excluded_views)
        pixels = np.where(keep[:, None, None, None], pose2d[..., :2], np.nan)
        return triangulate_robust(self.cameras, pixels, pose2d[..., 2], self.min_confidence, self.threshold_px)

    def reproject(self, points: np.ndarray) -> np.ndarray:
        """3D points ``(T, J, 3)`` metres projected into every camera, ``(V, T, J, 2)`` pixels (NaN stays NaN)."""
        return project_all(self.cameras, points)

    def errors(self, pose2d: np.ndarray, reprojected: np.ndarray) -> np.ndarray:
        """Reprojection error ``(V, T, J)`` px of every detection of ``pose2d (V, T, J, 3)``.

        ``reprojected`` comes from :meth:`reproject`. NaN where the detection or the point is missing.
        """
        return reprojection_errors(reprojected, np.asarray(pose2d)[..., :2])

    def observe(self, pose2d: np.ndarray, points: np.ndarray, excluded_views: Sequence[str] = (),
                errors: np.ndarray | None = None) -> Observations:
        """Measure every detection against the 3D points.

        Parameters
        ----------
        pose2d : ndarray, shape (V, T, J, 3)
        points : ndarray, shape (T, J, 3)
            The 3D as stored, metres.
        excluded_views : sequence of str
            Views the 3D was triangulated without.
        errors : ndarray, shape (V, T, J), optional
            :meth:`errors` of these detections and points, when already computed.
        """
        points = np.asarray(points)
        if errors is None:
            errors = self.errors(pose2d, self.reproject(points))
        pose2d = np.asarray(pose2d)
        usable = detection_weights(pose2d[..., :2], pose2d[..., 2], self.min_confidence) > 0
        return Observations(points=points, errors=errors, usable=usable,
                            participating=self.participating(excluded_views), threshold_px=self.threshold_px)

    def retriangulate(self, pose2d: np.ndarray, excluded_views: Sequence[str] = ()) -> Retriangulation:
        """Triangulate without ``excluded_views`` and measure every detection against the result.

        The points are rounded to the precision a session stores them in
        before they are measured, so the figures are those of the file once
        written, and of the file when opened again.
        """
        points = self.triangulate(pose2d, excluded_views).points.astype(STORED_DTYPE)
        reprojected = self.reproject(points)
        observations = self.observe(pose2d, points, excluded_views, self.errors(pose2d, reprojected))
        return Retriangulation(points, reprojected, observations)
