"""The views of the current take whose camera file was not found: what their tiles say, and a *Locate…* button."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QPainter

from analysis.session.reader import Session
from viewer.model.take_bundle import TakeBundle
from viewer.widgets import tile_painter
from viewer.widgets.overlay_painter import TileGeometry


class MissingVideos:
    """Which views lack their camera file, and where each one's *Locate…* button was last painted."""

    def __init__(self) -> None:
        self._messages: dict[str, str] = {}
        self._buttons: dict[str, QRectF] = {}

    def update(self, session: Session | None, take: TakeBundle | None) -> None:
        """Read the files of ``take`` that ``session`` could not find or refused."""
        self._messages, self._buttons = {}, {}
        if session is None or take is None:
            return
        for (take_id, view), path in session.missing_videos().items():
            if take_id == take.take_id:
                self._messages[view] = f"video not found: {path}"
        for (take_id, view), reason in session.refused_videos().items():
            if take_id == take.take_id:
                self._messages[view] = f"video path refused: {reason}"

    def message(self, view: str) -> str | None:
        """What ``view``'s tile says about its camera file; None when the file was found (or there is none)."""
        return self._messages.get(view)

    def button(self, view: str) -> QRectF | None:
        """``view``'s *Locate…* button (widget pixels) as last painted; None if it has none."""
        return self._buttons.get(view)

    def paint_button(self, painter: QPainter, geometry: TileGeometry, view: str) -> None:
        """Paint ``view``'s *Locate…* button if its camera file is missing."""
        if view in self._messages:
            self._buttons[view] = tile_painter.paint_locate_button(painter, geometry)

    def button_at(self, position: QPointF) -> bool:
        """Whether ``position`` is on a *Locate…* button."""
        return any(rect.contains(position) for rect in self._buttons.values())
