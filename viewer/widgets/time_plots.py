"""What every plot on the kinematics time axis shares: its look, its draggable time cursor.

The curves and the penalty heatmap under them are pyqtgraph plots linked on
the x axis (seconds or frames); each has one movable
:class:`pyqtgraph.InfiniteLine` at the current frame.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt

from analysis.render import palette
from analysis.session.data import Penalties

#: Width of every plot's left axis, pixels, so the time axes line up.
LEFT_AXIS_WIDTH = 56
BOTTOM_AXIS_HEIGHT = 40
TIME_UNITS = {"s": "time (s)", "frame": "frame"}
#: How an exemplar's curve is drawn beside the take's, and the opacity (0-255) of the gap shaded between them.
EXEMPLAR_DASH = Qt.PenStyle.DashLine
EXEMPLAR_FILL_ALPHA = 60
PENALTY_BRUSH = (*palette.rgb255(palette.PENALTY_SPAN), palette.PENALTY_SPAN_ALPHA)
LABEL_FILL = (*palette.rgb255(palette.SCENE_BACKGROUND), 190)


def plot_title(title: str, note: str = "", legend: str = "") -> str:
    """A plot title (HTML): ``title`` in the title colour, then ``legend`` (HTML), then a muted ``note``."""
    muted = f'<span style="color:{palette.MUTED_TEXT}">&nbsp;&nbsp;{note}</span>' if note else ""
    return f'<span style="color:{palette.TITLE_TEXT}">{title}</span>{legend}{muted}'


def style_time_plot(plot: pg.PlotItem) -> None:
    """Pan and zoom along time only, no context menu or auto-range button, the common left axis width,
    and no SI prefixes (the axes carry no units: without this each range change rewrites their labels)."""
    plot.setMouseEnabled(x=True, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.getAxis("left").setWidth(LEFT_AXIS_WIDTH)
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)


def add_time_cursor(plot: pg.PlotItem, x: float, dragged: Callable[[pg.InfiniteLine], None]) -> pg.InfiniteLine:
    """Add the movable time cursor at ``x`` to ``plot``; ``dragged(line)`` is called while the user drags it."""
    cursor = pg.InfiniteLine(x, angle=90, movable=True, pen=pg.mkPen(palette.CURSOR, width=1.5),
                             hoverPen=pg.mkPen(palette.CURSOR, width=3))
    cursor.setZValue(10)
    cursor.sigDragged.connect(dragged)
    plot.addItem(cursor, ignoreBounds=True)
    return cursor


def shade_penalty_spans(plot: pg.PlotItem, penalties: Penalties, x_of_frame: Callable[[float], float],
                        labelled: bool) -> list[pg.GraphicsObject]:
    """Light vertical bands on ``plot`` where ``penalties`` (a take's ``codes``, ``start``, ``end`` frames)
    happen, ``labelled`` with their codes; spans with a negative frame (not located) are left out.
    Returns the items added (to remove them when another take is drawn on the plot)."""
    added = []
    for code, start, end in zip(penalties.codes, penalties.start, penalties.end):
        if start < 0 or end < 0:
            continue
        region = pg.LinearRegionItem((x_of_frame(start), x_of_frame(end)), movable=False,
                                     brush=PENALTY_BRUSH, hoverBrush=PENALTY_BRUSH, pen=pg.mkPen(None))
        region.setZValue(-10)
        plot.addItem(region, ignoreBounds=True)
        added.append(region)
        if labelled:
            # an invisible edge above the curves carries the code, so curves never cross it
            edge = pg.InfiniteLine(x_of_frame(start), angle=90, movable=False, pen=pg.mkPen(None))
            edge.setZValue(5)
            plot.addItem(edge, ignoreBounds=True)
            added.append(edge)
            pg.InfLineLabel(edge, text=code, position=0.92, anchors=[(0, 0), (0, 0)],
                            color=palette.PENALTY_TEXT, fill=LABEL_FILL)
    return added


class PenaltySpans:
    """A take's penalty bands on a column of plots (codes on the top one), replaced as a whole when
    another take is drawn on the same plots."""

    def __init__(self) -> None:
        self._items: list[tuple[pg.PlotItem, pg.GraphicsObject]] = []

    def draw(self, plots: list[pg.PlotItem], penalties: Penalties | None, x_of_frame: Callable[[float], float]) -> None:
        """Remove the bands drawn last, then shade ``penalties`` (none for None) on ``plots``."""
        for plot, item in self._items:
            plot.removeItem(item)
        self._items = []
        if penalties is None:
            return
        for row, plot in enumerate(plots):
            self._items += [(plot, item) for item in shade_penalty_spans(plot, penalties, x_of_frame, labelled=row == 0)]
