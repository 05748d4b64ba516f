"""The video grid's pose overlays drawn into decoded frames, so playback paints only images.

While a take plays, the frames of the grid's tiles are decoded at the size each
tile shows them (:mod:`viewer.widgets.tile_sizes`); this module draws the bones,
the detections coloured by confidence and the reprojections coloured by error
class into such a frame with OpenCV, where it was decoded (the decoding
process), instead of in the window's paint. The sizes follow the window's own
overlay painter (:mod:`viewer.widgets.overlay_painter`): line widths and dot
radii in widget pixels grow with the tile.

Plain data and OpenCV only: no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.render import palette

#: Reprojection error classes, pixels: below the first is good, above the second is bad.
ERROR_GOOD_PX = 5.0
ERROR_BAD_PX = 20.0
#: Confidence is drawn in this many colour steps (red at 0, yellow at 0.5, green at 1).
CONFIDENCE_STEPS = 10
#: Fractional bits of OpenCV's fixed-point coordinates: joints land between pixels.
SHIFT = 4
_ONE = 1 << SHIFT
#: How much wider OpenCV's antialiased strokes come out than asked, pixels.
AA_EDGE_PX = 1.0


#: BGRX colour of each confidence step, 0 .. CONFIDENCE_STEPS (:func:`analysis.render.palette.confidence_rgb`).
CONFIDENCE_BGRX: tuple[tuple[int, int, int, int], ...] = tuple(
    (*(int(round(channel * 255)) for channel in palette.confidence_rgb(step / CONFIDENCE_STEPS)[::-1]), 255)
    for step in range(CONFIDENCE_STEPS + 1))


@dataclass(frozen=True, eq=False)
class PoseOverlayData:
    """The arrays the grid's overlays are drawn from, for one take (compared by identity).

    Attributes
    ----------
    pose2d : ndarray (V, T, J, 3) float32
        Detections: x, y camera pixels and confidence (NaN where not detected).
    reprojected : ndarray (V, T, J, 2) or None
        The 3D pose projected into every camera, camera pixels.
    errors : ndarray (V, T, J) or None
        Distance between detection and reprojection, camera pixels.
    edges : ndarray (E, 2) int
        Bones, as pairs of joint indices.
    bone_sides : ndarray (E,) int
        Side code of each bone (:func:`analysis.motion.skeleton.bone_sides`).
    camera_widths : tuple of int, length V
        Each camera's frame width, pixels.
    """

    pose2d: np.ndarray
    reprojected: np.ndarray | None
    errors: np.ndarray | None
    edges: np.ndarray
    bone_sides: np.ndarray
    camera_widths: tuple[int, ...]


@dataclass(frozen=True)
class GridOverlays:
    """Which overlays to draw into a frame's views, and from what (hashable: part of a decoded frame's key).

    Attributes
    ----------
    data : PoseOverlayData
    bones, detections, reprojection : bool
        The layers drawn.
    pixel_ratio : float
        Device pixels per widget pixel of the window (line widths are in widget pixels).
    """

    data: PoseOverlayData
    bones: bool
    detections: bool
    reprojection: bool
    pixel_ratio: float = 1.0

    @property
    def draws_anything(self) -> bool:
        return self.bones or self.detections or (self.reprojection and self.data.reprojected is not None)


def marker_radius(scale: float) -> float:
    """Radius of a joint dot, widget pixels, at ``scale`` widget pixels per camera pixel."""
    return float(np.clip(0.4 + 2.0 * scale, 1.2, 4.5))


def error_class(error_px: np.ndarray) -> np.ndarray:
    """0 (good, < 5 px), 1 (fair) or 2 (bad, > 20 px) per error; ``(...,)`` int."""
    return np.digitize(error_px, (ERROR_GOOD_PX, ERROR_BAD_PX + 1e-9))


def draw_grid_overlays(images: Sequence[np.ndarray | None], sizes: Sequence[tuple[int, int] | None] | None,
                       frame: int, overlays: GridOverlays) -> list[np.ndarray | None]:
    """``images`` with ``overlays`` drawn into those decoded at a tile's size; the rest as they are.

    An image that owns its writeable pixels is drawn into in place, any other is copied first.

    Parameters
    ----------
    images : sequence of ndarray (h, w, 4) uint8 or None, length V
        One frame of every view, BGRX, in camera order.
    sizes : sequence, length V, or None
        The size each view was asked at (:mod:`viewer.widgets.tile_sizes`); a view
        asked at full size (None: zoomed in the grid) or not shown is left as it is,
        and so is every view when ``sizes`` is None.
    frame : int
    overlays : GridOverlays
    """
    if sizes is None or not overlays.draws_anything:
        return list(images)
    drawn: list[np.ndarray | None] = []
    for view, (image, size) in enumerate(zip(images, sizes)):
        if not _at_tile_size(image, size):
            drawn.append(image)
            continue
        if not (image.flags.owndata and image.flags.writeable and image.flags.c_contiguous):
            image = np.array(image, copy=True)
        _draw_view(image, view, frame, overlays)
        drawn.append(image)
    return drawn


def drawn_views(images: Sequence[np.ndarray | None], sizes: Sequence[tuple[int, int] | None] | None,
                overlays: GridOverlays | None) -> list[bool]:
    """Per view, whether :func:`draw_grid_overlays` drew into it (the window then draws none of it)."""
    if overlays is None or sizes is None or not overlays.draws_anything:
        return [False] * len(images)
    return [_at_tile_size(image, size) for image, size in zip(images, sizes)]


def _at_tile_size(image: np.ndarray | None, size: tuple[int, int] | None) -> bool:
    """A picture decoded at a tile's size: not at full size (a zoomed tile), not for a hidden view."""
    return image is not None and isinstance(size, tuple) and size[0] > 0


