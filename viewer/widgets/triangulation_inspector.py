"""The triangulation inspector: where the 3D disagrees with the 2D detections.

A heatmap of reprojection error (joints x frames) for one view or all views,
tables per view and per joint, the mean error of the kept and of all valid
observations (the figures ``main.py triangulate`` reports), MPJPE against the
reference, a jump to the worst frame and a request to re-triangulate without
a view. The widget only reads the viewer state and calls its setters; the
video grid draws the selected detection, reprojection and error line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from analysis.geometry.report import Observations, per_joint_table, per_view_table
from analysis.geometry.robust_triangulation import DEFAULT_THRESHOLD_PX
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.model.take_bundle_ops import (
    error_heatmap,
    inspector_summary,
    take_observations,
    worst_cell,
    worst_view_at,
)
from viewer.widgets.error_heatmap_view import ErrorHeatmapView
from viewer.widgets.error_tables import (
    ERROR_COLUMNS,
    SORT_COLUMN,
    ErrorTableModel,
    error_table_view,
    excluded_tooltip,
)
from viewer.widgets.when_shown import WhenShown

HOVER_HINT = "Hover a cell for its error; click it to select that frame, view and joint."
#: Heatmap modes that combine all views, as (combo text, reduction).
ALL_VIEW_MODES = (("All views (max)", "max"), ("All views (mean)", "mean"))
SUMMARY_TOOLTIP = ("kept: mean over the observations within the robust threshold of their 3D point (what the 3D "
                   "rests on); all: mean over every valid observation, outliers included. "
                   "`main.py triangulate` reports the same two figures.")


class TriangulationInspector(QWidget):
    """Reprojection error heatmap, error tables and re-triangulation of the current take.

    Parameters
    ----------
    state : ViewerState
        Read on ``take_changed``, ``frame_changed``, ``view_selected`` and
        ``joint_selected``; set with ``seek``, ``select_view``, ``select_joint``
        and ``request_retriangulation``.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._heatmap = np.zeros((0, 0))
        self._observations: Observations | None = None

        self._mode_combo = QComboBox()
        self._mode_combo.setToolTip("Reprojection error of one view, or of all views combined per joint and frame")
        self._worst_button = QPushButton("Jump to worst frame")
        self._worst_button.setObjectName("jumpToWorstButton")
        self._worst_button.setToolTip("Seek to the frame, joint and view with the largest error shown in the heatmap")
        self._readout = QLabel(HOVER_HINT)
        self._readout.setMinimumWidth(160)
        self._readout.setWordWrap(True)
        self._readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._summary = QLabel()
        self._summary.setTextFormat(Qt.TextFormat.PlainText)
        self._summary.setToolTip(SUMMARY_TOOLTIP)

        self.heatmap_view = ErrorHeatmapView()
        self.heatmap_view.setMinimumHeight(300)

        self._view_model = ErrorTableModel("view", ERROR_COLUMNS, self)
        self._joint_model = ErrorTableModel("joint", ERROR_COLUMNS, self)
        self._view_table = error_table_view(self._view_model)
        self._joint_table = error_table_view(self._joint_model)

        self._exclude_combo = QComboBox()
        self._exclude_combo.setToolTip("The view whose detections the new triangulation leaves out")
        self._threshold = QDoubleSpinBox()
        self._threshold.setObjectName("thresholdSpinBox")
        self._threshold.setRange(1.0, 200.0)
        self._threshold.setDecimals(1)
        self._threshold.setSingleStep(1.0)
        self._threshold.setSuffix(" px")
        self._threshold.setValue(DEFAULT_THRESHOLD_PX)
        self._threshold.setToolTip("Robust threshold: a view whose detection reprojects farther than this is "
                                   "left out of the point. Also separates kept observations from outliers "
                                   "in the figures and tables.")
        self._retriangulate_button = QPushButton()
        self._retriangulate_button.setObjectName("retriangulateButton")
        self._retriangulate_button.setToolTip("Triangulate this take again, robustly, without the chosen view; "
                                              "the 3D and the errors are replaced when it is done")
        self._layout_widgets()

        self._mode_combo.currentIndexChanged.connect(self._on_mode_chosen)
        self._worst_button.clicked.connect(self.jump_to_worst)
        self.heatmap_view.cell_clicked.connect(self._select_cell)
        self.heatmap_view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._exclude_combo.currentTextChanged.connect(self._update_retriangulate_text)
        self._retriangulate_button.clicked.connect(self._request_retriangulation)
        self._threshold.valueChanged.connect(self._measure)
        self._view_table.clicked.connect(self._on_view_row_clicked)
        self._joint_table.clicked.connect(self._on_joint_row_clicked)
        # behind another tab, a take switch only marks the inspector out of date: it measures when shown
        self._take_shown = WhenShown(self, self._show_take)
        state.take_changed.connect(self._on_take_changed)
        state.frame_changed.connect(self._on_frame_changed)
        state.view_selected.connect(self._on_view_selected)
        state.joint_selected.connect(self._on_joint_selected)
        self._show_take()

    # ------------------------------------------------------------------ layout
    def _layout_widgets(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Heatmap of"))
        top.addWidget(self._mode_combo)
        top.addWidget(self._worst_button)
        top.addStretch(1)
        top.addWidget(self._summary)

        tables = QSplitter(Qt.Orientation.Vertical)
        for title, table in (("Per view", self._view_table), ("Per joint", self._joint_table)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{title}</b>: mean error of the kept and of all valid observations; "
                                    f"click a row to select it"))
            column.addWidget(table)
            tables.addWidget(box)

        # Side by side, the heatmap keeps the panel's full height: rows tall enough to name the joints.
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.heatmap_view)
        splitter.addWidget(tables)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        bottom = QHBoxLayout()
        bottom.addWidget(self._readout, 1)
        bottom.addWidget(QLabel("Re-triangulate without"))
        bottom.addWidget(self._exclude_combo)
        bottom.addWidget(QLabel("threshold"))
        bottom.addWidget(self._threshold)
        bottom.addWidget(self._retriangulate_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    # ------------------------------------------------------------- public API
    def heatmap_array(self) -> np.ndarray:
        """The error shown, shape (J, T), pixels; NaN where missing. Empty without a take or 3D."""
        self._take_shown.flush()
        return self._heatmap.copy()

    def shown_view(self) -> str | None:
        """The single view the heatmap shows, or None when it combines all views."""
        self._take_shown.flush()
        return self._mode_combo.currentData() if self._mode_combo.currentIndex() >= len(ALL_VIEW_MODES) else None

    def set_heatmap_mode(self, text: str) -> None:
        """Show one view (its name) or all views ("All views (max)", "All views (mean)")."""
        self._take_shown.flush()
        index = self._mode_combo.findText(text)
        if index < 0:
            raise KeyError(f"no heatmap mode {text!r}")
        self._mode_combo.setCurrentIndex(index)

    def cell_to_scene(self, joint: int, frame: int) -> QPointF:
        """Scene position of the centre of the heatmap cell (``joint``, ``frame``)."""
        self._take_shown.flush()
        return self.heatmap_view.cell_to_scene(joint, frame)

    def click_cell(self, joint: int, frame: int) -> None:
        """Act as a left click on a heatmap cell does."""
        self._take_shown.flush()
        self.heatmap_view.cell_clicked.emit(joint, frame)

    def table_rows(self, kind: str) -> pd.DataFrame:
        """The per-``"view"`` or per-``"joint"`` table as shown (display order), raw numbers."""
        self._take_shown.flush()
        models = {"view": self._view_model, "joint": self._joint_model}
        if kind not in models:
            raise KeyError(f"no table {kind!r}; tables are 'view' and 'joint'")
        return models[kind].table()

    def summary_text(self) -> str:
        """The figures above the heatmap: kept and all mean reprojection error, MPJPE, joints left empty."""
        self._take_shown.flush()
        return self._summary.text()

    def readout_text(self) -> str:
        """The line under the heatmap that describes the cell under the mouse."""
        self._take_shown.flush()
        return self._readout.text()

    def reprojection_means_px(self) -> dict[str, float]:
        """The two mean reprojection errors shown, pixels, by kind ("kept", "all"); NaN without 3D."""
        self._take_shown.flush()
        observations = self._observations
        return {kind: np.nan if observations is None else observations.mean_px(kind) for kind in ("kept", "all")}

    def retriangulation_threshold_px(self) -> float:
        """The robust threshold, pixels, for the application to re-triangulate with."""
        return float(self._threshold.value())

    def set_excluded_view(self, view: str) -> None:
        """Choose the view that "Re-triangulate without" leaves out."""
        self._take_shown.flush()
        index = self._exclude_combo.findText(view)
        if index < 0:
            raise KeyError(f"no view {view!r} in this take")
        self._exclude_combo.setCurrentIndex(index)

    def jump_to_worst(self) -> None:
        """Select the cell with the largest error shown: its frame, joint and view."""
        self._take_shown.flush()
        cell = worst_cell(self._heatmap) if self._heatmap.size else None
        if cell is not None:
            self._select_cell(*cell)

    # ----------------------------------------------------------- state events
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._take_shown.flush()

    def _on_take_changed(self, _take: TakeBundle | None) -> None:
        self._take_shown.request()

    def _show_take(self) -> None:
        take = self._state.take
        self._readout.setText(HOVER_HINT)  # it described a cell of the previous take
        self._measure()
        self._rebuild_combos(take)
        self._worst_button.setEnabled(self._observations is not None)
        self._retriangulate_button.setEnabled(take is not None and len(take.view_names) > 2)
        self._refresh_heatmap()
        self._on_view_selected(self._state.selected_view)
        self._on_frame_changed(self._state.frame)
        self._on_joint_selected(self._state.selected_joint)

    def _rebuild_combos(self, take: TakeBundle | None) -> None:
        previous_mode = self._mode_combo.currentText() or ALL_VIEW_MODES[0][0]
        views = () if take is None else take.view_names
        self._mode_combo.blockSignals(True)
        self._mode_combo.clear()
        for text, reduction in ALL_VIEW_MODES:
            self._mode_combo.addItem(text, reduction)
        for view in views:
            self._mode_combo.addItem(view, view)
        self._mode_combo.setCurrentIndex(max(0, self._mode_combo.findText(previous_mode)))
        self._mode_combo.blockSignals(False)

        self._exclude_combo.blockSignals(True)
        self._exclude_combo.clear()
        self._exclude_combo.addItems(list(views))
        means = self._view_model.table().get(SORT_COLUMN)
        if means is not None:
            means = means.drop(index=list(take.excluded_views))   # already left out
        if means is not None and means.notna().any():
            self._exclude_combo.setCurrentText(str(means.idxmax()))  # offer the likely culprit first
        self._exclude_combo.blockSignals(False)
        self._update_retriangulate_text(self._exclude_combo.currentText())

    def _on_frame_changed(self, frame: int) -> None:
        if self._take_shown.stale:
            return   # caught up when shown
        self.heatmap_view.set_cursor(frame if self._heatmap.size else None)

    def _on_view_selected(self, view: str | None) -> None:
        if self._take_shown.stale:
            return
        if view is None or self.shown_view() is None:
            return  # a combined heatmap stays combined: the user chose it
        index = self._mode_combo.findText(view)
        if index >= 0:
            self._mode_combo.setCurrentIndex(index)

    def _on_joint_selected(self, joint: int | None) -> None:
        if self._take_shown.stale:
            return
        visible = joint is not None and 0 <= joint < self._heatmap.shape[0]
        self.heatmap_view.set_joint_band(joint if visible else None)

    # ------------------------------------------------------------ user input
    def _on_mode_chosen(self, _index: int) -> None:
        self._refresh_heatmap()
        view = self.shown_view()
        if view is not None:
            self._state.select_view(view)

    def _select_cell(self, joint: int, frame: int) -> None:
        take = self._state.take
        if take is None or self._observations is None:
            return
        view = self.shown_view()
        worst = worst_view_at(self._observations, frame, joint)
        if view is None and worst is not None:
            view = take.view_names[worst]
        if view is not None:
            self._state.select_view(view)
        self._state.select_joint(joint)
        self._state.seek(frame)

    def _on_view_row_clicked(self, index) -> None:
        self._state.select_view(self._view_model.data(index.siblingAtColumn(0), Qt.UserRole))

    def _on_joint_row_clicked(self, index) -> None:
        take = self._state.take
        if take is not None:
            self._state.select_joint(take.skeleton.index(self._joint_model.data(index.siblingAtColumn(0), Qt.UserRole)))

    def _request_retriangulation(self) -> None:
        view = self._exclude_combo.currentText()
        if view:
            self._state.request_retriangulation((view,))

    def _update_retriangulate_text(self, view: str) -> None:
        self._retriangulate_button.setText(f"Re-triangulate without {view}" if view else "Re-triangulate")

    def _on_mouse_moved(self, scene_position: QPointF) -> None:
        text = self._describe(scene_position)
        self._readout.setText(text)
        if self.heatmap_view.over_joint_names(scene_position):
            self.heatmap_view.joint_axis.setToolTip(text)

    def _describe(self, scene_position: QPointF) -> str:
        """What the readout says about the point under the mouse: a cell's error, or a joint's full name."""
        take = self._state.take
        if take is None or not self._heatmap.size:
            return HOVER_HINT
        view = self.heatmap_view
        joint, frame = view.cell_at(scene_position)
        n_joints, n_frames = self._heatmap.shape
        if not 0 <= joint < n_joints:
            return HOVER_HINT
        name = take.skeleton.joint_names[joint]
        if view.over_joint_names(scene_position):
            return f"{name} (row {joint + 1} of {n_joints})"
        if not (0 <= frame < n_frames and view.over_cells(scene_position)):
            return HOVER_HINT
        value = self._heatmap[joint, frame]
        error = "no usable detection or no 3D" if np.isnan(value) else f"{value:.1f} px"
        return f"{name}, frame {frame} ({frame / self._state.fps:.2f} s): {error}"

    # -------------------------------------------------------------- refresh
    def _refresh_heatmap(self) -> None:
        take, observations = self._state.take, self._observations
        if take is None or observations is None:
            self._heatmap = np.zeros((0, 0))
            self.heatmap_view.clear_errors()
            return
        view = self.shown_view()
        reduction = self._mode_combo.currentData() if view is None else "max"
        self._heatmap = error_heatmap(observations, None if view is None else take.view_names.index(view), reduction)
        self.heatmap_view.show_errors(self._heatmap, take.skeleton.joint_names, self._state.fps)
        self.heatmap_view.set_cursor(self._state.frame)

    def _measure(self) -> None:
        """Measure the take's detections against its 3D at the current threshold; show the tables and figures."""
        take = self._state.take
        threshold = self.retriangulation_threshold_px()
        self._observations = None if take is None else take_observations(take, threshold)
        observations = self._observations
        tables = {"view": pd.DataFrame(), "joint": pd.DataFrame()}
        if observations is not None:
            tables = {"view": per_view_table(observations, take.view_names),
                      "joint": per_joint_table(observations, take.skeleton.joint_names, take.reference)}
        for model, kind in ((self._view_model, "view"), (self._joint_model, "joint")):
            model.set_column_tooltip("excluded_pct", excluded_tooltip(threshold))
            model.set_table(tables[kind], threshold)
        self._summary.setText(inspector_summary(take, observations))
