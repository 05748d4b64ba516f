"""The menu of a video tile (right click): enlarge, full screen, reset zoom, and the drawing under the mouse."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QMenu, QWidget

from analysis.annotations.items import Drawing
from viewer.model.annotations import AnnotationEdit
from viewer.model.state import ViewerState
from viewer.widgets.tile_zoom import TileZoom


def tile_menu(grid: QWidget, state: ViewerState, view: str, position: QPointF) -> QMenu:
    """The menu of ``view``'s tile in ``grid`` (a :class:`viewer.widgets.video_grid.VideoGrid`).

    The drawing at widget point ``position``, if any, is selected and gets its own
    entries: edit its text, show it from the current frame, delete it.
    """
    menu = QMenu(grid)
    menu.addAction("Back to the grid (Enter)" if view == grid.enlarged_view else "Enlarge (Enter)",
                   lambda: grid.toggle_enlarged(view))
    menu.addAction("Full screen (F)", lambda: grid.full_screen_requested.emit(view))
    menu.addAction("Reset zoom (double-click)", lambda: grid.set_zoom(view, TileZoom())).setEnabled(
        grid.zoom_of(view).is_zoomed)
    if grid.missing_videos.message(view) is not None:
        menu.addAction("Locate videos…", state.request_video_location)
    drawing = grid.editor.drawing_at(view, position)
    if drawing is None:
        return menu
    annotations = state.annotations
    annotations.select(drawing.id)
    menu.addSeparator()
    if drawing.shape == "text":
        menu.addAction("Edit text…", lambda: grid.editor.edit_text(view, position))
    frames = annotations.drawing_frames
    menu.addAction(f"Show from this frame for {frames} frame{'s' if frames > 1 else ''}",
                   lambda: _show_from_current_frame(state, drawing))
    menu.addAction(f"Delete {drawing.name} (Delete)", lambda: annotations.request(AnnotationEdit.deleting(drawing)))
    return menu


def _show_from_current_frame(state: ViewerState, drawing: Drawing) -> None:
    """Show ``drawing`` from the current frame for the tool bar's number of frames."""
    first = state.frame
    last = min(first + state.annotations.drawing_frames - 1, state.n_frames - 1)
    if (first, last) != (drawing.first_frame, drawing.last_frame):
        retimed = replace(drawing, first_frame=first, last_frame=last)
        state.annotations.request(AnnotationEdit.changing(drawing, retimed, "Retime"))
