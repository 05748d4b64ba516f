"""The penalty × time heatmap under the kinematic curves: the scoring model's probability of each
penalty item at each frame, most probable item on top, on the curves' time axis."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont

from analysis.render import palette
from viewer.model.scoring_result import ScoringResult
from viewer.widgets.time_plots import plot_title, style_time_plot

ROW_HEIGHT = 16
TICK_POINT_SIZE = 7


def add_penalty_heatmap(layout: pg.GraphicsLayout, row: int, scoring: ScoringResult,
                        x_of_frame: Callable[[float], float]) -> pg.PlotItem:
    """Add the heatmap of ``scoring`` as the plot in ``row`` of ``layout``.

    Parameters
    ----------
    layout : pyqtgraph.GraphicsLayout
        The plots' layout.
    row : int
    scoring : ScoringResult
        With ``heatmap`` (H, T) probabilities and ``probabilities`` (H,) per item.
    x_of_frame : callable(frame) -> x
        Position of a frame on the time axis (seconds or frames).

    Returns
    -------
    pyqtgraph.PlotItem
        The plot; it reserves a minimum height of one row per penalty item.
    """
    order = np.argsort(-scoring.probabilities, kind="stable")[::-1]  # most probable on top
    image = pg.ImageItem(scoring.heatmap[order].T, axisOrder="col-major", levels=(0.0, 1.0),
                         colorMap=pg.colormap.get(palette.HEATMAP_COLOURMAP))
    first, last = x_of_frame(-0.5), x_of_frame(scoring.n_frames - 0.5)
    image.setRect(first, 0.0, last - first, float(len(order)))
    plot = layout.addPlot(row=row, col=0)
    plot.setTitle(plot_title("Penalty probability over time",
                             f"dark 0 → bright 1 &nbsp;·&nbsp; model {scoring.model_name} {scoring.model_version}"),
                  size="9pt", justify="left")
    plot.addItem(image)
    style_time_plot(plot)
    plot.setYRange(0, len(order), padding=0)
    left_axis = plot.getAxis("left")
    tick_font = QFont()
    tick_font.setPointSize(TICK_POINT_SIZE)
    left_axis.setStyle(tickFont=tick_font)
    left_axis.setTicks([[(y + 0.5, scoring.penalty_codes[i]) for y, i in enumerate(order)], []])
    return plot
