"""A column of x-linked pyqtgraph plots, made once for a set of rows and emptied to be drawn again.

Making a :class:`pyqtgraph.PlotItem` costs tens of milliseconds (its menus and axes), so
redrawing the curves of another take, exemplar or verdict on the plots already shown keeps
the window responsive; new plots are made only when the rows change.
"""

from __future__ import annotations

import pyqtgraph as pg

from analysis.render import palette


class PlotStack:
    """The plots of a :class:`pyqtgraph.GraphicsLayoutWidget`, one per row, the first leading the x axis.

    Parameters
    ----------
    graphics : pyqtgraph.GraphicsLayoutWidget
        Where the plots (or a message instead of them) are shown.
    """

    def __init__(self, graphics: pg.GraphicsLayoutWidget) -> None:
        self._graphics = graphics
        self._rows: tuple[str, ...] = ()
        self.plots: list[pg.PlotItem] = []

    def empty_plots(self, rows: tuple[str, ...]) -> list[pg.PlotItem]:
        """One empty plot per name in ``rows``, x-linked to the first: the ones shown when made for
        the same rows (their items cleared, the left axis sized automatically again), else new ones."""
        if rows == self._rows:
            for plot in self.plots:
                plot.clear()
                plot.getAxis("left").setWidth(None)
            return list(self.plots)
        self._graphics.clear()
        self.plots = []
        for row in range(len(rows)):
            plot = self._graphics.addPlot(row=row, col=0)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self._rows = rows
        return list(self.plots)

    def show_message(self, message: str) -> None:
        """Show ``message`` instead of plots (the plots are dropped)."""
        self._graphics.clear()
        self.plots, self._rows = [], ()
        self._graphics.addLabel(message, color=palette.MUTED_TEXT, size="11pt")
