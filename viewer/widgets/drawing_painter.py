"""Painting the coach's drawings on a video tile: lines, arrows, circles, strokes, text and angles.

Drawings are stored in camera image pixels (:class:`analysis.annotations.items.Drawing`);
the tile's :class:`TileGeometry` maps them to the widget, so they stay on the same
spot of the image however the tile is zoomed. Strokes keep a constant width on
screen, with a dark outline so they read on any background.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from analysis.annotations.items import Drawing
from analysis.annotations.measure import included_angle_deg
from analysis.render import palette
from viewer.widgets.overlay_painter import TileGeometry, draw_label

STROKE_PX = 2.5
OUTLINE = QColor(palette.OUTLINE)
HANDLE_PX = 8.0
ARROW_HEAD_PX = 16.0
ARROW_HEAD_DEG = 28.0
ANGLE_ARC_PX = 32.0
#: How far past the arc an angle's value is written (to the label's centre), pixels.
LABEL_GAP_PX = 26.0
TEXT_POINT_SIZE = 13.0
TEXT_PADDING = 4.0
TEXT_BOX = QColor(*palette.rgb255(palette.LABEL_BOX), 190)


def text_font() -> QFont:
    font = QFont()
    font.setPointSizeF(TEXT_POINT_SIZE)
    font.setBold(True)
    return font


def text_rect(drawing: Drawing, geometry: TileGeometry) -> QRectF:
    """The box a text drawing covers, widget pixels (its point is the top-left corner)."""
    metrics = QFontMetricsF(text_font())
    lines = (drawing.text or " ").split("\n")
    width = max(metrics.horizontalAdvance(line) for line in lines) + 2 * TEXT_PADDING
    x, y = geometry.map(drawing.points[0])
    return QRectF(x, y, width, metrics.lineSpacing() * len(lines) + 2 * TEXT_PADDING)


def _qpoint(point: np.ndarray) -> QPointF:
    return QPointF(float(point[0]), float(point[1]))


def _stroke(painter: QPainter, colour: QColor, paint) -> None:
    """Call ``paint()`` twice: with a wide dark pen (the outline), then with the drawing's colour."""
    for pen_colour, width in ((OUTLINE, STROKE_PX + 2.0), (colour, STROKE_PX)):
        pen = QPen(pen_colour, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        paint()


def _qt_angle_deg(vector: np.ndarray) -> float:
    """Direction of a widget-pixel vector as Qt's arcs count it: degrees counter-clockwise from 3 o'clock."""
    return math.degrees(math.atan2(-vector[1], vector[0]))


def arrow_head(start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
    """The two barbs of an arrow from ``start`` to ``end`` (widget pixels), as their far ends."""
    direction = np.asarray(start, float) - end
    length = float(np.hypot(*direction))
    if length == 0:
        return []
    size = min(ARROW_HEAD_PX, 0.4 * length)
    barbs = []
    for sign in (-1, 1):
        turn = math.radians(sign * ARROW_HEAD_DEG)
        rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
        barbs.append(end + rotation @ direction / length * size)
    return barbs


def paint_drawing(painter: QPainter, drawing: Drawing, geometry: TileGeometry, selected: bool = False) -> None:
    """Paint ``drawing`` on the tile of ``geometry`` (handles too when ``selected``)."""
    colour = QColor(drawing.colour)
    points = geometry.map(np.array(drawing.points))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if drawing.shape in ("line", "arrow"):
        segments = [(points[0], points[1])] + [(points[1], barb) for barb in
                                               (arrow_head(points[0], points[1]) if drawing.shape == "arrow" else [])]
        _stroke(painter, colour, lambda: [painter.drawLine(_qpoint(a), _qpoint(b)) for a, b in segments])
    elif drawing.shape == "circle":
        radius = float(np.hypot(*(points[1] - points[0])))
        _stroke(painter, colour, lambda: painter.drawEllipse(_qpoint(points[0]), radius, radius))
    elif drawing.shape == "freehand":
        path = QPainterPath(_qpoint(points[0]))
        for point in points[1:]:
            path.lineTo(_qpoint(point))
        _stroke(painter, colour, lambda: painter.drawPath(path))
    elif drawing.shape == "text":
        _paint_text(painter, drawing, geometry, colour)
    elif drawing.shape == "angle":
        _paint_angle(painter, drawing, points, geometry, colour)
    if selected:
        _paint_handles(painter, drawing, points, geometry)


def _paint_text(painter: QPainter, drawing: Drawing, geometry: TileGeometry, colour: QColor) -> None:
    box = text_rect(drawing, geometry)
    painter.setPen(QPen(colour, 1.2))
    painter.setBrush(TEXT_BOX)
    painter.drawRoundedRect(box, 4, 4)
    painter.setFont(text_font())
    painter.setPen(colour)
    painter.drawText(box.adjusted(TEXT_PADDING, TEXT_PADDING, -TEXT_PADDING, -TEXT_PADDING),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, drawing.text)
    painter.setBrush(Qt.BrushStyle.NoBrush)


def _paint_angle(painter: QPainter, drawing: Drawing, points: np.ndarray, geometry: TileGeometry,
                 colour: QColor) -> None:
    end_a, vertex, end_b = points
    degrees = float(included_angle_deg(*np.array(drawing.points)))
    arm_a, arm_b = end_a - vertex, end_b - vertex
    radius = min(ANGLE_ARC_PX, 0.45 * min(np.hypot(*arm_a), np.hypot(*arm_b)))

    def paint() -> None:
        painter.drawPolyline([_qpoint(end_a), _qpoint(vertex), _qpoint(end_b)])
        if radius > 2:
            start = _qt_angle_deg(arm_a)
            span = (_qt_angle_deg(arm_b) - start + 180.0) % 360.0 - 180.0   # the arc inside the angle
            box = QRectF(vertex[0] - radius, vertex[1] - radius, 2 * radius, 2 * radius)
            painter.drawArc(box, round(start * 16), round(span * 16))

    _stroke(painter, colour, paint)
    if np.isfinite(degrees):   # the value inside the angle, past its arc
        bisector = arm_a / max(np.hypot(*arm_a), 1e-9) + arm_b / max(np.hypot(*arm_b), 1e-9)
        length = np.hypot(*bisector)
        inward = bisector / length if length > 1e-6 else np.array([-arm_a[1], arm_a[0]]) / max(np.hypot(*arm_a), 1e-9)
        draw_label(painter, _qpoint(vertex + inward * (radius + LABEL_GAP_PX)), f"{degrees:.1f}°", geometry.image,
                   colour, centred=True)


def _paint_handles(painter: QPainter, drawing: Drawing, points: np.ndarray, geometry: TileGeometry) -> None:
    """Small squares on the points that can be dragged; a dashed box around a stroke or a text."""
    if drawing.shape in ("freehand", "text"):
        box = text_rect(drawing, geometry) if drawing.shape == "text" else QRectF(
            _qpoint(points.min(axis=0)), _qpoint(points.max(axis=0)))
        pen = QPen(QColor(palette.WHITE), 1.0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRect(box.adjusted(-4, -4, 4, 4))
        return
    painter.setPen(QPen(OUTLINE, 1.5))
    painter.setBrush(QColor(palette.WHITE))
    for point in points:
        painter.drawRect(QRectF(point[0] - HANDLE_PX / 2, point[1] - HANDLE_PX / 2, HANDLE_PX, HANDLE_PX))
    painter.setBrush(Qt.BrushStyle.NoBrush)


def handle_points(drawing: Drawing) -> list[int]:
    """Indices of the points of ``drawing`` that can be dragged one by one (none for strokes and text)."""
    return [] if drawing.shape in ("freehand", "text") else list(range(len(drawing.points)))
