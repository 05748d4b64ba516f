"""Bookmarks of the predicted penalties on the transport bar's timeline.

A strip over the frame slider with one bookmark per penalty the scoring model
finds in the take (:meth:`viewer.model.scoring_result.ScoringResult.predicted_penalties`):
a bar over its predicted span (end exclusive), labelled with the item's name. Clicking a
bookmark goes to the span's first frame and loops playback over the span's frames.
Overlapping spans go to separate lanes.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from analysis.render import palette
from viewer.model.scoring_result import PredictedPenalty, ScoringResult
from viewer.model.state import ViewerState

#: Height of a lane beyond its text's, pixels.
LANE_PADDING = 4
MAX_LANES = 3
#: A bookmark is at least this wide (pixels), so that a span of one frame can be clicked.
MIN_WIDTH_PX = 8
FILL = QColor(palette.PENALTY_SPAN)
TEXT = QColor(palette.LIGHT)


class PenaltyBookmarks(QWidget):
    """The strip of penalty bookmarks over a slider.

    Parameters
    ----------
    state : ViewerState
        Source of the scoring result; a click calls ``state.seek`` and ``state.set_loop``.
    x_of_frame : callable(int) -> float
        Where a frame lies along the strip, pixels (the slider's handle centre at
        that frame: the strip and the slider share their x).
    """

    def __init__(self, state: ViewerState, x_of_frame: Callable[[int], float], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._x_of_frame = x_of_frame
        self._penalties: list[PredictedPenalty] = []
        self._lanes: list[int] = []
        self.setMouseTracking(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        state.scoring_changed.connect(self._on_scoring_changed)
        self._on_scoring_changed(state.scoring)

    def bookmarks(self) -> list[PredictedPenalty]:
        """The penalties shown, earliest first."""
        return list(self._penalties)

    def bookmark_rect(self, index: int) -> QRectF:
        """Where bookmark ``index`` is drawn, widget pixels."""
        penalty = self._penalties[index]
        left, right = self._x_of_frame(penalty.start), self._x_of_frame(penalty.end - 1)
        if right - left < MIN_WIDTH_PX:
            middle = 0.5 * (left + right)
            left, right = middle - MIN_WIDTH_PX / 2, middle + MIN_WIDTH_PX / 2
        lane = self.lane_height()
        return QRectF(left, self._lanes[index] * lane + 1, right - left, lane - 2)

    def lane_height(self) -> int:
        """Height of one lane of bookmarks, pixels: the label's text with a margin."""
        return QFontMetrics(self.font()).height() + LANE_PADDING

    def bookmark_at(self, x: float, y: float) -> int | None:
        """The bookmark under widget point (x, y), or None."""
        point = QPointF(x, y)
        return next((i for i in range(len(self._penalties)) if self.bookmark_rect(i).contains(point)), None)

    def activate(self, index: int) -> None:
        """Go to bookmark ``index``'s first frame and loop over its span's frames."""
        penalty = self._penalties[index]
        self._state.set_playing(False)
        self._state.set_loop(True, penalty.start, penalty.end - 1)
        self._state.seek(penalty.start)

    # ------------------------------------------------------------ reactions
    def _on_scoring_changed(self, scoring: ScoringResult | None) -> None:
        self._penalties = [] if scoring is None else scoring.predicted_penalties()
        self._lanes = _lanes([(p.start, p.end) for p in self._penalties])
        self.setFixedHeight(self.lane_height() * (max(self._lanes) + 1) if self._lanes else 0)
        self.setVisible(bool(self._penalties))
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        for index, penalty in enumerate(self._penalties):
            rect = self.bookmark_rect(index)
            fill = QColor(FILL)
            fill.setAlphaF(0.45 + 0.5 * penalty.probability)
            painter.setPen(QPen(FILL.lighter(130), 1.0))
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, 3, 3)
            text = metrics.elidedText(penalty.name, Qt.TextElideMode.ElideRight, int(rect.width()) - 6)
            painter.setPen(TEXT)
            painter.drawText(rect.adjusted(3, 0, -3, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             text)
        painter.end()

    def mousePressEvent(self, event) -> None:
        index = self.bookmark_at(event.position().x(), event.position().y())
        if event.button() == Qt.MouseButton.LeftButton and index is not None:
            self.activate(index)
            event.accept()
            return
        super().mousePressEvent(event)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            index = self.bookmark_at(event.pos().x(), event.pos().y())
            if index is None:
                QToolTip.hideText()
            else:
                penalty = self._penalties[index]
                QToolTip.showText(event.globalPos(), f"{penalty.name} ({penalty.code}): {penalty.probability:.0%}, "
                                                     f"frames {penalty.start}–{penalty.end - 1}; click to loop over it",
                                  self)
            return True
        return super().event(event)


def _lanes(spans: list[tuple[int, int]]) -> list[int]:
    """A lane per span (start, end exclusive; in order) so that spans of one lane do not overlap; at most :data:`MAX_LANES`
    lanes (the last one takes the rest)."""
    ends: list[int] = []
    lanes = []
    for start, end in spans:
        lane = next((i for i, last in enumerate(ends) if last <= start), len(ends))
        lane = min(lane, MAX_LANES - 1)
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = max(ends[lane], end)
        lanes.append(lane)
    return lanes
