"""What every layer of the 3D view shares: its visuals, its take, its frame, and asking for a redraw."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene

from viewer.model.take_bundle import TakeBundle
from viewer.vispy.scene_geometry import DrawnPose

#: Draw order: opaque visuals first, then the translucent ones, then text.
OPAQUE, TRANSLUCENT, TEXT = 0, 1, 2


def segment_lines(parent: scene.Node, width: float, order: int = OPAQUE, antialias: bool = True) -> scene.visuals.Line:
    """A hidden Line visual drawn as separate segments (vertices ``2i`` and ``2i + 1``)."""
    line = scene.visuals.Line(width=width, antialias=antialias, connect="segments", method="gl", parent=parent)
    line.visible = False
    line.order = order
    return line


def set_lines(line: scene.visuals.Line, segments: np.ndarray, colors: np.ndarray) -> None:
    """Give a segments Line new vertices ``(2N, 3)`` and colours ``(2N, 4)``; hide it when empty."""
    line.visible = len(segments) > 0
    if line.visible:
        line.set_data(pos=np.ascontiguousarray(segments, np.float32), color=np.asarray(colors, np.float32))


class Layer:
    """One kind of thing drawn in the scene.

    Subclasses create their visuals under the scene node they are given (``parent``),
    subscribe to the viewer-state events they depend on, and draw in
    :meth:`_take_changed` (once per take) and :meth:`_draw_frame` (per frame).

    Parameters
    ----------
    changed : callable()
        Asks the view for a redraw; called whenever the layer moved data into its visuals.

    Attributes
    ----------
    visuals : tuple of vispy visuals
        Set by the subclass; all hidden while there is no take or the layer is disabled.
    enabled : bool
        Whether the layer draws its frames (a toolbar toggle).
    """

    visuals: tuple = ()

    def __init__(self, changed: Callable[[], None], enabled: bool = True) -> None:
        self._changed = changed
        self._take: TakeBundle | None = None
        self._drawn: DrawnPose | None = None
        self._frame = -1
        self.enabled = enabled

    def set_take(self, take: TakeBundle | None, drawn: DrawnPose | None) -> None:
        """Show ``take`` (None: nothing); ``drawn`` is its pose as the view draws it."""
        self._take, self._drawn, self._frame = take, drawn, -1
        if take is None:
            self._hide()
        else:
            self._take_changed(take)
        self._changed()

    def show_frame(self, frame: int) -> None:
        """Move this layer's data to ``frame`` of the take (already clamped to the take)."""
        self._frame = frame
        if self._take is None:
            return
        if self.enabled:
            self._draw_frame(frame)
        else:
            self._hide()

    def set_enabled(self, enabled: bool) -> None:
        """Draw (True) or hide this layer's frames."""
        self.enabled = bool(enabled)
        self.redraw()

    def redraw(self) -> None:
        """Draw the current frame again (after a change of what the layer shows)."""
        if self._take is not None and self._frame >= 0:
            self.show_frame(self._frame)
            self._changed()

    def _hide(self) -> None:
        for visual in self.visuals:
            visual.visible = False

    def _take_changed(self, take: TakeBundle) -> None:
        """Per-take preparation; drawn once until the next take."""

    def _draw_frame(self, frame: int) -> None:
        """Per-frame drawing."""
