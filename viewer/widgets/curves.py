"""Kinematic curves: stacked, x-linked pyqtgraph plots with a time cursor that seeks.

The panel plots the kinematics the take in the viewer state carries
(:attr:`viewer.model.take_bundle.TakeBundle.kinematics`, computed once per take;
by the application in the background when it offers to,
:meth:`viewer.model.state.ViewerState.request_kinematics`) and, with an exemplar, the exemplar's
(:attr:`viewer.model.exemplar_bundle.ExemplarBundle.kinematics`). Every plot has one
movable :class:`pyqtgraph.InfiniteLine` that follows ``state.frame_changed``;
clicking in a plot or dragging its cursor calls ``state.seek``. Cursor moves
that come from the state are never sent back to it: only user drags
(``sigDragged``) and clicks seek. When the state has an exemplar, its curves
(from its pose aligned onto the take's frames) are drawn dashed beside the
take's, with the gap between them shaded. When the state holds a scoring
result, the penalty × time heatmap (the most probable items by name,
:mod:`viewer.widgets.penalty_heatmap`) is pinned above the scrolling curves,
sharing their time axis and cursor.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGraphicsItem,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QToolButton,
    QWidget,
)
from superqt.utils import qthrottled

from analysis.annotations.items import Marker
from analysis.motion.kinematics import (
    CURVE_GROUP_BY_NAME,
    CURVE_GROUPS,
    DEFAULT_GROUPS,
    column_side,
    write_kinematics_csv,
)
from analysis.render import palette
from viewer.model.state import ViewerState
from viewer.widgets.deferred import Deferred
from viewer.widgets.exemplar_curves import ExemplarCurves, TakeCurve
from viewer.widgets.marker_lines import MarkerLines
from viewer.widgets.panel import header_over_body
from viewer.widgets.penalty_heatmap import PenaltyHeatmap
from viewer.widgets.plot_stack import PlotStack
from viewer.widgets.time_plots import (
    BOTTOM_AXIS_HEIGHT,
    TIME_UNITS,
    PenaltySpans,
    add_time_cursor,
    plot_title,
    style_time_plot,
)

MIN_PLOT_HEIGHT = 95

#: During playback the cursors move at most this often (ms): repainting every plot on every
#: frame would cost the video grid frames; paused, they follow every seek at once.
PLAYBACK_CURSOR_MS = 50


class CurvesPanel(QWidget):
    """Joint angles, angular velocities and centre of mass of the current take, against time.

    Parameters
    ----------
    state : ViewerState
        Source of the take and frame; clicks and cursor drags call ``state.seek``.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._exemplar_kinematics = pd.DataFrame()   # the take's own are read when the plots are built
        self._visible: tuple[str, ...] = DEFAULT_GROUPS
        self._time_unit = "s"
        self._plots: list[pg.PlotItem] = []
        self._cursors: list[pg.InfiniteLine] = []
        self._take_curves: list[TakeCurve] = []
        self._penalty_spans = PenaltySpans()
        self._exemplar_curves = ExemplarCurves()
        self._rebuild = Deferred(self, self._rebuild_now)   # a take, its exemplar and verdict: one rebuild
        # The rebuild's repaint (every axis regenerating its ticks) runs in a turn of its own, so that the
        # event loop handles input and timers between the two instead of after both.
        self._resume_painting = Deferred(self, lambda: self._graphics.setUpdatesEnabled(True))
        self._heatmap = PenaltyHeatmap(self._on_cursor_dragged, lambda x: self._state.seek(self._frame_of_x(x)))
        self.marker_lines = MarkerLines()

        self._group_menu = QMenu(self)
        self._group_actions = {}
        for group in CURVE_GROUPS:
            action = self._group_menu.addAction(f"{group.title} ({group.unit})")
            action.setCheckable(True)
            action.setChecked(group.name in self._visible)
            action.toggled.connect(self._on_group_toggled)
            self._group_actions[group.name] = action
        groups_button = QToolButton(text="Curves", toolTip="Choose which curves to plot")
        groups_button.setMenu(self._group_menu)
        groups_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

        self._unit_box = QComboBox(toolTip="Unit of the time axis")
        self._unit_box.addItem("seconds", "s")
        self._unit_box.addItem("frames", "frame")
        self._unit_box.currentIndexChanged.connect(lambda _: self.set_time_unit(self._unit_box.currentData()))

        self._export_button = QToolButton(text="Export CSV…", toolTip="Save every kinematic curve of this take")
        self._export_button.clicked.connect(self._ask_export_path)

        toolbar = QHBoxLayout()
        toolbar.setContentsMargins(6, 3, 6, 3)
        toolbar.setSpacing(6)
        toolbar.addWidget(groups_button)
        toolbar.addSpacing(12)
        toolbar.addWidget(QLabel("Time axis"))
        toolbar.addWidget(self._unit_box)
        toolbar.addStretch(1)
        toolbar.addWidget(self._export_button)

        self._graphics = pg.GraphicsLayoutWidget()
        self._graphics.setBackground(palette.SCENE_BACKGROUND)
        self._graphics.ci.setSpacing(2)
        self._plot_stack = PlotStack(self._graphics)
        self._graphics.scene().sigMouseClicked.connect(self._on_scene_clicked)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self._graphics)
        # the scroll bar is always there, and the heatmap above keeps its width free: one time axis for both
        scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        pinned = QHBoxLayout()
        pinned.setContentsMargins(0, 0, scroll.verticalScrollBar().sizeHint().width(), 0)
        pinned.addWidget(self._heatmap)

        header_over_body(self, toolbar, scroll).insertLayout(1, pinned)

        state.take_changed.connect(lambda _take: self._rebuild.request())   # the kinematics are read there
        state.kinematics_ready.connect(lambda _take: self._rebuild.request())
        state.frame_changed.connect(self._on_frame_changed)
        state.playing_changed.connect(lambda playing: None if playing else self._follow(state.frame))
        self._follow_while_playing = qthrottled(self._follow, timeout=PLAYBACK_CURSOR_MS)
        state.exemplar_changed.connect(self._on_exemplar_changed)
        state.scoring_changed.connect(lambda _scoring: self._on_scoring_changed())
        state.annotations.changed.connect(lambda _take: self._draw_markers())
        self._rebuild_now()

    # ---------------------------------------------------------------- public
    @property
    def kinematics(self) -> pd.DataFrame:
        """Kinematics of the current take (see :func:`analysis.motion.kinematics.compute_kinematics`); empty if none."""
        self._rebuild.flush()
        return self._kinematics

    @property
    def exemplar_kinematics(self) -> pd.DataFrame:
        """Kinematics of the exemplar aligned onto the current take's frames; empty without an exemplar."""
        return self._exemplar_kinematics

    @property
    def graphics(self) -> pg.GraphicsLayoutWidget:
        """The view holding the plots."""
        return self._graphics

    @property
    def time_unit(self) -> str:
        """``"s"`` or ``"frame"``: the unit of the x axis."""
        return self._time_unit

    def plot_items(self) -> list[pg.PlotItem]:
        """The plots, top to bottom, one per visible curve group."""
        self._rebuild.flush()
        return list(self._plots)

    def cursor_positions(self) -> list[float]:
        """Where each plot's time cursor is, in x-axis units, top to bottom."""
        self._rebuild.flush()
        return [line.value() for line in self._cursors]

    def visible_groups(self) -> tuple[str, ...]:
        """Names of the plotted curve groups, in catalogue order."""
        return self._visible

    def set_visible_groups(self, names) -> None:
        """Plot these curve groups (names from :data:`analysis.motion.kinematics.CURVE_GROUPS`)."""
        unknown = [name for name in names if name not in CURVE_GROUP_BY_NAME]
        if unknown:
            raise KeyError(f"unknown curve group(s) {', '.join(map(repr, unknown))}; "
                           f"known: {', '.join(CURVE_GROUP_BY_NAME)}")
        chosen = tuple(group.name for group in CURVE_GROUPS if group.name in set(names))
        if chosen == self._visible:
            return
        self._visible = chosen
        for name, action in self._group_actions.items():
            action.blockSignals(True)
            action.setChecked(name in chosen)
            action.blockSignals(False)
        self._rebuild.request()

    def set_time_unit(self, unit: str) -> None:
        """Show time on the x axis in seconds (``"s"``) or frames (``"frame"``)."""
        if unit not in TIME_UNITS:
            raise ValueError(f"time unit must be one of {', '.join(TIME_UNITS)}, got {unit!r}")
        if unit == self._time_unit:
            return
        self._time_unit = unit
        self._unit_box.setCurrentIndex(self._unit_box.findData(unit))
        self._rebuild.request()

    def export_csv(self, path: str | Path) -> Path:
        """Write the current take's kinematics to ``path`` (CSV, one row per frame)."""
        if self.kinematics.empty:
            raise ValueError("no kinematics to export: the take has no 3D pose")
        return write_kinematics_csv(self._kinematics, path)

    # ------------------------------------------------------------ reactions
    @property
    def heatmap_plot(self) -> pg.PlotItem | None:
        """The plot of the penalty × time heatmap above the curves; None when the take is not scored."""
        self._rebuild.flush()
        return self._heatmap.plot

    @property
    def penalty_heatmap(self) -> PenaltyHeatmap:
        """The widget pinned above the curves that holds :attr:`heatmap_plot`."""
        return self._heatmap

    def _on_exemplar_changed(self, exemplar) -> None:
        kinematics = pd.DataFrame() if exemplar is None else exemplar.kinematics
        if kinematics.empty and self._exemplar_kinematics.empty:
            return
        self._exemplar_kinematics = kinematics
        if self._rebuild.pending or not self._plots:
            return   # drawn with the curves when they come
        # the curves drawn stay: only the exemplar's are replaced, and the titles say whether there is one
        x = self._kinematics["time_s" if self._time_unit == "s" else "frame"].to_numpy(dtype=np.float64)
        self._exemplar_curves.draw(self._take_curves, x, kinematics)
        self._set_titles()

    def _on_frame_changed(self, frame: int) -> None:
        if self._state.playing:
            self._follow_while_playing(frame)
        else:
            self._follow(frame)

    def _follow(self, frame: int) -> None:
        self._place_cursors(frame)
        if self._plots and self._state.playing:
            self._keep_in_view(self._x_of_frame(frame))

    def _place_cursors(self, frame: int) -> None:
        x = self._x_of_frame(frame)
        for line in self._cursors:
            if line.value() != x:
                line.setValue(x)

    def _keep_in_view(self, x: float) -> None:
        """During playback, scroll a zoomed-in x range so the cursor stays visible."""
        low, high = self._plots[0].viewRange()[0]
        if not low <= x <= high:
            width = high - low
            self._plots[0].setXRange(x - 0.1 * width, x + 0.9 * width, padding=0)

    def _on_group_toggled(self) -> None:
        self.set_visible_groups([name for name, action in self._group_actions.items() if action.isChecked()])

    def _on_cursor_dragged(self, line: pg.InfiniteLine) -> None:
        """Seek to the dragged cursor's frame and snap the cursor onto that frame."""
        self._state.seek(self._frame_of_x(line.value()))
        self._place_cursors(self._state.frame)

    def _on_scene_clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        for plot in self._plots:
            if plot.vb.sceneBoundingRect().contains(event.scenePos()):
                self._state.seek(self._frame_of_x(plot.vb.mapSceneToView(event.scenePos()).x()))
                event.accept()
                return

    def _ask_export_path(self) -> None:
        suggested = f"{self._state.take.take_id}_kinematics.csv" if self._state.take is not None else "kinematics.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export kinematics", suggested, "CSV files (*.csv)")
        if not path:
            return
        try:
            self.export_csv(path)
        except (OSError, ValueError) as error:
            QMessageBox.warning(self, "Export failed", f"Could not write {path}:\n{error}")

    # ---------------------------------------------------------------- plots
    def _x_of_frame(self, frame: float) -> float:
        return float(frame) / self._state.fps if self._time_unit == "s" else float(frame)

    def _frame_of_x(self, x: float) -> int:
        return int(round(x * self._state.fps if self._time_unit == "s" else x))

    def _rebuild_now(self) -> None:
        self._graphics.setUpdatesEnabled(False)
        self._resume_painting.request()
        computing = self._state.request_kinematics()   # the application computes them off the GUI thread
        kinematics = None if computing else getattr(self._state.take, "kinematics", None)   # None without a 3D pose
        self._kinematics = pd.DataFrame() if kinematics is None else kinematics
        self._export_button.setEnabled(not self._kinematics.empty)
        if self._kinematics.empty or not self._visible:
            self._heatmap.show_scoring(None, self._x_of_frame, 0.0)
            self._plot_stack.show_message("Open a take to see its kinematic curves" if self._state.take is None
                                          else "Computing the kinematic curves …" if computing
                                          else "This take has no 3D pose: no kinematic curves"
                                          if self._kinematics.empty
                                          else "No curves chosen: pick some from the Curves menu")
            self._plots = []
            self._graphics.setMinimumHeight(0)
            return
        x = self._kinematics["time_s" if self._time_unit == "s" else "frame"].to_numpy(dtype=np.float64)
        self._plots, fresh = self._plot_stack.plots_for(self._visible)
        if fresh:
            self._take_curves, self._cursors = [], []
            for plot, name in zip(self._plots, self._visible):
                self._make_group(plot, name, x)
            self._plots[-1].getAxis("bottom").setStyle(showValues=True)
        else:
            # the plots and curve items of the last take stay: only their data change (much cheaper)
            self._cursors = [line for line in self._cursors if line is not self._heatmap.cursor]
            for take_curve in self._take_curves:
                take_curve.curve.setData(x, self._kinematics[take_curve.column].to_numpy())
            self._place_cursors(self._state.frame)
        self._set_titles()
        self._penalty_spans.draw(self._plots, None if self._state.take is None else self._state.take.penalties,
                                 self._x_of_frame)
        self._exemplar_curves.draw(self._take_curves, x, self._exemplar_kinematics)
        self._plots[-1].setLabel("bottom", TIME_UNITS[self._time_unit])
        self._plots[0].setXRange(x[0], x[-1], padding=0.01)
        self._graphics.setMinimumHeight(MIN_PLOT_HEIGHT * len(self._plots) + BOTTOM_AXIS_HEIGHT)
        self._show_penalty_heatmap()
        self._draw_markers()

    def _draw_markers(self) -> None:
        """The take's markers as dashed lines on every plot, the heatmap included."""
        take = self._state.take
        markers = [] if take is None else self._state.annotations.items(take.take_id, Marker)
        plots = self._plots + ([self._heatmap.plot] if self._heatmap.plot is not None else [])
        self.marker_lines.draw(plots, markers, self._x_of_frame)

    def _set_titles(self) -> None:
        """Each plot's title: its curve group, the legend, and whether an exemplar is drawn beside it."""
        for plot, name in zip(self._plots, self._visible):
            plot.setTitle(self._title(name), size="9pt", justify="left")

    def _title(self, name: str) -> str:
        group = CURVE_GROUP_BY_NAME[name]
        legend = "".join(f'&nbsp;&nbsp;<span style="color:{palette.SIDE_BY_NAME[column_side(c)]}">▬ '
                         f'{column_side(c)}</span>' for c in group.columns if column_side(c))
        note = "┄ exemplar, gap shaded" if not self._exemplar_kinematics.empty else ""
        return plot_title(f"{group.title} ({group.unit})", note, legend)

    def _make_group(self, plot: pg.PlotItem, name: str, x: np.ndarray) -> None:
        """Style a new ``plot`` and add the curves of group ``name`` at ``x`` (T,) and a time cursor."""
        group = CURVE_GROUP_BY_NAME[name]
        style_time_plot(plot)
        plot.showGrid(x=True, y=True, alpha=0.15)
        for side in ("left", "bottom"):
            # the axes draw the grid across the plot: cache them so a moving cursor only blits them
            plot.getAxis(side).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        plot.getAxis("left").enableAutoSIPrefix(False)
        plot.getAxis("bottom").setStyle(showValues=False)
        for column in group.columns:
            colour = palette.SIDE_BY_NAME[column_side(column)]
            curve = plot.plot(x, self._kinematics[column].to_numpy(), pen=pg.mkPen(colour, width=2),
                              connect="finite", antialias=True)
            curve.curve.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            self._take_curves.append(TakeCurve(plot, curve, column, colour))
        self._cursors.append(add_time_cursor(plot, self._x_of_frame(self._state.frame), self._on_cursor_dragged))

    def _on_scoring_changed(self) -> None:
        """A verdict redraws only the heatmap and its marker lines. Nothing when the curves are due anyway
        (they read it), or when none are drawn ("Computing …"): the heatmap shows only above curves."""
        if self._rebuild.pending or not self._plots:
            return
        self._cursors = [line for line in self._cursors if line is not self._heatmap.cursor]
        self._show_penalty_heatmap()
        self._draw_markers()

    def _show_penalty_heatmap(self) -> None:
        """The scoring's heatmap above the curves (hidden without one): x-linked, with its own cursor."""
        self._heatmap.show_above(self._plots, self._state.scoring, self._x_of_frame,
                                 self._x_of_frame(self._state.frame))
        if self._heatmap.cursor is not None:
            self._cursors.append(self._heatmap.cursor)
