"""The take's markers on the kinematic curves: a dashed vertical line per marker, its note as tooltip."""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt

from analysis.annotations.items import Marker
from analysis.render import palette

#: A marker's note is cut to this many characters in the label on the top plot.
LABEL_CHARS = 24


class MarkerLines:
    """Draws markers on a column of x-linked plots and replaces them when the markers change."""

    def __init__(self) -> None:
        self._lines: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []

    def draw(self, plots: list[pg.PlotItem], markers: list[Marker], x_of_frame: Callable[[float], float]) -> None:
        """Show ``markers`` on ``plots`` (the top plot labels each with its note), replacing those shown before.

        Lines on plots that are not in ``plots`` any more (rebuilt) are forgotten, not removed.
        """
        for plot, line in self._lines:
            if any(plot is kept for kept in plots):
                plot.removeItem(line)
        self._lines = []
        pen = pg.mkPen(palette.MARKER, width=1.5, style=Qt.PenStyle.DashLine)
        for row, plot in enumerate(plots):
            for marker in markers:
                line = pg.InfiniteLine(x_of_frame(marker.frame), angle=90, movable=False, pen=pen)
                line.setToolTip(f"frame {marker.frame}: {marker.note or '(no note)'}")
                line.setZValue(4)
                plot.addItem(line, ignoreBounds=True)
                if row == 0 and marker.note:
                    text = marker.note if len(marker.note) <= LABEL_CHARS else marker.note[:LABEL_CHARS - 1] + "…"
                    pg.InfLineLabel(line, text=text, position=0.75, anchors=[(0, 0), (0, 0)], color=palette.MARKER)
                self._lines.append((plot, line))

    def positions(self) -> list[float]:
        """x of every line drawn, plot by plot."""
        return [line.value() for _plot, line in self._lines]
