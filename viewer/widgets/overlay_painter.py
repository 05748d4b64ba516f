"""Drawing 2D pose overlays on a video tile: detections, reprojections, bones, one joint's error.

Overlay coordinates arrive in camera pixels; :class:`TileGeometry` maps them
onto the letterboxed image area of a tile. Points that are NaN (not detected,
not triangulated) are skipped. Drawing is batched per colour so a frame of
8 tiles stays cheap during playback.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from analysis.motion.skeleton import Skeleton, bone_sides
from analysis.render import palette
from analysis.render.grid_overlays import CONFIDENCE_STEPS, error_class, marker_radius
from viewer.widgets.tile_zoom import TileZoom

ERROR_COLORS = tuple(QColor(colour) for colour in palette.ERROR_CLASS_COLOURS)

# Opaque colours only: Qt strokes translucent wide lines an order of magnitude slower.
SIDE_COLORS = tuple(QColor(colour) for colour in palette.SIDE_COLOURS)
OUTLINE = QColor(palette.OUTLINE)
INSPECTION = QColor(palette.WHITE)
LABEL_BOX = QColor(*palette.rgb255(palette.LABEL_BOX), 215)
LABEL_TEXT = QColor(palette.TEXT)


@dataclass(frozen=True)
class TileGeometry:
    """Where one camera image sits inside its tile, zoomed or not.

    Attributes
    ----------
    tile : QRectF
        The tile, widget pixels.
    image : QRectF
        The visible image area: the camera image letterboxed inside ``tile`` at the
        camera's aspect ratio (zooming shows part of the image in this same area).
    scale : float
        Widget pixels per camera pixel.
    origin : QPointF
        Where camera pixel (0, 0) lands, widget pixels (outside ``image`` when zoomed).
    """

    tile: QRectF
    image: QRectF
    scale: float
    origin: QPointF

    @classmethod
    def letterbox(cls, tile: QRectF, width: int, height: int, zoom: TileZoom | None = None) -> "TileGeometry":
        """Fit a ``width`` x ``height`` camera image in ``tile``, centred, aspect kept, then apply ``zoom``."""
        fit = min(tile.width() / width, tile.height() / height)
        image = QRectF(0, 0, round(width * fit), round(height * fit))
        image.moveCenter(tile.center())
        image.moveTopLeft(image.topLeft().toPoint().toPointF())  # whole pixels: a faster image blit
        scale = image.width() / width
        if zoom is None or not zoom.is_zoomed:
            return cls(tile, image, scale, image.topLeft())
        zoom = zoom.clamped(width, height)
        anchor = image.topLeft() + QPointF(width / 2 * scale, height / 2 * scale)   # the image centre, unzoomed
        scale *= zoom.factor
        centre_x, centre_y = zoom.centre
        return cls(tile, image, scale, anchor - QPointF(centre_x * scale, centre_y * scale))

    def map(self, pixels: np.ndarray) -> np.ndarray:
        """Camera pixels ``(..., 2)`` to widget pixels ``(..., 2)``."""
        return np.asarray(pixels, dtype=np.float64) * self.scale + (self.origin.x(), self.origin.y())

    def unmap(self, widget: np.ndarray) -> np.ndarray:
        """Widget pixels ``(..., 2)`` to camera pixels ``(..., 2)``."""
        return (np.asarray(widget, dtype=np.float64) - (self.origin.x(), self.origin.y())) / self.scale

    def source_rect(self) -> QRectF:
        """The part of the camera image shown in :attr:`image`, camera pixels."""
        return QRectF((self.image.left() - self.origin.x()) / self.scale, (self.image.top() - self.origin.y()) / self.scale,
                      self.image.width() / self.scale, self.image.height() / self.scale)

    @property
    def marker_radius(self) -> float:
        """Radius of a joint dot, widget pixels: grows with the tile, within readable limits."""
        return marker_radius(self.scale)


def confidence_color(confidence: float) -> QColor:
    """Red (0) through yellow (0.5) to green (1): :func:`analysis.render.palette.confidence_rgb`."""
    return QColor.fromRgbF(*palette.confidence_rgb(confidence))


def error_color(error_px: float) -> QColor:
    return ERROR_COLORS[int(error_class(np.asarray(error_px)))]


def bone_colors(skeleton: Skeleton) -> list[QColor]:
    """One colour per bone, by the side of the body it is on (:func:`analysis.motion.skeleton.bone_sides`)."""
    return [SIDE_COLORS[side] for side in bone_sides(skeleton)]


def _valid(points: np.ndarray) -> np.ndarray:
    return np.isfinite(points).all(axis=-1)


def _qpoints(points: np.ndarray) -> list[QPointF]:
    """Points ``(..., 2)`` as a flat list of QPointF (through ``tolist``: no numpy scalars)."""
    return [QPointF(x, y) for x, y in np.reshape(points, (-1, 2)).tolist()]


@lru_cache(maxsize=256)
def _round_pen(rgba: int, width: float) -> QPen:
    """A round-capped pen of colour ``rgba`` (``QColor.rgba()``); cached, so do not modify it."""
    pen = QPen(QColor.fromRgba(rgba), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


@lru_cache(maxsize=1)
def _confidence_palette() -> tuple[int, ...]:
    """``QColor.rgba()`` of each confidence step, 0 .. CONFIDENCE_STEPS."""
    return tuple(confidence_color(step / CONFIDENCE_STEPS).rgba() for step in range(CONFIDENCE_STEPS + 1))


def draw_bones(painter: QPainter, points: np.ndarray, edges: np.ndarray, colors: list[QColor], width: float) -> None:
    """Skeleton edges between detected joints: an outline pass, then one pass per colour.

    Parameters
    ----------
    points : ndarray (J, 2)
        Joints, widget pixels (NaN where not detected).
    edges : ndarray (E, 2) int
    colors : list of QColor, length E
    width : float
        Line width, widget pixels.
    """
    ends = np.asarray(points, dtype=np.float64)[np.asarray(edges, dtype=np.int64).reshape(-1, 2)]  # (E, 2, 2)
    drawn = np.isfinite(ends).all(axis=(1, 2))
    if not drawn.any():
        return
    lines = [QLineF(*bone) if shown else None for bone, shown in zip(ends.reshape(-1, 4).tolist(), drawn.tolist())]
    painter.setPen(_round_pen(OUTLINE.rgba(), width + 2.0))
    painter.drawLines([line for line in lines if line is not None])
    for key, bones in _colour_groups(tuple(color.rgba() for color in colors)):
        chosen = [lines[bone] for bone in bones if lines[bone] is not None]
        if chosen:
            painter.setPen(_round_pen(key, width))
            painter.drawLines(chosen)


@lru_cache(maxsize=16)
def _colour_groups(rgbas: tuple[int, ...]) -> tuple[tuple[int, tuple[int, ...]], ...]:
    """The indices of the items of each colour ``QColor.rgba()``, in the order the colours first come."""
    groups: dict[int, list[int]] = {}
    for index, key in enumerate(rgbas):
        groups.setdefault(key, []).append(index)
    return tuple((key, tuple(indices)) for key, indices in groups.items())


def draw_detections(painter: QPainter, points: np.ndarray, confidence: np.ndarray, radius: float) -> None:
    """Joint dots coloured by detection confidence.

    Parameters
    ----------
    points : ndarray (J, 2)
        Widget pixels, NaN where not detected.
    confidence : ndarray (J,)
        In [0, 1].
    radius : float
        Dot radius, widget pixels.
    """
    valid = _valid(points)
    if not valid.any():
        return
    dots = _qpoints(points[valid])
    confidence = np.asarray(confidence, dtype=np.float64)[valid]   # a copy
    confidence[np.isnan(confidence)] = 0.0                          # NaN: step 0
    steps = np.rint(np.clip(confidence, 0.0, 1.0) * CONFIDENCE_STEPS).astype(np.int64).tolist()
    ramp = _confidence_palette()
    painter.setPen(_round_pen(OUTLINE.rgba(), 2 * radius + 2.0))
    painter.drawPoints(dots)
    by_step: dict[int, list[QPointF]] = {}
    for dot, step in zip(dots, steps):
        by_step.setdefault(step, []).append(dot)
    for step in sorted(by_step):
        painter.setPen(_round_pen(ramp[step], 2 * radius))
        painter.drawPoints(by_step[step])


def _cross_lines(points: np.ndarray, size: float) -> list[QPointF]:
    """The two strokes of an X of half-width ``size`` at each point ``(N, 2)``, as line end points."""
    offsets = np.array([[-1, -1], [1, 1], [-1, 1], [1, -1]], dtype=np.float64) * size
    return _qpoints(np.asarray(points, dtype=np.float64)[:, None, :] + offsets)


def draw_reprojections(painter: QPainter, points: np.ndarray, errors: np.ndarray, size: float) -> None:
    """Crosses at the reprojected 3D joints, coloured by reprojection error class.

    Parameters
    ----------
    points : ndarray (J, 2)
        Reprojected joints, widget pixels (NaN where not triangulated).
    errors : ndarray (J,)
        Reprojection error, camera pixels (NaN where undefined: drawn as bad).
    size : float
        Half the width of a cross, widget pixels.
    """
    valid = _valid(points)
    if not valid.any():
        return
    classes = error_class(np.nan_to_num(errors, nan=np.inf))
    painter.setPen(_round_pen(OUTLINE.rgba(), 4.0))
    painter.drawLines(_cross_lines(points[valid], size))
    for klass, color in enumerate(ERROR_COLORS):
        chosen = valid & (classes == klass)
        if chosen.any():
            painter.setPen(_round_pen(color.rgba(), 2.0))
            painter.drawLines(_cross_lines(points[chosen], size))


def draw_joint_inspection(painter: QPainter, geometry: TileGeometry, detection: np.ndarray,
                          reprojection: np.ndarray | None, error_px: float | None, joint_name: str) -> None:
    """One joint in detail: its detection, its reprojection, the error line and a label.

    Parameters
    ----------
    geometry : TileGeometry
    detection : ndarray (2,)
        Detected joint, camera pixels (NaN if not detected).
    reprojection : ndarray (2,) or None
        Reprojected 3D joint, camera pixels (None or NaN if not triangulated).
    error_px : float or None
        Distance between the two, camera pixels.
    joint_name : str
    """
    radius = geometry.marker_radius
    found = np.isfinite(detection).all()
    reprojected = reprojection is not None and np.isfinite(reprojection).all()
    detected_at = QPointF(*geometry.map(detection)) if found else None
    reprojected_at = QPointF(*geometry.map(reprojection)) if reprojected else None
    color = error_color(error_px) if error_px is not None and np.isfinite(error_px) else INSPECTION
    if detected_at is not None and reprojected_at is not None:
        painter.setPen(_round_pen(OUTLINE.rgba(), 4.0))
        painter.drawLine(detected_at, reprojected_at)
        painter.setPen(_round_pen(color.rgba(), 2.0))
        painter.drawLine(detected_at, reprojected_at)
    if reprojected_at is not None:
        painter.setPen(_round_pen(OUTLINE.rgba(), 5.0))
        painter.drawLines(_cross_lines(np.array([[reprojected_at.x(), reprojected_at.y()]]), radius + 2))
        painter.setPen(_round_pen(color.rgba(), 2.5))
        painter.drawLines(_cross_lines(np.array([[reprojected_at.x(), reprojected_at.y()]]), radius + 2))
    if detected_at is not None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen_color, width in ((OUTLINE, 4.5), (INSPECTION, 2.0)):
            painter.setPen(QPen(pen_color, width))
            painter.drawEllipse(detected_at, radius * 2.2, radius * 2.2)
    anchor = detected_at or reprojected_at
    if anchor is None:
        text = f"{joint_name}: not detected"
        anchor = geometry.image.center()
    elif error_px is None or not np.isfinite(error_px):
        text = f"{joint_name}: no reprojection"
    else:
        text = f"{joint_name}  {error_px:.1f} px"
    draw_label(painter, anchor + QPointF(radius * 2.5, -radius * 2.5), text, geometry.image, color)


def paint_pose_overlays(painter: QPainter, take, index: int, frame: int, geometry: TileGeometry, state,
                        colors: list[QColor], skeleton_always: bool, layers_drawn: bool = False) -> None:
    """The 2D overlays of view ``index`` of ``take`` at ``frame`` that ``state`` asks for.

    Bones and detections (always when ``skeleton_always``: a view without video),
    reprojections, and the selected joint in detail on the selected view. With
    ``layers_drawn`` the image has the bones, detections and reprojections drawn
    in already (:mod:`analysis.render.grid_overlays`): only the selected joint is.

    Parameters
    ----------
    take : TakeBundle
    state : ViewerState
        Its ``overlays``, ``selected_joint`` and ``selected_view`` are read.
    colors : list of QColor
        The skeleton's bone colours (:func:`bone_colors`).
    """
    overlays = {} if layers_drawn else state.overlays
    detections = take.pose2d[index, frame]
    points = geometry.map(detections[:, :2])
    radius = geometry.marker_radius
    if overlays.get("bones") or skeleton_always:
        draw_bones(painter, points, take.skeleton.edge_array, colors, max(1.5, radius * 0.6))
    if overlays.get("reprojection") and take.reprojected is not None:
        errors = take.errors[index, frame] if take.errors is not None else np.full(len(points), np.nan)
        draw_reprojections(painter, geometry.map(take.reprojected[index, frame]), errors, radius)
    if overlays.get("detections") or skeleton_always:
        draw_detections(painter, points, detections[:, 2], radius)
    joint = state.selected_joint
    if joint is not None and take.view_names[index] == state.selected_view:
        reprojection = None if take.reprojected is None else take.reprojected[index, frame, joint]
        error = None if take.errors is None else float(take.errors[index, frame, joint])
        draw_joint_inspection(painter, geometry, detections[joint, :2], reprojection, error,
                              take.skeleton.joint_names[joint])


def draw_label(painter: QPainter, at: QPointF, text: str, bounds: QRectF, accent: QColor,
               centred: bool = False) -> None:
    """A small dark pill with ``text`` whose bottom-left corner (its centre if ``centred``) is near ``at``,
    kept inside ``bounds``."""
    font = QFont(painter.font())
    font.setPointSizeF(9.0)
    font.setBold(True)
    painter.setFont(font)
    metrics = QFontMetricsF(font)
    box = QRectF(0, 0, metrics.horizontalAdvance(text) + 12, metrics.height() + 6)
    if centred:
        box.moveCenter(at)
    else:
        box.moveBottomLeft(at)
    box.moveLeft(min(max(box.left(), bounds.left() + 2), bounds.right() - box.width() - 2))
    box.moveTop(min(max(box.top(), bounds.top() + 2), bounds.bottom() - box.height() - 2))
    painter.setPen(QPen(accent, 1.2))
    painter.setBrush(LABEL_BOX)
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(LABEL_TEXT)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    painter.setBrush(Qt.BrushStyle.NoBrush)

