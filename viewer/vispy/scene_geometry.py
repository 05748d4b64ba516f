"""Line geometry of the 3D skeleton view, as plain numpy arrays.

Everything here is pure numpy (no Qt, no vispy) so it can be tested without a
display. World frame: right-handed, Z up, metres, floor at z = 0. Line
geometry is returned as *segments*: ``(2N, 3)`` arrays in which rows ``2i``
and ``2i + 1`` are the two ends of segment ``i`` (vispy's
``connect='segments'``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.catalogue.apparatus import Apparatus
from analysis.geometry.cameras import Camera

# The 12 edges of a box, as indices into its 8 corners (bit 0: x, bit 1: y, bit 2: z).
_BOX_EDGES = np.array([
    (0, 1), (2, 3), (4, 5), (6, 7),
    (0, 2), (1, 3), (4, 6), (5, 7),
    (0, 4), (1, 5), (2, 6), (3, 7),
])


def floor_grid_segments(half_extent: float, spacing: float = 1.0) -> np.ndarray:
    """Lines of a square floor grid centred on the origin, at z = 0.

    Parameters
    ----------
    half_extent : float
        The grid covers ``[-half_extent, half_extent]`` in x and y, metres;
        rounded up to a whole number of ``spacing``.
    spacing : float
        Distance between grid lines, metres.

    Returns
    -------
    ndarray, shape (2N, 3)
        Segments; the first N/2 run along Y (constant x), the rest along X.
    """
    if spacing <= 0 or half_extent <= 0:
        raise ValueError(f"grid spacing and extent must be positive, got {spacing} and {half_extent}")
    n = int(np.ceil(half_extent / spacing - 1e-9))
    ticks = np.arange(-n, n + 1) * spacing
    edge = n * spacing
    along_y = np.stack([
        np.stack([ticks, np.full_like(ticks, -edge), np.zeros_like(ticks)], axis=-1),
        np.stack([ticks, np.full_like(ticks, edge), np.zeros_like(ticks)], axis=-1),
    ], axis=1)
    along_x = along_y[..., [1, 0, 2]]
    return np.concatenate([along_y, along_x]).reshape(-1, 3)


def box_segments(center: np.ndarray, size: np.ndarray) -> np.ndarray:
    """The 12 edges of an axis-aligned box, ``(24, 3)`` segments in metres."""
    bits = (np.arange(8)[:, None] >> np.arange(3)) & 1
    corners = np.asarray(center, float) + (bits - 0.5) * np.asarray(size, float)
    return corners[_BOX_EDGES].reshape(-1, 3)


def apparatus_segments(apparatus: Apparatus) -> tuple[np.ndarray, np.ndarray]:
    """Outline of an event's apparatus: floor patch rectangles, box edges and bar axes.

    Parameters
    ----------
    apparatus : Apparatus

    Returns
    -------
    segments : ndarray, shape (2N, 3)
        Metres.
    colors : ndarray, shape (2N, 3)
        RGB in [0, 1] per vertex, from the apparatus colours (stored BGR).
    """
    pieces: list[np.ndarray] = []
    colors: list[np.ndarray] = []

    def add(segments: np.ndarray, bgr: tuple[int, int, int]) -> None:
        pieces.append(segments)
        colors.append(np.tile(np.asarray(bgr[::-1], float) / 255.0, (len(segments), 1)))

    for patch in apparatus.patches:
        (x0, x1), (y0, y1) = patch.x_range, patch.y_range
        corners = np.array([(x0, y0, 0.0), (x1, y0, 0.0), (x1, y1, 0.0), (x0, y1, 0.0)])
        add(corners[[0, 1, 1, 2, 2, 3, 3, 0]], patch.color)
    for box in apparatus.boxes:
        add(box_segments(np.array(box.center), np.array(box.size)), box.color)
    for bar in apparatus.bars:
        add(np.array([bar.start, bar.end], float), bar.color)
    if not pieces:
        return np.zeros((0, 3)), np.zeros((0, 3))
    return np.concatenate(pieces), np.concatenate(colors)


def frustum_corners(camera: Camera, depth: float) -> np.ndarray:
    """World points at ``depth`` metres in front of the camera on the rays through the image corners.

    Lens distortion is ignored: the rays go through the corners of the
    undistorted image of ``K``.

    Parameters
    ----------
    camera : Camera
    depth : float
        Distance along the optical axis (camera z), metres.

    Returns
    -------
    ndarray, shape (4, 3)
        Corners in image order: top-left, top-right, bottom-right, bottom-left.
    """
    w, h = camera.width, camera.height
    pixels = np.array([(0.0, 0.0, 1.0), (w, 0.0, 1.0), (w, h, 1.0), (0.0, h, 1.0)])
    rays = pixels @ np.linalg.inv(camera.K).T
    in_camera = rays * (depth / rays[:, 2:3])
    return (in_camera - camera.t) @ camera.R


def frustum_segments(camera: Camera, depth: float) -> np.ndarray:
    """A camera drawn as a pyramid: 4 rays from its centre, the image rectangle, and an "up" tick.

    Parameters
    ----------
    camera : Camera
    depth : float
        Distance of the drawn image rectangle from the centre, metres.

    Returns
    -------
    ndarray, shape (22, 3)
        11 segments, metres: 4 rays (apex first), 4 rectangle edges, and a
        small triangle above the top edge that shows which way is up in the image.
    """
    apex = camera.center
    corners = frustum_corners(camera, depth)
    rays = np.stack([np.repeat(apex[None], 4, axis=0), corners], axis=1).reshape(-1, 3)
    rectangle = corners[[0, 1, 1, 2, 2, 3, 3, 0]]
    top_left, top_right, _, bottom_left = corners
    up = (top_left - bottom_left) * 0.25
    tip = (top_left + top_right) / 2 + up
    left_foot = top_left + (top_right - top_left) * 0.3
    right_foot = top_left + (top_right - top_left) * 0.7
    triangle = np.array([left_foot, tip, tip, right_foot, right_foot, left_foot])
    return np.concatenate([rays, rectangle, triangle])


@dataclass(frozen=True)
class DrawnPose:
    """A take's skeleton as the 3D view draws it.

    Attributes
    ----------
    positions : ndarray, shape (T, J, 3)
        Metres: the triangulated joints, and the reference where a joint was not
        triangulated (NaN where neither is known).
    uncertain : ndarray, shape (T, J) bool
        Joints drawn hollow and grey: not triangulated, or seen with a mean 2D
        confidence (an undetected joint counts as 0) below the threshold.
    """

    positions: np.ndarray
    uncertain: np.ndarray

    @classmethod
    def of(cls, pose3d: np.ndarray | None, reference: np.ndarray | None, pose2d: np.ndarray,
           low_confidence: float) -> "DrawnPose":
        """Build from a take's arrays: pose3d and reference ``(T, J, 3)`` or None, pose2d ``(V, T, J, 3)``."""
        shape = pose2d.shape[1:3] + (3,)
        estimate = pose3d if pose3d is not None else np.full(shape, np.nan)
        missing = ~np.all(np.isfinite(estimate), axis=-1)
        positions = estimate if reference is None else np.where(missing[..., None], reference, estimate)
        if not np.isfinite(pose2d[..., 0]).any():   # 3D without 2D detections (imported motion capture)
            return cls(np.asarray(positions, dtype=np.float64), missing)
        confidence = np.nan_to_num(pose2d[..., 2], nan=0.0).mean(axis=0)
        return cls(np.asarray(positions, dtype=np.float64), missing | (confidence < low_confidence))

    def finite_joints(self) -> np.ndarray:
        """Every drawn joint position of the take, ``(N, 3)`` metres."""
        joints = self.positions.reshape(-1, 3)
        return joints[np.all(np.isfinite(joints), axis=1)]


