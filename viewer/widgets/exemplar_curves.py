"""The exemplar's kinematic curves over the take's: dashed, the gap between them shaded."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

from viewer.widgets.time_plots import EXEMPLAR_DASH, EXEMPLAR_FILL_ALPHA


@dataclass(frozen=True)
class TakeCurve:
    """One drawn curve of the take: its plot, its item, the kinematics column it shows and its colour."""

    plot: pg.PlotItem
    curve: pg.PlotDataItem
    column: str
    colour: str


class ExemplarCurves:
    """Draws, updates and removes the exemplar's curves beside the take's, leaving the rest of the plots alone.

    An exemplar arrives after the take's curves are drawn (it is aligned in a worker), and
    the user may pick another: each time only these items change, not the plots. Drawn again
    over the same take curves, the dashed curves get the new data in place (their shading
    follows them), which costs far less than making them again.
    """

    def __init__(self) -> None:
        self._drawn: list[tuple[TakeCurve, pg.PlotDataItem, pg.FillBetweenItem]] = []

    def draw(self, curves: list[TakeCurve], x: np.ndarray, exemplar: pd.DataFrame) -> None:
        """Show ``exemplar`` (T rows, the take's columns) at ``x`` (T,) beside ``curves``, or none if empty."""
        if exemplar.empty:
            self.clear()
            return
        if [take for take, _, _ in self._drawn] == curves:
            for take, line, _ in self._drawn:
                line.setData(x, exemplar[take.column].to_numpy())
            return
        self.clear()
        for take in curves:
            line = take.plot.plot(x, exemplar[take.column].to_numpy(), connect="finite", antialias=True,
                                  pen=pg.mkPen(take.colour, width=1.5, style=EXEMPLAR_DASH))
            line.curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            shade = pg.mkColor(take.colour)
            shade.setAlpha(EXEMPLAR_FILL_ALPHA)
            fill = pg.FillBetweenItem(take.curve, line, brush=pg.mkBrush(shade))
            fill.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            fill.setZValue(-5)
            take.plot.addItem(fill)
            self._drawn.append((take, line, fill))

    def clear(self) -> None:
        """Remove the exemplar's curves from their plots (those already cleared are left as they are)."""
        for take, line, fill in self._drawn:
            for item in (line, fill):
                if item in take.plot.items:
                    take.plot.removeItem(item)
        self._drawn = []
