"""The Progress panel: an athlete's annotated and predicted scores on one action, take after take.

One point per take, in the order the takes were performed (sessions in
recording order, split by dashed lines); the annotated score (judges' mean)
and the model's prediction each as a line of points. The current take is
ringed. Clicking a point opens that take. The panel shows the current take's
athlete and action unless others are chosen in its combos; it scores nothing
itself: it asks (:attr:`ProgressPanel.requested`) and the application answers
with :meth:`ProgressPanel.set_series`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from analysis.render import palette
from viewer.model.progress_series import ProgressSeries
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.panel import header_over_body
from viewer.widgets.when_shown import WhenShown

ANNOTATED_COLOUR = palette.LIGHT
PREDICTED_COLOUR = palette.ORANGE
POINT_SIZE = 11
CURRENT_RING_SIZE = 22
#: Take names are written under the axis while there are at most this many points.
MAX_TICK_LABELS = 16


class ProgressPanel(QWidget):
    """Scores over an athlete's takes of one action.

    Parameters
    ----------
    state : ViewerState
        The library (athletes and actions to choose from) and the current take.

    Signals
    -------
    requested(str, str)
        Athlete and action whose scores the panel needs (sent while it is visible).
    take_chosen(str, str)
        A point was clicked: library ``file`` and take id.
    """

    requested = Signal(str, str)
    take_chosen = Signal(str, str)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._series: ProgressSeries | None = None
        self._asked: tuple[str, str] | None = None

        self._athlete_box = QComboBox(toolTip="Athlete")
        self._action_box = QComboBox(toolTip="Action (those the athlete performed)")
        self._athlete_box.activated.connect(lambda _i: self._on_athlete_chosen())
        self._action_box.activated.connect(lambda _i: self._ask())
        self._status = QLabel("")
        self._status.setStyleSheet(f"color: {palette.MUTED_TEXT}")
        header = QHBoxLayout()
        header.setContentsMargins(6, 3, 6, 3)
        header.addWidget(QLabel("Athlete"))
        header.addWidget(self._athlete_box)
        header.addSpacing(12)
        header.addWidget(QLabel("Action"))
        header.addWidget(self._action_box, 1)
        header.addSpacing(12)
        header.addWidget(self._status, 1)

        self.plot = pg.PlotWidget(background=palette.SCENE_BACKGROUND)
        item = self.plot.getPlotItem()
        item.setMenuEnabled(False)
        item.showGrid(x=False, y=True, alpha=0.15)
        item.setLabel("left", "score")
        item.setLabel("bottom", "take (in the order performed)")
        item.addLegend(offset=(-10, 10))
        self._annotated = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen(palette.OUTLINE),
                                             brush=pg.mkBrush(ANNOTATED_COLOUR), name="annotated (judges)")
        self._predicted = pg.ScatterPlotItem(size=POINT_SIZE, symbol="d", pen=pg.mkPen(palette.OUTLINE),
                                             brush=pg.mkBrush(PREDICTED_COLOUR), name="predicted (model)")
        self._lines = [pg.PlotDataItem(pen=pg.mkPen(colour, width=1.5)) for colour in (ANNOTATED_COLOUR,
                                                                                      PREDICTED_COLOUR)]
        self._ring = pg.ScatterPlotItem(size=CURRENT_RING_SIZE, pen=pg.mkPen(palette.CURSOR, width=2),
                                        brush=pg.mkBrush(None))
        self._boundaries: list[pg.InfiniteLine] = []
        for line in self._lines:
            item.addItem(line)
        for scatter in (self._annotated, self._predicted):
            item.addItem(scatter)
            scatter.sigClicked.connect(self._on_clicked)
        item.addItem(self._ring)
        header_over_body(self, header, self.plot)

        # behind another tab (its usual place) the panel neither follows the take nor asks for scores
        self._take_shown = WhenShown(self, self._follow_take)
        self._asking = WhenShown(self, self._ask_now)
        state.library_changed.connect(lambda _library: self._fill_athletes())
        state.take_changed.connect(self._on_take_changed)
        self._fill_athletes()

    # ---------------------------------------------------------------- API
    @property
    def series(self) -> ProgressSeries | None:
        """The series shown, or None."""
        return self._series

    def choice(self) -> tuple[str, str] | None:
        """(athlete, action) chosen in the combos, or None."""
        self._take_shown.flush()
        athlete, action = self._athlete_box.currentData(), self._action_box.currentData()
        return None if athlete is None or action is None else (athlete, action)

    def choose(self, athlete: str, action: str) -> None:
        """Show ``athlete``'s takes of ``action``, as picking them in the combos would."""
        self._athlete_box.setCurrentIndex(self._athlete_box.findData(athlete))
        self._fill_actions(action)
        self._ask()

    def point_position(self, order: int, which: str = "annotated") -> tuple[float, float]:
        """Where the ``order``-th point of the ``annotated`` or ``predicted`` line is, in data coordinates."""
        points = self._series.points
        return float(order), float(points[which].iloc[order])

    def set_series(self, series: ProgressSeries) -> None:
        """Plot ``series`` (ignored unless it is the athlete and action chosen)."""
        if (series.athlete, series.action) != self.choice():
            return
        self._series = series
        points = series.points
        x = points["order"].to_numpy(dtype=float)
        for scatter, line, column in ((self._annotated, self._lines[0], "annotated"),
                                      (self._predicted, self._lines[1], "predicted")):
            values = points[column].to_numpy(dtype=float)
            known = np.isfinite(values)
            scatter.setData(x=x[known], y=values[known], data=list(zip(points["file"][known], points["take"][known])))
            line.setData(x=x[known], y=values[known])
        self._draw_sessions(points)
        self._label_takes(points)
        self._show_current()
        predicted = points["predicted"].notna().sum()
        self._status.setText(f"{series.action_name}: {len(points)} takes in {points['session'].nunique()} "
                             f"session(s); {predicted} scored by {series.model or 'no model'}")
        item = self.plot.getPlotItem()
        item.setXRange(-0.7, max(len(points) - 0.3, 0.3), padding=0)   # room for the first session's line
        item.enableAutoRange(axis="y")

    def set_progress(self, done: int, total: int, message: str) -> None:
        self._status.setText(message)

    # ------------------------------------------------------------ reactions
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._take_shown.flush()
        self._asking.flush()

    def _fill_athletes(self) -> None:
        library = self._state.library
        athletes = [] if library is None else sorted(set(library.index["athlete"]))
        current = self._athlete_box.currentData()
        self._athlete_box.clear()
        for athlete in athletes:
            self._athlete_box.addItem(athlete, athlete)
        if current in athletes:
            self._athlete_box.setCurrentIndex(self._athlete_box.findData(current))
        self._on_take_changed(self._state.take)

    def _fill_actions(self, preferred: str | None = None) -> None:
        library, athlete = self._state.library, self._athlete_box.currentData()
        rows = pd.DataFrame() if library is None or athlete is None else \
            library.index[library.index["athlete"] == athlete].drop_duplicates("action")
        self._action_box.clear()
        for row in rows.itertuples():
            self._action_box.addItem(f"{row.action_name} ({row.action})", row.action)
        if preferred is not None and self._action_box.findData(preferred) >= 0:
            self._action_box.setCurrentIndex(self._action_box.findData(preferred))

    def _on_athlete_chosen(self) -> None:
        self._fill_actions()
        self._ask()

    def _on_take_changed(self, _take: TakeBundle | None) -> None:
        self._take_shown.request()

    def _follow_take(self) -> None:
        """Choose the current take's athlete and action, ring the take, and ask for the series."""
        take, session = self._state.take, self._state.session
        if take is not None and session is not None and self._athlete_box.findData(session.athlete) >= 0:
            self._athlete_box.setCurrentIndex(self._athlete_box.findData(session.athlete))
            self._fill_actions(take.info.action)
        self._show_current()
        self._ask()

    def refresh(self) -> None:
        """Ask for the chosen athlete and action again (e.g. another model is active)."""
        self._asked = None
        self._ask()

    def _ask(self) -> None:
        self._asking.request()

    def _ask_now(self) -> None:
        choice = self.choice()
        if choice is None or choice == self._asked:
            return
        self._asked = choice
        self._status.setText("Scoring the takes …")
        self.requested.emit(*choice)

    def _on_clicked(self, _scatter, points, _event=None) -> None:
        if len(points):
            file, take = points[0].data()
            self.take_chosen.emit(file, take)

    # -------------------------------------------------------------- drawing
    def _draw_sessions(self, points: pd.DataFrame) -> None:
        item = self.plot.getPlotItem()
        for line in self._boundaries:
            item.removeItem(line)
        self._boundaries = []
        starts = points.groupby("session")["order"].min().sort_index()
        for session, start in starts.items():
            created = points.loc[points["session"] == session, "created"].iloc[0]
            label = f"session {session}" + (f" · {created[:10]}" if created else "")
            line = pg.InfiniteLine(start - 0.5, angle=90, pen=pg.mkPen(palette.FAINT_TEXT, style=Qt.PenStyle.DashLine),
                                   label=label, labelOpts={"position": 0.95, "color": palette.MUTED_TEXT})
            item.addItem(line, ignoreBounds=True)
            self._boundaries.append(line)

    def _label_takes(self, points: pd.DataFrame) -> None:
        axis = self.plot.getPlotItem().getAxis("bottom")
        if len(points) <= MAX_TICK_LABELS:
            axis.setTicks([[(float(order), take) for order, take in zip(points["order"], points["take"])]])
        else:
            axis.setTicks(None)

    def _show_current(self) -> None:
        series, take, session = self._series, self._state.take, self._state.session
        self._ring.setData([], [])
        if series is None or take is None or session is None:
            return
        points = series.points
        library = self._state.library
        own = library.file_of(session.path) if library is not None else None
        match = points[(points["file"] == own) & (points["take"] == take.take_id)]
        if len(match):
            row = match.iloc[0]
            y = row["annotated"] if np.isfinite(row["annotated"]) else row["predicted"]
            if np.isfinite(y):
                self._ring.setData([float(row["order"])], [float(y)])
