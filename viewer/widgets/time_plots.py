"""What every plot on the kinematics time axis shares: its look, its draggable time cursor, exemplar curves.

The curves and the penalty heatmap under them are pyqtgraph plots linked on
the x axis (seconds or frames); each has one movable
:class:`pyqtgraph.InfiniteLine` at the current frame.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGraphicsItem

from analysis.render import palette

#: Width of every plot's left axis, pixels, so the time axes line up.
LEFT_AXIS_WIDTH = 56
BOTTOM_AXIS_HEIGHT = 40
TIME_UNITS = {"s": "time (s)", "frame": "frame"}
#: How an exemplar's curve is drawn beside the take's, and the opacity (0-255) of the gap shaded between them.
EXEMPLAR_DASH = Qt.PenStyle.DashLine
EXEMPLAR_FILL_ALPHA = 60


def plot_title(title: str, note: str = "", legend: str = "") -> str:
    """A plot title (HTML): ``title`` in the title colour, then ``legend`` (HTML), then a muted ``note``."""
    muted = f'<span style="color:{palette.MUTED_TEXT}">&nbsp;&nbsp;{note}</span>' if note else ""
    return f'<span style="color:{palette.TITLE_TEXT}">{title}</span>{legend}{muted}'


def style_time_plot(plot: pg.PlotItem) -> None:
    """Pan and zoom along time only, no context menu or auto-range button, the common left axis width."""
    plot.setMouseEnabled(x=True, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)


def add_time_cursor(plot: pg.PlotItem, x: float, dragged: Callable[[pg.InfiniteLine], None]) -> pg.InfiniteLine:
    """Add the movable time cursor at ``x`` to ``plot``; ``dragged(line)`` is called while the user drags it."""
    cursor = pg.InfiniteLine(x, angle=90, movable=True, pen=pg.mkPen(palette.CURSOR, width=1.5),
                             hoverPen=pg.mkPen(palette.CURSOR, width=3))
    cursor.setZValue(10)
    cursor.sigDragged.connect(dragged)
    plot.addItem(cursor, ignoreBounds=True)
    return cursor


def add_exemplar_curve(plot: pg.PlotItem, curve: pg.PlotDataItem, x: np.ndarray, y: np.ndarray, colour: str) -> None:
    """Draw the exemplar's values ``y`` (T,) at ``x`` (T,) dashed on ``plot``, and shade the gap to the take's ``curve``."""
    exemplar = plot.plot(x, y, pen=pg.mkPen(colour, width=1.5, style=EXEMPLAR_DASH), connect="finite", antialias=True)
    exemplar.curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    shade = pg.mkColor(colour)
    shade.setAlpha(EXEMPLAR_FILL_ALPHA)
    fill = pg.FillBetweenItem(curve, exemplar, brush=pg.mkBrush(shade))
    fill.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
    fill.setZValue(-5)
    plot.addItem(fill)
