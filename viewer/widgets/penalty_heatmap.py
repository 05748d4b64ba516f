"""The penalty × time heatmap pinned above the kinematic curves.

The scoring model's probability of each penalty item at each frame, for the
items most likely to be deducted (most probable on top), labelled with their
catalogue names in a readable font. It stays in sight while the curves under it
scroll, and shares their time axis (x-linked, same left axis width) and their
time cursor.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QWidget

from analysis.render import palette
from viewer.model.scoring_result import ScoringResult
from viewer.widgets.time_plots import (
    LEFT_AXIS_WIDTH,
    add_time_cursor,
    plot_title,
    style_time_plot,
)

#: Judges deduct at most five penalty items per take: the heatmap shows the five most probable.
HEATMAP_ITEMS = 5
ROW_HEIGHT = 17
LABEL_POINT_SIZE = 9
#: Room for the title above the rows and the gap below them, pixels.
TITLE_HEIGHT = 26
#: Between the item names and the heatmap, pixels.
LABEL_PADDING = 14


class PenaltyHeatmap(pg.GraphicsLayoutWidget):
    """One heatmap plot: a row per penalty item, a column per frame; hidden without a scoring result.

    Parameters
    ----------
    dragged : callable(pyqtgraph.InfiniteLine)
        Called while the user drags the heatmap's time cursor.
    clicked : callable(x)
        Called with the time-axis position of a left click in the heatmap.
    """

    def __init__(self, dragged: Callable[[pg.InfiniteLine], None], clicked: Callable[[float], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(palette.SCENE_BACKGROUND)
        self._dragged = dragged
        self._clicked = clicked
        self._font = QFont(self.font())
        self._font.setPointSize(LABEL_POINT_SIZE)
        self.plot: pg.PlotItem | None = None
        self.cursor: pg.InfiniteLine | None = None
        self._plot: pg.PlotItem | None = None   # made once (tens of ms), kept while hidden
        self._names: list[str] = []
        self.scene().sigMouseClicked.connect(self._on_clicked)
        self.hide()

    def row_names(self) -> list[str]:
        """The catalogue names of the rows, top to bottom."""
        return list(self._names)

    def label_width(self) -> int:
        """Left axis width the item names need, pixels (at least the curves' own)."""
        metrics = QFontMetrics(self._font)
        widest = max((metrics.horizontalAdvance(name) for name in self._names), default=0)
        return max(LEFT_AXIS_WIDTH, widest + LABEL_PADDING)

    def show_scoring(self, scoring: ScoringResult | None, x_of_frame: Callable[[float], float],
                     cursor_x: float) -> None:
        """Draw ``scoring``'s heatmap (hide it for None) with its time cursor at ``cursor_x``.

        Parameters
        ----------
        scoring : ScoringResult or None
            With ``heatmap`` (P, T) and ``probabilities`` (P,).
        x_of_frame : callable(frame) -> x
            Position of a frame on the time axis (seconds or frames).
        """
        if self._plot is not None:
            self._plot.clear()
        self.plot, self.cursor, self._names = None, None, []
        if scoring is None or not len(scoring.penalty_codes):
            self.hide()
            return
        shown = np.argsort(-scoring.probabilities, kind="stable")[:HEATMAP_ITEMS][::-1]   # most probable on top
        self._names = [scoring.penalty_names[i] for i in shown[::-1]]
        image = pg.ImageItem(scoring.heatmap[shown].T, axisOrder="col-major", levels=(0.0, 1.0),
                             colorMap=pg.colormap.get(palette.HEATMAP_COLOURMAP))
        first, last = x_of_frame(-0.5), x_of_frame(scoring.n_frames - 0.5)
        image.setRect(first, 0.0, last - first, float(len(shown)))
        plot = self._plot = self._plot or self._make_plot()
        items = len(scoring.penalty_codes)
        plot.setTitle(plot_title("Penalty probability over time",
                                 f"the {len(shown)} most probable of {items} items · dark 0 → bright 1 · "
                                 f"model {scoring.model_name} {scoring.model_version}"), size="9pt", justify="left")
        plot.addItem(image)
        plot.setYRange(0, len(shown), padding=0)
        left = plot.getAxis("left")
        left.setTicks([[(y + 0.5, scoring.penalty_names[i]) for y, i in enumerate(shown)], []])
        left.setWidth(self.label_width())
        self.cursor = add_time_cursor(plot, cursor_x, self._dragged)
        self.plot = plot
        self.setFixedHeight(ROW_HEIGHT * len(shown) + TITLE_HEIGHT)
        self.show()

    def show_above(self, plots: list[pg.PlotItem], scoring: ScoringResult | None,
                   x_of_frame: Callable[[float], float], cursor_x: float) -> None:
        """:meth:`show_scoring` above the curves' ``plots`` (top first): x-linked to them, and their
        left axes as wide as the item names (their own width while the heatmap is hidden)."""
        self.show_scoring(scoring, x_of_frame, cursor_x)
        if self.plot is not None:
            self.plot.setXLink(plots[0])
        for plot in plots:
            plot.getAxis("left").setWidth(self.label_width())

    def _make_plot(self) -> pg.PlotItem:
        """The heatmap's plot: time-axis behaviour of the curves, item names in the readable font, no time labels."""
        plot = self.addPlot(row=0, col=0)
        style_time_plot(plot)
        left = plot.getAxis("left")
        left.setStyle(tickFont=self._font)
        left.setTextPen(palette.TEXT)
        plot.getAxis("bottom").setStyle(showValues=False)
        plot.getAxis("bottom").setHeight(2)
        return plot

    def _on_clicked(self, event) -> None:
        if self.plot is not None and event.button() == pg.QtCore.Qt.MouseButton.LeftButton \
                and self.plot.vb.sceneBoundingRect().contains(event.scenePos()):
            self._clicked(self.plot.vb.mapSceneToView(event.scenePos()).x())
            event.accept()
