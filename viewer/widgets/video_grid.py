"""The synchronized multi-view video grid: every camera at the current frame, with pose overlays and drawings.

All tiles are painted by one widget in one ``paintEvent`` (no child widget per
view), straight from the decoded BGR buffers. The grid never decodes: it asks
the ``frames`` callable it was given (the application passes its decode-ahead
cache) for the frame the state is on when it paints, so frames that arrive
faster than the screen can show them are skipped rather than queued. It asks
for each view at the size its tile shows it, so an unzoomed image is copied
to the screen unscaled, and while the take plays, with the pose overlays drawn
in (:mod:`analysis.render.grid_overlays`), so a frame's paint is mostly images;
a paused frame's overlays are painted here, smooth.

Each tile zooms and pans on its own (wheel, drag; double-click resets), and
shows the coach's drawings of its view (:mod:`viewer.widgets.drawing_editor`),
which live in camera pixels and so stay on the image under zoom.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from analysis.annotations.items import Drawing
from analysis.motion.skeleton import Skeleton
from analysis.render import palette
from viewer.model.annotations import DRAWING_TOOLS
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets import tile_painter
from viewer.widgets.drawing_editor import DrawingEditor, TileContext
from viewer.widgets.drawing_painter import paint_drawing
from viewer.widgets.grid_frame import FramesSource, GridFrame
from viewer.widgets.grid_layout import grid_rects
from viewer.widgets.missing_videos import MissingVideos
from viewer.widgets.note_editor import NoteEditor
from viewer.widgets.overlay_painter import (
    TileGeometry,
    bone_colors,
    paint_pose_overlays,
)
from viewer.widgets.tile_menu import tile_menu
from viewer.widgets.tile_sizes import decode_sizes
from viewer.widgets.tile_zoom import WHEEL_STEP, TileZoom

BACKGROUND = QColor(palette.VIDEO_BACKGROUND)
NO_VIDEO_TEXT = tile_painter.NO_VIDEO_TEXT


class VideoGrid(QWidget):
    """All views of the current take at the current frame, with toggleable pose overlays and drawings.

    Parameters
    ----------
    state : ViewerState
        Read for the take, frame, selection, overlays and annotations; clicks select a view.
    frames : callable (take_id, frame, sizes, overlays) -> list of ndarray or None
        BGRX uint8 ``(h, w, 4)`` (or BGR ``(h, w, 3)``) per view in camera order,
        None for views without video (``FramePrefetcher.frames``). ``sizes``
        (:mod:`viewer.widgets.tile_sizes`) says how large each view is shown;
        an image of another size is scaled while painting. ``overlays`` (or None)
        must be drawn into the views asked at a tile's size
        (:func:`analysis.render.grid_overlays.draw_grid_overlays`).

    Signals
    -------
    frame_presented(int)
        Emitted after each paint that showed a frame, with its index.
    full_screen_requested(str)
        The tile's menu asked to show this view alone, full screen.

    Notes
    -----
    Mouse: wheel zooms a tile about the cursor, drag pans it (middle drag
    always, left drag with the select tool), double-click resets its zoom. The
    button in a tile's corner, Enter (the selected view) or the tile's menu
    enlarge it (one large tile, the others in a strip) and go back to the grid.
    """

    frame_presented = Signal(int)
    full_screen_requested = Signal(str)

    def __init__(self, state: ViewerState, frames: FramesSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._enlarged: int | None = None
        self._single: int | None = None
        self._zooms: dict[int, TileZoom] = {}
        self._panning: tuple[int, QPointF] | None = None    # view index and last mouse position of a pan
        self._frame = GridFrame(frames)
        self.missing_videos = MissingVideos()
        self._displayed: list[int] = []
        self._bone_colors: tuple[Skeleton | None, list[QColor]] = (None, [])  # colours of that skeleton's bones
        self.note_editor = NoteEditor(self)
        self.editor = DrawingEditor(state.annotations, self.note_editor.ask, self.tile_context)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click on the videos gives the frame keys back to them
        self.setMouseTracking(True)
        self.setMinimumSize(320, 180)
        state.take_changed.connect(self._on_take_changed)
        for signal in (state.frame_changed, state.overlays_changed, state.view_selected, state.joint_selected,
                       state.annotations.changed, state.annotations.selection_changed, state.playing_changed):
            signal.connect(self._repaint_later)
        state.annotations.tool_changed.connect(self._on_tool_changed)
        self._on_take_changed(state.take)

    # ------------------------------------------------------------------ API
    def sizeHint(self) -> QSize:
        return QSize(1280, 640)

    @property
    def enlarged_view(self) -> str | None:
        """The name of the enlarged view, or None in the plain grid."""
        return self._view_name(self._enlarged)

    @property
    def single_view(self) -> str | None:
        """The view shown alone (full screen), or None."""
        return self._view_name(self._single)

    def enlarge(self, view: str | None) -> None:
        """Enlarge ``view`` (one large tile, the others small), or go back to the grid with None."""
        self._enlarged = self._view_index(view)
        self.update()

    def show_single(self, view: str | None) -> None:
        """Show only ``view``, filling the grid (None: every view again)."""
        self._single = self._view_index(view)
        self.update()

    def zoom_of(self, view: str) -> TileZoom:
        """How ``view``'s tile is zoomed."""
        return self._zooms.get(self._view_index(view), TileZoom())

    def set_zoom(self, view: str, zoom: TileZoom) -> None:
        """Zoom ``view``'s tile (kept inside the image)."""
        index = self._view_index(view)
        camera = self._state.take.cameras[index]
        self._zooms[index] = zoom.clamped(camera.width, camera.height)
        self.update()

    def tile_rects(self) -> list[QRectF]:
        """The tile of each view, in camera order, widget pixels (empty for a view not shown)."""
        take = self._state.take
        aspects = [] if take is None else [camera.width / camera.height for camera in take.cameras]
        return grid_rects(aspects, self.width(), self.height(), self._enlarged, self._single)

    def tile_geometry(self, view: str) -> TileGeometry | None:
        """Where ``view``'s image is drawn, zoom included; None when the view is not shown."""
        index = self._view_index(view)
        return self._geometry(index, self.tile_rects()[index])

    def _geometry(self, index: int, rect: QRectF) -> TileGeometry | None:
        if rect.isEmpty():
            return None
        camera = self._state.take.cameras[index]
        return TileGeometry.letterbox(rect, camera.width, camera.height, self._zooms.get(index))

    def tile_context(self, view: str) -> TileContext | None:
        """``view``'s tile as the drawing editor needs it (None when not shown)."""
        take, geometry = self._state.take, None
        if take is not None and view in take.view_names:
            geometry = self.tile_geometry(view)
        if geometry is None:
            return None
        return TileContext(take.take_id, view, self._state.frame, take.n_frames - 1, geometry)

    def view_at(self, position: QPointF) -> str | None:
        """The view whose tile contains ``position`` (widget pixels), or None."""
        take = self._state.take
        for view, rect in zip(take.view_names if take is not None else (), self.tile_rects()):
            if rect.contains(position):
                return view
        return None

    def displayed_frames(self) -> list[int]:
        """The frame index each tile showed at the last paint, in camera order."""
        return list(self._displayed)

    # --------------------------------------------------------------- events
    def _view_name(self, index: int | None) -> str | None:
        take = self._state.take
        return None if take is None or index is None else take.view_names[index]

    def _view_index(self, view: str | None) -> int | None:
        if view is None:
            return None
        take = self._state.take
        if take is None or view not in take.view_names:
            raise KeyError(f"no view {view!r} in the current take")
        return take.view_names.index(view)

    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self._frame.forget()
        self._displayed = []
        self._zooms, self._panning = {}, None
        self.missing_videos.update(self._state.session, take)
        self.editor.cancel()
        n_views = 0 if take is None else len(take.cameras)
        self._enlarged = self._enlarged if self._enlarged is not None and self._enlarged < n_views else None
        self._single = self._single if self._single is not None and self._single < n_views else None
        self.update()

    def _on_tool_changed(self, tool: str) -> None:
        self.editor.cancel()
        self.setCursor(Qt.CursorShape.CrossCursor if tool in DRAWING_TOOLS else Qt.CursorShape.ArrowCursor)
        self.update()

    def _repaint_later(self, *_args) -> None:
        self.update()

    def toggle_enlarged(self, view: str) -> None:
        """Enlarge ``view``, or go back to the grid if it is the enlarged one."""
        self.enlarge(None if view == self.enlarged_view else view)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        position, view = event.position(), self.view_at(event.position())
        if view is None:
            return
        self._state.select_view(view)
        geometry = self.tile_geometry(view)
        if event.button() == Qt.MouseButton.LeftButton:
            if self.missing_videos.button_at(position):
                self._state.request_video_location()
                return
            if tile_painter.enlarge_button_rect(geometry).contains(position):
                self.toggle_enlarged(view)
                return
            if self.editor.press(view, position):
                self.update()
                return
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.MiddleButton):
            self._panning = (self._view_index(view), position)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        position = event.position()
        if self.editor.move(position):
            self.update()
        elif self._panning is not None:
            index, last = self._panning
            view = self._view_name(index)
            scale = self.tile_geometry(view).scale
            delta = (position - last) / scale
            self.set_zoom(view, self.zoom_of(view).panned(delta.x(), delta.y(), *self._camera_size(index)))
            self._panning = (index, position)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._panning = None
        if event.button() == Qt.MouseButton.LeftButton and self.editor.release(self.view_at(event.position()),
                                                                               event.position()):
            self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        view = self.view_at(event.position())
        if view is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if self.editor.busy or self._state.annotations.tool in DRAWING_TOOLS:
            self.mousePressEvent(event)            # a quick second click of a shape being drawn
        elif not self.editor.edit_text(view, event.position()):
            self.set_zoom(view, TileZoom())

    def wheelEvent(self, event: QWheelEvent) -> None:
        view = self.view_at(event.position())
        if view is None or event.angleDelta().y() == 0:
            return
        index = self._view_index(view)
        point = self.tile_geometry(view).unmap((event.position().x(), event.position().y()))
        change = WHEEL_STEP ** (event.angleDelta().y() / 120.0)
        self.set_zoom(view, self.zoom_of(view).zoomed_about(tuple(point), change, *self._camera_size(index)))
        self.editor.move(event.position())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._state.selected_view is not None:
            self.toggle_enlarged(self._state.selected_view)
        elif event.key() == Qt.Key.Key_Escape and self.editor.busy:
            self.editor.cancel()
            self.update()
        else:
            super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        view = self.view_at(QPointF(event.pos()))
        if view is None:
            return
        self._state.select_view(view)
        tile_menu(self, self._state, view, QPointF(event.pos())).exec(event.globalPos())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            position = QPointF(event.pos())
            view = self.view_at(position)
            geometry = None if view is None else self.tile_geometry(view)
            if geometry is not None and tile_painter.enlarge_button_rect(geometry).contains(position):
                QToolTip.showText(event.globalPos(), "Back to the grid (Enter)" if view == self.enlarged_view
                                  else "Enlarge this view (Enter)", self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def _camera_size(self, index: int) -> tuple[int, int]:
        camera = self._state.take.cameras[index]
        return camera.width, camera.height

    # ------------------------------------------------------------- painting
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        take = self._state.take
        if take is None:
            self._paint_empty(painter)
            painter.end()
            return
        frame = self._state.frame
        geometries = [self._geometry(index, rect) for index, rect in enumerate(self.tile_rects())]  # once a paint
        zoomed = [index in self._zooms and self._zooms[index].is_zoomed for index in range(len(take.cameras))]
        sizes = decode_sizes(geometries, [(camera.width, camera.height) for camera in take.cameras], zoomed,
                             self.devicePixelRatioF())
        # smoothing and antialiasing cost more than a frame is worth while playing; a paused frame has both
        smooth = not self._state.playing
        overlays = None if smooth else self._frame.playback_overlays(take, self._state.overlays,
                                                                     self.devicePixelRatioF())
        self._frame.fetch(take, frame, sizes, overlays)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        drawings = [d for d in self._state.annotations.items(take.take_id, Drawing) if d.visible_at(frame)]
        preview = self.editor.preview
        for index, (view, geometry) in enumerate(zip(take.view_names, geometries)):
            if geometry is not None:
                tile_drawings = [d for d in drawings if d.view == view and (preview is None or d.id != preview[1].id)]
                if preview is not None and preview[0] == view:
                    tile_drawings.append(preview[1])
                self._paint_tile(painter, take, index, frame, geometry, tile_drawings, smooth)
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
                    geometry: TileGeometry, drawings: list[Drawing], smooth: bool) -> None:
        view = take.view_names[index]
        image = self._frame.image(index)
        tile_painter.paint_image(painter, geometry, image, take.cameras[index].width)
        if image is None:
            text = self.missing_videos.message(view)
            tile_painter.paint_no_video(painter, geometry, text or self._frame.read_error or f"{view}: no video, 2D detections")
            self.missing_videos.paint_button(painter, geometry, view)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, smooth)
        painter.save()
        painter.setClipRect(geometry.image)
        paint_pose_overlays(painter, take, index, frame, geometry, self._state, self._bone_colors_of(take.skeleton),
                            skeleton_always=image is None, layers_drawn=self._frame.has_layers_drawn(index))
        selected = self._state.annotations.selected
        for drawing in drawings:
            paint_drawing(painter, drawing, geometry, selected=drawing.id == selected)
        painter.restore()
        zoom = self._zooms.get(index)
        zoom_text = f"   {zoom.factor:.1f}×" if zoom is not None and zoom.is_zoomed else ""
        tile_painter.paint_caption(painter, geometry, f"{view}   frame {frame}{zoom_text}", view)
        if len(take.cameras) > 1 and self._single is None:
            tile_painter.paint_enlarge_button(painter, geometry, index == self._enlarged)
        tile_painter.paint_border(painter, geometry, view == self._state.selected_view)

    def _bone_colors_of(self, skeleton: Skeleton) -> list[QColor]:
        """Bone colours of ``skeleton``, kept while it stays the same (a paint may come before take_changed)."""
        if self._bone_colors[0] is not skeleton:
            self._bone_colors = (skeleton, bone_colors(skeleton))
        return self._bone_colors[1]
