"""Drawing on video tiles with the mouse, and selecting, moving, reshaping and editing drawings.

The video grid hands every mouse event on a tile to :class:`DrawingEditor`
with a :class:`TileContext` (which take, view and frame, and the tile's
geometry). The editor keeps what is being drawn or dragged, offers it as
:attr:`DrawingEditor.preview` for painting, and on completion asks the
annotations model for the change (an undoable command in the application).

Gestures, for the active tool (``AnnotationsModel.tool``):

- line, arrow, circle: drag from start to end (circle: centre to rim), or click twice;
- freehand: drag;
- angle: three clicks, one arm's end, the vertex, the other arm's end (the first
  arm may also be dragged); the degrees show live while the third point moves;
- text: click where the text goes, type it in the editor that opens;
- select: click a drawing to select it, drag it to move it, drag a handle to
  reshape it; double-click a text to edit it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QPointF

from analysis.annotations.items import SHAPE_POINTS, Drawing
from analysis.geometry.planar import nearest_segment
from viewer.model.annotations import DRAWING_TOOLS, AnnotationEdit, AnnotationsModel
from viewer.widgets.drawing_painter import HANDLE_PX, handle_points, text_rect
from viewer.widgets.overlay_painter import TileGeometry

#: How close a click must come to a drawing's stroke to pick it, widget pixels.
HIT_PX = 7.0
#: A press and release closer than this are a click, not a drag, widget pixels.
CLICK_SLOP_PX = 4.0
#: A freehand stroke keeps a point each time the mouse moved this far, widget pixels.
FREEHAND_STEP_PX = 2.0

#: ask_text(title, current text, done(text)) opens an editor; ``done`` is called only if the user accepts.
TextAsker = Callable[[str, str, Callable[[str], None]], None]
#: context_of(view) describes that view's tile as it is now (None when it is not shown).
ContextOf = Callable[[str], "TileContext | None"]


@dataclass(frozen=True)
class TileContext:
    """Where a mouse event happened: the take, the tile's view, the frame shown and the tile's geometry."""

    take: str
    view: str
    frame: int
    last_frame: int
    geometry: TileGeometry

    def image_point(self, position: QPointF) -> tuple[float, float]:
        x, y = self.geometry.unmap((position.x(), position.y()))
        return float(x), float(y)


@dataclass
class _Creating:
    view: str
    fixed: list[tuple[float, float]]
    live: tuple[float, float]


@dataclass
class _Dragging:
    view: str
    original: Drawing
    handle: int | None                 # None: the whole drawing moves
    start: tuple[float, float]
    current: Drawing


class DrawingEditor:
    """Turns mouse events on video tiles into drawings and edits of drawings (see the module notes)."""

    def __init__(self, annotations: AnnotationsModel, ask_text: TextAsker, context_of: ContextOf) -> None:
        self._annotations = annotations
        self._ask_text = ask_text
        self._context_of = context_of
        self._creating: _Creating | None = None
        self._dragging: _Dragging | None = None

    # ----------------------------------------------------------------- state
    @property
    def busy(self) -> bool:
        """Whether a drawing is being made or dragged."""
        return self._creating is not None or self._dragging is not None

    @property
    def preview(self) -> tuple[str, Drawing] | None:
        """The view and the drawing as it looks now, while one is being made or dragged."""
        if self._dragging is not None:
            return self._dragging.view, self._dragging.current
        creating = self._creating
        context = None if creating is None else self._context_of(creating.view)
        if context is None:
            return None
        points = creating.fixed + ([creating.live] if creating.live != creating.fixed[-1] else [])
        shape = self._annotations.tool
        low = SHAPE_POINTS[shape][0]
        if len(points) < 2:
            return None
        if len(points) < low:
            shape = "line"                                   # an angle with its first arm so far
        return context.view, Drawing(context.take, context.view, shape, points, context.frame, context.frame)

    def cancel(self) -> None:
        """Drop what is being drawn or dragged."""
        self._creating = self._dragging = None

    def drawing_at(self, view: str, position: QPointF) -> Drawing | None:
        """The topmost drawing of ``view``'s tile shown at ``position``, or None."""
        context = self._context_of(view)
        hit = None if context is None else self._hit(context, position)
        return None if hit is None else hit[0]

    # ---------------------------------------------------------------- events
    def press(self, view: str, position: QPointF) -> bool:
        """A left press on ``view``'s tile at widget point ``position``; True when the editor took it."""
        tool = self._annotations.tool
        context = self._context_of(view)
        if context is None:
            return False
        if tool in DRAWING_TOOLS:
            point = context.image_point(position)
            if self._creating is None or self._creating.view != view:
                self._creating = _Creating(view, [point], point) if tool != "text" else None
            else:
                self._creating.live = point
            return True
        if tool != "select":
            return False
        hit = self._hit(context, position)
        if hit is None:
            self._annotations.select(None)
            return False
        drawing, handle = hit
        self._annotations.select(drawing.id)
        self._dragging = _Dragging(view, drawing, handle, context.image_point(position), drawing)
        return True

    def move(self, position: QPointF) -> bool:
        """The mouse moved (with or without a button); True when something being drawn changed."""
        if self._dragging is not None:
            drag = self._dragging
            context = self._context_of(drag.view)
            if context is None:
                return False
            x, y = context.image_point(position)
            if drag.handle is None:
                drag.current = drag.original.moved(x - drag.start[0], y - drag.start[1])
            else:
                drag.current = drag.original.with_point(drag.handle, (x, y))
            return True
        creating = self._creating
        context = None if creating is None else self._context_of(creating.view)
        if context is None:
            return False
        point = context.image_point(position)
        if self._annotations.tool == "freehand":
            if self._distance_px(context, point, creating.fixed[-1]) >= FREEHAND_STEP_PX:
                creating.fixed.append(point)
        creating.live = point
        return True

    def release(self, view: str | None, position: QPointF) -> bool:
        """A left release at ``position`` (over ``view``'s tile, or None); True when the editor took it."""
        if self._dragging is not None:
            drag, self._dragging = self._dragging, None
            if drag.current != drag.original:
                verb = "Move" if drag.handle is None else "Reshape"
                self._annotations.request(AnnotationEdit.changing(drag.original, drag.current, verb))
            return True
        tool = self._annotations.tool
        context = self._context_of(view) if view is not None else None
        if tool == "text":
            if context is not None:
                point = context.image_point(position)
                self._ask_text("Text on the video", "", lambda text: self._add_text(context, point, text))
            return True
        creating = self._creating
        context = None if creating is None else self._context_of(creating.view)
        if context is None:
            return tool in DRAWING_TOOLS
        point = context.image_point(position)
        if tool == "freehand":
            self._creating = None
            if self._distance_px(context, point, creating.fixed[-1]) >= FREEHAND_STEP_PX:
                creating.fixed.append(point)
            if len(creating.fixed) >= 2:
                self._finish(context, creating.fixed)
            return True
        creating.live = point
        if self._distance_px(context, point, creating.fixed[-1]) > CLICK_SLOP_PX:
            creating.fixed.append(point)
        if len(creating.fixed) == SHAPE_POINTS[tool][0]:
            self._creating = None
            self._finish(context, creating.fixed)
        return True

    def edit_text(self, view: str, position: QPointF) -> bool:
        """Open the text editor on the text drawing of ``view`` at ``position``; True if there was one."""
        drawing = self.drawing_at(view, position)
        if drawing is None or drawing.shape != "text":
            return False
        self._annotations.select(drawing.id)

        def done(text: str) -> None:
            current = self._annotations.get(drawing.id)
            if current is not None and text.strip() and text != current.text:
                self._annotations.request(AnnotationEdit.changing(current, replace(current, text=text)))

        self._ask_text("Edit the text", drawing.text, done)
        return True

    # --------------------------------------------------------------- helpers
    def _finish(self, context: TileContext, points: list[tuple[float, float]]) -> None:
        last = min(context.frame + self._annotations.drawing_frames - 1, context.last_frame)
        drawing = Drawing(context.take, context.view, self._annotations.tool, points, context.frame, last)
        self._annotations.request(AnnotationEdit.adding(drawing))

    def _add_text(self, context: TileContext, point: tuple[float, float], text: str) -> None:
        if text.strip():
            last = min(context.frame + self._annotations.drawing_frames - 1, context.last_frame)
            drawing = Drawing(context.take, context.view, "text", [point], context.frame, last, text=text)
            self._annotations.request(AnnotationEdit.adding(drawing))

    @staticmethod
    def _distance_px(context: TileContext, a: tuple[float, float], b: tuple[float, float]) -> float:
        return float(np.hypot(a[0] - b[0], a[1] - b[1]) * context.geometry.scale)

    def _visible(self, context: TileContext) -> list[Drawing]:
        return [d for d in self._annotations.items(context.take, Drawing)
                if d.view == context.view and d.visible_at(context.frame)]

    def _hit(self, context: TileContext, position: QPointF) -> tuple[Drawing, int | None] | None:
        """The topmost drawing at ``position`` and the handle under it (None: its body)."""
        at = np.array([position.x(), position.y()])
        for drawing in reversed(self._visible(context)):
            points = context.geometry.map(np.array(drawing.points))
            for index in handle_points(drawing):
                if np.all(np.abs(points[index] - at) <= HANDLE_PX):
                    return drawing, index
            if _stroke_distance(drawing, points, at, context.geometry) <= HIT_PX:
                return drawing, None
        return None


def _stroke_distance(drawing: Drawing, points: np.ndarray, at: np.ndarray, geometry: TileGeometry) -> float:
    """How far widget point ``at`` is from what ``drawing`` paints, widget pixels (0 inside a text)."""
    if drawing.shape == "text":
        return 0.0 if text_rect(drawing, geometry).contains(QPointF(*at)) else np.inf
    if drawing.shape == "circle":
        radius = np.hypot(*(points[1] - points[0]))
        return float(abs(np.hypot(*(at - points[0])) - radius))
    segments = np.repeat(points, 2, axis=0)[1:-1]             # consecutive points as segment ends
    return nearest_segment(at, segments)[1]
