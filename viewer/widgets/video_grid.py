"""The synchronized multi-view video grid: every camera at the current frame, with pose overlays.

All tiles are painted by one widget in one ``paintEvent`` (no child widget per
view), straight from the decoded BGR buffers. The grid never decodes: it asks
the ``frames`` callable it was given (the application passes its decode-ahead
cache) for the frame the state is on when it paints, so frames that arrive
faster than the screen can show them are skipped rather than queued.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QWidget

from analysis.motion.skeleton import Skeleton
from analysis.render import palette
from analysis.session.contract import SessionFormatError
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.overlay_painter import (
    TileGeometry,
    bone_colors,
    draw_bones,
    draw_detections,
    draw_joint_inspection,
    draw_reprojections,
)

FramesSource = Callable[[str, int], list[np.ndarray | None]]

BACKGROUND = QColor(palette.VIDEO_BACKGROUND)
TILE_BACKGROUND = QColor(palette.TILE_BACKGROUND)
NO_VIDEO_BACKGROUND = QColor(palette.NO_VIDEO_BACKGROUND)
NO_VIDEO_TEXT = QColor(palette.FAINT_TEXT)
CAPTION_TEXT = QColor(palette.TEXT)
CAPTION_BACKGROUND = QColor(0, 0, 0, palette.CAPTION_SHADE_ALPHA)
SELECTED_BORDER = QColor(palette.SELECTED_TILE)
TILE_BORDER = QColor(palette.TILE_BORDER)
TILE_GAP = 4
LOCATE_TEXT = "Locate…"



def grid_rects(n_views: int, width: float, height: float, enlarged: int | None = None,
               gap: float = TILE_GAP, aspect: float = 16 / 9) -> list[QRectF]:
    """Tile rectangles of ``n_views`` views in a ``width`` x ``height`` area, in view order.

    Without ``enlarged``: the full rows x columns grid in which images of
    ``aspect`` (width / height) come out largest: 2 x 4 for 8 views in a wide
    area, 4 x 2 in a tall one. With ``enlarged``: a
    ``k`` x ``k`` grid whose top-left ``(k-1)`` x ``(k-1)`` block is the enlarged
    view and whose right column and bottom row hold the others (8 views: 4 x 4,
    one large tile and 7 small ones).
    """
    if n_views <= 0:
        return []
    if enlarged is None or n_views == 1:
        full_grids = [r for r in range(1, n_views + 1) if n_views % r == 0]
        rows = max(full_grids, key=lambda r: _image_width(n_views, r, width, height, gap, aspect))
        columns = math.ceil(n_views / rows)
        cells = [(k // columns, k % columns, 1) for k in range(n_views)]
        grid_rows, grid_columns = rows, columns
    else:
        k = max(2, math.ceil(n_views / 2))  # the border of a k x k grid holds 2k - 1 cells
        border = [(row, k - 1) for row in range(k - 1)] + [(k - 1, column) for column in range(k)]
        others = iter(border)
        cells = [(0, 0, k - 1) if view == enlarged else (*next(others), 1) for view in range(n_views)]
        grid_rows = grid_columns = k
    cell_w = (width - gap * (grid_columns + 1)) / grid_columns
    cell_h = (height - gap * (grid_rows + 1)) / grid_rows
    return [QRectF(gap + column * (cell_w + gap), gap + row * (cell_h + gap),
                   span * cell_w + (span - 1) * gap, span * cell_h + (span - 1) * gap)
            for row, column, span in cells]


def _image_width(n_views: int, rows: int, width: float, height: float, gap: float, aspect: float) -> float:
    """Width of a letterboxed image when ``n_views`` tiles are laid out in ``rows`` rows."""
    columns = math.ceil(n_views / rows)
    cell_w = (width - gap * (columns + 1)) / columns
    cell_h = (height - gap * (rows + 1)) / rows
    return min(cell_w, cell_h * aspect)


def bgr_qimage(image: np.ndarray) -> QImage:
    """A QImage viewing a BGR ``(H, W, 3)`` or BGRX ``(H, W, 4)`` uint8 buffer without copying (keep ``image`` alive).

    BGRX (the fourth byte 255) is ``Format_RGB32`` on a little-endian machine,
    the format Qt paints fastest; BGR is viewed as ``Format_BGR888``.
    """
    height, width = image.shape[:2]
    image_format = QImage.Format.Format_RGB32 if image.shape[2] == 4 else QImage.Format.Format_BGR888
    return QImage(image.data, width, height, image.strides[0], image_format)


class VideoGrid(QWidget):
    """All views of the current take at the current frame, with toggleable pose overlays.

    Parameters
    ----------
    state : ViewerState
        Read for the take, frame, selection and overlays; single clicks select a view.
    frames : callable (take_id, frame) -> list of ndarray or None
        BGRX uint8 ``(H, W, 4)`` (or BGR ``(H, W, 3)``) per view in camera order,
        None for views without video (``FramePrefetcher.frames``).

    Signals
    -------
    frame_presented(int)
        Emitted after each paint that showed a frame, with its index.

    Notes
    -----
    Double-click a tile to enlarge it (one large tile, the others small);
    double-click the large tile to go back to the grid, or a small one to enlarge
    it instead.
    """

    frame_presented = Signal(int)

    def __init__(self, state: ViewerState, frames: FramesSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._frames = frames
        self._enlarged: int | None = None
        self._shown: tuple[str, int] | None = None
        self._images: list[np.ndarray | None] = []
        self._qimages: list[QImage | None] = []
        self._read_error: str | None = None
        self._missing: dict[str, str] = {}                # view -> why its camera file is not shown
        self._locate_buttons: dict[str, QRectF] = {}      # view -> its Locate… button, as last painted
        self._displayed: list[int] = []
        self._bone_colors: tuple[Skeleton | None, list[QColor]] = (None, [])  # colours of that skeleton's bones
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(320, 180)
        state.take_changed.connect(self._on_take_changed)
        for signal in (state.frame_changed, state.overlays_changed, state.view_selected, state.joint_selected):
            signal.connect(self._repaint_later)
        self._on_take_changed(state.take)

    # ------------------------------------------------------------------ API
    def sizeHint(self) -> QSize:
        return QSize(1280, 640)

    @property
    def enlarged_view(self) -> str | None:
        """The name of the enlarged view, or None in the plain grid."""
        take = self._state.take
        return None if take is None or self._enlarged is None else take.view_names[self._enlarged]

    def enlarge(self, view: str | None) -> None:
        """Enlarge ``view`` (one large tile, the others small), or go back to the grid with None."""
        take = self._state.take
        if view is not None and (take is None or view not in take.view_names):
            raise KeyError(f"no view {view!r} in the current take")
        self._enlarged = None if view is None else take.view_names.index(view)
        self.update()

    def tile_rects(self) -> list[QRectF]:
        """The tile of each view, in camera order, widget pixels."""
        take = self._state.take
        n_views = 0 if take is None else len(take.cameras)
        return grid_rects(n_views, self.width(), self.height(), self._enlarged)

    def view_at(self, position: QPointF) -> str | None:
        """The view whose tile contains ``position`` (widget pixels), or None."""
        take = self._state.take
        for view, rect in zip(take.view_names if take is not None else (), self.tile_rects()):
            if rect.contains(position):
                return view
        return None

    def tile_message(self, view: str) -> str:
        """The text a tile without video shows."""
        if view in self._missing:
            return self._missing[view]
        return f"{view}: no video, 2D detections" if self._read_error is None else self._read_error

    def locate_button(self, view: str) -> QRectF | None:
        """The *Locate…* button of a view whose camera file was not found (widget pixels), as last painted."""
        return self._locate_buttons.get(view)

    def displayed_frames(self) -> list[int]:
        """The frame index each tile showed at the last paint, in camera order."""
        return list(self._displayed)

    # --------------------------------------------------------------- events
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self._shown = None
        self._images, self._qimages, self._displayed = [], [], []
        self._missing, self._locate_buttons = {}, {}
        session = self._state.session
        if take is not None and session is not None:
            for (take_id, view), path in session.missing_videos().items():
                if take_id == take.take_id:
                    self._missing[view] = f"video not found: {path}"
            for (take_id, view), reason in session.refused_videos().items():
                if take_id == take.take_id:
                    self._missing[view] = f"video path refused: {reason}"
        if take is None or (self._enlarged is not None and self._enlarged >= len(take.cameras)):
            self._enlarged = None
        self.update()

    def _repaint_later(self, *_args) -> None:
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            if any(button.contains(event.position()) for button in self._locate_buttons.values()):
                self._state.request_video_location()
                return
            view = self.view_at(event.position())
            if view is not None:
                self._state.select_view(view)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            view = self.view_at(event.position())
            if view is not None:
                self.enlarge(None if view == self.enlarged_view else view)
        super().mouseDoubleClickEvent(event)

    # ------------------------------------------------------------- painting
    def _fetch(self, take: TakeBundle, frame: int) -> None:
        """Get the images of ``frame`` from the frames source, unless they are held already."""
        if self._shown == (take.take_id, frame):
            return
        try:
            images = self._frames(take.take_id, frame)
            self._read_error = None
        except SessionFormatError as error:
            images = [None] * len(take.cameras)
            self._read_error = str(error)
        self._images = [None if image is None else np.ascontiguousarray(image) for image in images]
        self._qimages = [None if image is None else bgr_qimage(image) for image in self._images]
        self._shown = (take.take_id, frame)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        take = self._state.take
        if take is None:
            self._paint_empty(painter)
            painter.end()
            return
        frame = self._state.frame
        self._fetch(take, frame)
        # smoothing costs more than a frame is worth while playing; a paused frame is smoothed
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, not self._state.playing)
        for index, (camera, rect) in enumerate(zip(take.cameras, self.tile_rects())):
            geometry = TileGeometry.letterbox(rect, camera.width, camera.height)
            self._paint_tile(painter, take, index, frame, geometry)
        painter.end()
        self._displayed = [frame] * len(take.cameras)
        self.frame_presented.emit(frame)

    def _paint_empty(self, painter: QPainter) -> None:
        painter.setPen(NO_VIDEO_TEXT)
        font = QFont(painter.font())
        font.setPointSizeF(12.0)
        painter.setFont(font)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Open a session and choose a take")

    def _paint_tile(self, painter: QPainter, take: TakeBundle, index: int, frame: int,
                    geometry: TileGeometry) -> None:
        view = take.view_names[index]
        image = self._qimages[index] if index < len(self._qimages) else None
        has_video = image is not None
        painter.fillRect(geometry.tile, TILE_BACKGROUND)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)  # images blit faster without it
        if has_video:
            painter.drawImage(geometry.image, image)
        else:
            self._paint_no_video(painter, geometry, view)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.save()
        painter.setClipRect(geometry.image)
        self._paint_overlays(painter, take, index, frame, geometry, skeleton_always=not has_video)
        painter.restore()
        self._paint_caption(painter, geometry, view, frame)
        selected = view == self._state.selected_view
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(SELECTED_BORDER if selected else TILE_BORDER, 3.0 if selected else 1.0))
        painter.drawRect(geometry.image.adjusted(-1, -1, 1, 1) if selected else geometry.image)

    def _paint_no_video(self, painter: QPainter, geometry: TileGeometry, view: str) -> None:
        painter.fillRect(geometry.image, NO_VIDEO_BACKGROUND)
        font = QFont(painter.font())
        font.setPointSizeF(9.0 if geometry.image.height() < 300 else 11.0)
        painter.setFont(font)
        painter.setPen(NO_VIDEO_TEXT)
        painter.drawText(geometry.image.adjusted(8, 0, -8, -6),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom | Qt.TextFlag.TextWordWrap,
                         self.tile_message(view))
        if view in self._missing:
            self._paint_locate_button(painter, geometry, view)

    def _paint_locate_button(self, painter: QPainter, geometry: TileGeometry, view: str) -> None:
        """A *Locate…* button in the middle of a tile whose camera file was not found."""
        metrics = QFontMetricsF(painter.font())
        width, height = metrics.horizontalAdvance(LOCATE_TEXT) + 24, metrics.height() + 12
        button = QRectF(geometry.image.center().x() - width / 2, geometry.image.center().y() - height / 2,
                        width, height)
        painter.setPen(QPen(CAPTION_TEXT, 1.0))
        painter.setBrush(CAPTION_BACKGROUND)
        painter.drawRoundedRect(button, 4, 4)
        painter.drawText(button, Qt.AlignmentFlag.AlignCenter, LOCATE_TEXT)
        self._locate_buttons[view] = button

    def _paint_overlays(self, painter: QPainter, take: TakeBundle, index: int, frame: int,
                        geometry: TileGeometry, skeleton_always: bool) -> None:
        overlays = self._state.overlays
        detections = take.pose2d[index, frame]
        points = geometry.map(detections[:, :2])
        radius = geometry.marker_radius
        if overlays.get("bones") or skeleton_always:
            draw_bones(painter, points, take.skeleton.edge_array, self._bone_colors_of(take.skeleton),
                       max(1.5, radius * 0.6))
        if overlays.get("reprojection") and take.reprojected is not None:
            errors = take.errors[index, frame] if take.errors is not None else np.full(len(points), np.nan)
            draw_reprojections(painter, geometry.map(take.reprojected[index, frame]), errors, radius)
        if overlays.get("detections") or skeleton_always:
            draw_detections(painter, points, detections[:, 2], radius)
        joint = self._state.selected_joint
        if joint is not None and take.view_names[index] == self._state.selected_view:
            reprojection = None if take.reprojected is None else take.reprojected[index, frame, joint]
            error = None if take.errors is None else float(take.errors[index, frame, joint])
            draw_joint_inspection(painter, geometry, detections[joint, :2], reprojection, error,
                                  take.skeleton.joint_names[joint])

    def _bone_colors_of(self, skeleton: Skeleton) -> list[QColor]:
        """Bone colours of ``skeleton``, kept while it stays the same (a paint may come before take_changed)."""
        if self._bone_colors[0] is not skeleton:
            self._bone_colors = (skeleton, bone_colors(skeleton))
        return self._bone_colors[1]

    def _paint_caption(self, painter: QPainter, geometry: TileGeometry, view: str, frame: int) -> None:
        font = QFont(painter.font())
        font.setPointSizeF(9.0 if geometry.image.width() < 500 else 10.5)
        font.setBold(True)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        text = f"{view}   frame {frame}"
        box = QRectF(geometry.image.left() + 6, geometry.image.top() + 6,
                     metrics.horizontalAdvance(text) + 14, metrics.height() + 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(CAPTION_BACKGROUND)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(CAPTION_TEXT)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
