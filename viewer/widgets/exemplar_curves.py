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
    """Draws and removes the exemplar's curves beside the take's, leaving the rest of the plots alone.

    An exemplar arrives after the take's curves are drawn (it is aligned in a worker), and
    the user may pick another: each time only these items change, not the plots.
    """

    def __init__(self) -> None:
        self._items: list[tuple[pg.PlotItem, QGraphicsItem]] = []

    def draw(self, curves: list[TakeCurve], x: np.ndarray, exemplar: pd.DataFrame) -> None:
        """Replace the exemplar's curves: ``exemplar`` (T rows, the take's columns) at ``x`` (T,), or none if empty."""
        self.clear()
        if exemplar.empty:
            return
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
            self._items += [(take.plot, line), (take.plot, fill)]

    def clear(self) -> None:
        """Remove the exemplar's curves from their plots (those already cleared are left as they are)."""
        for plot, item in self._items:
            if item in plot.items:
                plot.removeItem(item)
        self._items = []