def skeleton_segments(edges: np.ndarray, pose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bones of one frame whose two joints are both finite.

    Parameters
    ----------
    edges : ndarray, shape (E, 2) int
    pose : ndarray, shape (J, 3)
        Metres; NaN for missing joints.

    Returns
    -------
    segments : ndarray, shape (2B, 3)
    kept : ndarray, shape (B,) int
        Indices into ``edges`` of the bones drawn.
    """
    finite = np.all(np.isfinite(pose), axis=1)
    kept = np.flatnonzero(finite[edges[:, 0]] & finite[edges[:, 1]])
    return pose[edges[kept]].reshape(-1, 3), kept


def trail_segments(poses: np.ndarray, joints: np.ndarray, frame: int, window: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paths of some joints over the ``window`` frames up to ``frame``, as fading segments.

    Parameters
    ----------
    poses : ndarray, shape (T, J, 3)
        Metres; NaN for missing joints (segments touching them are left out).
    joints : ndarray, shape (K,) int
        Joints to trace.
    frame : int
        Current frame; the trail ends here.
    window : int
        Number of frames the trail reaches back.

    Returns
    -------
    segments : ndarray, shape (2S, 3)
    fade : ndarray, shape (2S,)
        Per vertex, 1 at the current frame falling linearly to 0 ``window``
        frames earlier.
    joint_of_vertex : ndarray, shape (2S,) int
        Position in ``joints`` of each vertex's joint.
    """
    first = max(0, frame - window)
    path = poses[first:frame + 1][:, joints]                                   # (n, K, 3)
    if len(path) < 2:
        return np.zeros((0, 3)), np.zeros(0), np.zeros(0, dtype=np.int64)
    ends = np.stack([path[:-1], path[1:]], axis=2)                            # (n-1, K, 2, 3)
    frames = np.arange(first, frame + 1)
    ages = frame - np.stack([frames[:-1], frames[1:]], axis=1)                # (n-1, 2)
    fade = np.broadcast_to(1.0 - ages[:, None, :] / window, ends.shape[:3])   # (n-1, K, 2)
    which = np.broadcast_to(np.arange(len(joints))[None, :, None], ends.shape[:3])
    valid = np.all(np.isfinite(ends), axis=(2, 3))
    return ends[valid].reshape(-1, 3), fade[valid].reshape(-1), which[valid].reshape(-1)


def motion_bounds(poses: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounds of every finite joint over a take.

    Parameters
    ----------
    poses : ndarray, shape (T, J, 3)

    Returns
    -------
    low, high : ndarray, shape (3,)
        Metres. Raises ValueError when no joint is finite.
    """
    points = poses.reshape(-1, 3)
    points = points[np.all(np.isfinite(points), axis=1)]
    if not len(points):
        raise ValueError("the take has no finite 3D joint")
    return points.min(axis=0), points.max(axis=0)
