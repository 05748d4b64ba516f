"""Painting one video tile: the camera image (zoomed or not), its caption, its border and its enlarge button.

The 2D pose overlays are drawn by :mod:`viewer.widgets.overlay_painter`, the
coach's drawings by :mod:`viewer.widgets.drawing_painter`; the grid composes them.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPen

from analysis.render import palette
from viewer.widgets.overlay_painter import TileGeometry

TILE_BACKGROUND = QColor(palette.TILE_BACKGROUND)
NO_VIDEO_BACKGROUND = QColor(palette.NO_VIDEO_BACKGROUND)
NO_VIDEO_TEXT = QColor(palette.FAINT_TEXT)
CAPTION_TEXT = QColor(palette.TEXT)
CAPTION_BACKGROUND = QColor(0, 0, 0, palette.CAPTION_SHADE_ALPHA)
SELECTED_BORDER = QColor(palette.SELECTED_TILE)
TILE_BORDER = QColor(palette.TILE_BORDER)
#: Side of the enlarge / back-to-grid button in a tile's top-right corner, pixels.
BUTTON_PX = 22.0
LOCATE_TEXT = "Locate…"
#: Caption fonts made so far: (the painter's font's key, point size) -> the bold font and its metrics.
_caption_fonts: dict[tuple[str, float], tuple[QFont, QFontMetricsF]] = {}


def paint_image(painter: QPainter, geometry: TileGeometry, image: QImage | None, camera_width: int) -> None:
    """The tile's background and the visible part of the camera image (nothing without video).

    ``image`` may be the camera frame scaled to any size (``camera_width`` is
    the frame's own width, pixels); one the size of the image area is copied unscaled.
    """
    if image is None:
        painter.fillRect(geometry.tile, TILE_BACKGROUND)
        return
    tile, shown = geometry.tile, geometry.image   # the image covers its area: fill only the bars beside it
    for bar in (QRectF(tile.left(), tile.top(), tile.width(), shown.top() - tile.top()),
                QRectF(tile.left(), shown.bottom(), tile.width(), tile.bottom() - shown.bottom()),
                QRectF(tile.left(), shown.top(), shown.left() - tile.left(), shown.height()),
                QRectF(shown.right(), shown.top(), tile.right() - shown.right(), shown.height())):
        if bar.width() > 0 and bar.height() > 0:
            painter.fillRect(bar, TILE_BACKGROUND)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # images blit faster without it
    if geometry.origin == geometry.image.topLeft():
        painter.drawImage(geometry.image, image)
    else:
        shown = geometry.source_rect()
        scale = image.width() / camera_width
        painter.drawImage(geometry.image, image, QRectF(shown.topLeft() * scale, shown.size() * scale))


def paint_no_video(painter: QPainter, geometry: TileGeometry, text: str) -> None:
    """A flat image area saying why there is no picture."""
    painter.fillRect(geometry.image, NO_VIDEO_BACKGROUND)
    font = QFont(painter.font())
    font.setPointSizeF(9.0 if geometry.image.height() < 300 else 11.0)
    painter.setFont(font)
    painter.setPen(NO_VIDEO_TEXT)
    painter.drawText(geometry.image.adjusted(8, 0, -8, -6),
                     Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap, text)


def paint_locate_button(painter: QPainter, geometry: TileGeometry) -> QRectF:
    """A *Locate…* button in the middle of a tile whose camera file was not found; returns where it is."""
    metrics = QFontMetricsF(painter.font())
    width, height = metrics.horizontalAdvance(LOCATE_TEXT) + 24, metrics.height() + 12
    centre = geometry.image.center()
    button = QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)
    painter.setPen(QPen(CAPTION_TEXT, 1.0))
    painter.setBrush(CAPTION_BACKGROUND)
    painter.drawRoundedRect(button, 4, 4)
    painter.drawText(button, Qt.AlignmentFlag.AlignCenter, LOCATE_TEXT)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    return button


def paint_caption(painter: QPainter, geometry: TileGeometry, text: str, short_text: str) -> None:
    """``text`` (the view's name, frame and zoom) in a shaded box at the image's top-left;
    ``short_text`` where the tile is too narrow for it beside the enlarge button."""
    font, metrics = _caption_font(painter.font(), 9.0 if geometry.image.width() < 500 else 10.5)
    painter.setFont(font)
    room = enlarge_button_rect(geometry).left() - geometry.image.left() - 12
    if metrics.horizontalAdvance(text) + 14 > room:
        text = short_text
    box = QRectF(geometry.image.left() + 6, geometry.image.top() + 6,
                 metrics.horizontalAdvance(text) + 14, metrics.height() + 6)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(CAPTION_BACKGROUND)
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(CAPTION_TEXT)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _caption_font(base: QFont, point_size: float) -> tuple[QFont, QFontMetricsF]:
    """``base`` in bold at ``point_size``, with its metrics (made once: a caption is drawn per tile and frame)."""
    key = (base.key(), point_size)
    if key not in _caption_fonts:
        font = QFont(base)
        font.setPointSizeF(point_size)
        font.setBold(True)
        _caption_fonts[key] = (font, QFontMetricsF(font))
    return _caption_fonts[key]


def enlarge_button_rect(geometry: TileGeometry) -> QRectF:
    """Where the tile's enlarge / back-to-grid button is: the image's top-right corner."""
    return QRectF(geometry.image.right() - BUTTON_PX - 6, geometry.image.top() + 6, BUTTON_PX, BUTTON_PX)


def paint_enlarge_button(painter: QPainter, geometry: TileGeometry, enlarged: bool) -> None:
    """A small square button: four outward corners to enlarge, inward ones to go back to the grid."""
    painter.drawImage(enlarge_button_rect(geometry).topLeft(),
                      _enlarge_button_image(enlarged, painter.device().devicePixelRatioF()))


@lru_cache(maxsize=8)
def _enlarge_button_image(enlarged: bool, pixel_ratio: float) -> QImage:
    """The enlarge button drawn once on a transparent image of ``pixel_ratio`` (it is copied onto each tile)."""
    side = math.ceil(BUTTON_PX * pixel_ratio)
    image = QImage(side, side, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(pixel_ratio)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    _draw_enlarge_button(painter, QRectF(0, 0, BUTTON_PX, BUTTON_PX), enlarged)
    painter.end()
    return image


def _draw_enlarge_button(painter: QPainter, box: QRectF, enlarged: bool) -> None:
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(CAPTION_BACKGROUND)
    painter.drawRoundedRect(box, 4, 4)
    painter.setPen(QPen(CAPTION_TEXT, 1.6))
    inner = box.adjusted(5, 5, -5, -5)
    arm = inner.width() * 0.4
    for corner, (dx, dy) in ((inner.topLeft(), (1, 1)), (inner.topRight(), (-1, 1)),
                             (inner.bottomLeft(), (1, -1)), (inner.bottomRight(), (-1, -1))):
        if enlarged:   # corners pointing in: back to the grid
            corner = corner + type(corner)(dx * arm, dy * arm)
            dx, dy = -dx, -dy
        painter.drawLine(corner, corner + type(corner)(dx * arm, 0))
        painter.drawLine(corner, corner + type(corner)(0, dy * arm))
    painter.setBrush(Qt.BrushStyle.NoBrush)


def paint_border(painter: QPainter, geometry: TileGeometry, selected: bool) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(SELECTED_BORDER if selected else TILE_BORDER, 3.0 if selected else 1.0))
    painter.drawRect(geometry.image.adjusted(-1, -1, 1, 1) if selected else geometry.image)


def bgr_qimage(image: np.ndarray) -> QImage:
    """A QImage viewing a BGR ``(H, W, 3)`` or BGRX ``(H, W, 4)`` uint8 buffer without copying (keep ``image`` alive).

    BGRX (the fourth byte 255) is ``Format_RGB32`` on a little-endian machine,
    the format Qt paints fastest; BGR is viewed as ``Format_BGR888``.
    """
    height, width = image.shape[:2]
    image_format = QImage.Format.Format_RGB32 if image.shape[2] == 4 else QImage.Format.Format_BGR888
    return QImage(image.data, width, height, image.strides[0], image_format)
