"""The transport bar's frame slider with the take's markers drawn on it as ticks, their notes as tooltips."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QToolTip, QWidget

from analysis.render import palette

MARKER_COLOUR = QColor(palette.MARKER)
#: How near the mouse must be to a tick for its note to show, pixels.
TOOLTIP_PX = 5


class MarkerSlider(QSlider):
    """A horizontal frame slider that also shows markers (frame, note) as ticks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self._markers: list[tuple[int, str]] = []
        self.setMinimumHeight(22)

    def set_markers(self, markers: list[tuple[int, str]]) -> None:
        """Show these (frame, note) markers."""
        self._markers = list(markers)
        self.update()

    def marker_x(self, frame: int) -> float:
        """Where the tick of a marker at ``frame`` is, widget pixels (the handle's centre at that frame)."""
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        style = self.style()
        groove = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderGroove, self)
        handle = style.subControlRect(QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        return groove.x() + handle.width() / 2 + QStyle.sliderPositionFromValue(
            self.minimum(), self.maximum(), frame, span)

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if not self._markers:
            return
        painter = QPainter(self)
        painter.setPen(QPen(MARKER_COLOUR, 2.0))
        for frame, _note in self._markers:
            x = self.marker_x(frame)
            painter.drawLine(QPointF(x, 1), QPointF(x, 6))
            painter.drawLine(QPointF(x, self.height() - 6), QPointF(x, self.height() - 1))
        painter.end()

    def notes_at(self, x: float) -> str:
        """The tooltip at widget x: the notes of the markers whose ticks are there, else the slider's own."""
        notes = [f"frame {frame}: {note or '(no note)'}" for frame, note in self._markers
                 if abs(self.marker_x(frame) - x) <= TOOLTIP_PX]
        return "\n".join(notes) if notes else self.toolTip()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            QToolTip.showText(event.globalPos(), self.notes_at(event.pos().x()), self)
            return True
        return super().event(event)
