"""A column of x-linked pyqtgraph plots, made once for a set of rows and emptied to be drawn again.

Making a :class:`pyqtgraph.PlotItem` costs tens of milliseconds (its menus and axes), and
making its curves a few more each, so the curves of another take, exemplar or verdict are
drawn on the plots and curve items already made (also after a message such as "Computing …"
stood in for them); new plots are made only when the rows change.
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
        self._shown = False
        self._message: pg.LabelItem | None = None   # in the layout only while it is shown
        self.plots: list[pg.PlotItem] = []

    def plots_for(self, rows: tuple[str, ...]) -> tuple[list[pg.PlotItem], bool]:
        """One plot per name in ``rows``, x-linked to the first, shown, and whether they are new (empty).

        The plots made for the same rows come back as they are, items included (shown again after
        a message), so the caller can update what they show in place; other rows get new plots.
        """
        if rows == self._rows:
            if not self._shown:
                self._remove_message()
                for plot in self.plots:   # hidden, not taken out of the scene: showing them again
                    plot.show()           # polishes and lays out nothing anew
                self._shown = True
            return list(self.plots), False
        self._graphics.clear()
        self._message = None
        self.plots = []
        for row in range(len(rows)):
            plot = self._graphics.addPlot(row=row, col=0)
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        self._rows, self._shown = rows, True
        return list(self.plots), True

    def show_message(self, message: str) -> None:
        """Show ``message`` instead of plots (the plots are kept, hidden, for the next take with the same rows)."""
        for plot in self.plots:
            plot.hide()     # a hidden plot takes no room in the layout
        self._shown = False
        self._remove_message()
        self._message = self._graphics.addLabel(message, row=len(self.plots), col=0, color=palette.MUTED_TEXT,
                                                size="11pt")

    def _remove_message(self) -> None:
        if self._message is not None:
            self._graphics.removeItem(self._message)
            self._message = None