def _draw_view(image: np.ndarray, view: int, frame: int, overlays: GridOverlays) -> None:
    data = overlays.data
    device_scale = image.shape[1] / data.camera_widths[view]            # device pixels per camera pixel
    ratio = overlays.pixel_ratio
    radius = marker_radius(device_scale / ratio) * ratio                # device pixels
    detections = data.pose2d[view, frame]
    points = detections[:, :2].astype(np.float64) * device_scale
    if overlays.bones:
        _draw_bones(image, points, data.edges, data.bone_sides, max(1.5 * ratio, radius * 0.6), ratio)
    if overlays.reprojection and data.reprojected is not None:
        errors = data.errors[view, frame] if data.errors is not None else np.full(len(points), np.nan)
        _draw_reprojections(image, data.reprojected[view, frame] * device_scale, errors, radius, ratio)
    if overlays.detections:
        _draw_detections(image, points, detections[:, 2], radius, ratio)


def _fixed(points: np.ndarray) -> np.ndarray:
    """Pixels ``(..., 2)`` as OpenCV's fixed-point ``int32`` coordinates."""
    return np.rint(np.asarray(points) * _ONE).astype(np.int32)


def _thickness(width: float) -> int:
    """OpenCV's whole-pixel thickness for a ``width``-pixel stroke (its antialiased edge adds about a pixel)."""
    return max(1, int(width))


def _bgrx(colour: str) -> tuple[int, int, int, int]:
    return (*palette.bgr(colour), 255)


def _lines(image: np.ndarray, segments: np.ndarray, colour: tuple[int, ...], width: float) -> None:
    """Straight segments ``(N, 2, 2)`` (device pixels) in one call."""
    if len(segments):
        cv2.polylines(image, list(_fixed(segments)), False, colour, _thickness(width), cv2.LINE_AA, SHIFT)


def _draw_bones(image: np.ndarray, points: np.ndarray, edges: np.ndarray, sides: np.ndarray, width: float,
                ratio: float) -> None:
    ends = points[np.asarray(edges, dtype=np.int64).reshape(-1, 2)]      # (E, 2, 2)
    shown = np.isfinite(ends).all(axis=(1, 2))
    _lines(image, ends[shown], _bgrx(palette.OUTLINE), width + 2.0 * ratio)
    sides = np.asarray(sides)
    for side in np.unique(sides[shown]):
        _lines(image, ends[shown & (sides == side)], _bgrx(palette.SIDE_COLOURS[int(side)]), width)


def _draw_detections(image: np.ndarray, points: np.ndarray, confidence: np.ndarray, radius: float,
                     ratio: float) -> None:
    valid = np.isfinite(points).all(axis=1)
    confidence = np.nan_to_num(np.asarray(confidence, dtype=np.float64), nan=0.0)
    steps = np.rint(np.clip(confidence, 0.0, 1.0) * CONFIDENCE_STEPS).astype(np.int64)[valid].tolist()
    centres = [tuple(point) for point in _fixed(points[valid]).tolist()]
    outline = _bgrx(palette.OUTLINE)
    radius -= AA_EDGE_PX / 2                        # the antialiased rim grows a disc by about half a pixel
    for centre in centres:
        cv2.circle(image, centre, int(round((radius + ratio) * _ONE)), outline, -1, cv2.LINE_AA, SHIFT)
    for centre, step in zip(centres, steps):
        cv2.circle(image, centre, int(round(radius * _ONE)), CONFIDENCE_BGRX[step], -1, cv2.LINE_AA, SHIFT)


def _draw_reprojections(image: np.ndarray, points: np.ndarray, errors: np.ndarray, size: float,
                        ratio: float) -> None:
    valid = np.isfinite(points).all(axis=1)
    classes = error_class(np.nan_to_num(np.asarray(errors, dtype=np.float64), nan=np.inf))
    arms = np.array([[[-1, -1], [1, 1]], [[-1, 1], [1, -1]]], dtype=np.float64) * size      # (2 strokes, 2 ends, 2)
    crosses = points[:, None, None, :] + arms                                                # (J, 2, 2, 2)
    _lines(image, crosses[valid].reshape(-1, 2, 2), _bgrx(palette.OUTLINE), 4.0 * ratio)
    for klass, colour in enumerate(palette.ERROR_CLASS_COLOURS):
        _lines(image, crosses[valid & (classes == klass)].reshape(-1, 2, 2), _bgrx(colour), 2.0 * ratio)
