"""The triangulation inspector: where the 3D disagrees with the 2D detections.

A heatmap of reprojection error (joints x frames) for one view or all views,
tables per view and per joint, MPJPE against the reference, a jump to the
worst frame and a request to re-triangulate without a view. The widget only
reads the viewer state and calls its setters; the video grid draws the
selected detection, reprojection and error line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from analysis.geometry.report import mpjpe
from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
)
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.model.take_bundle_ops import (
    error_heatmap,
    error_table,
    worst_cell,
    worst_view_at,
)
from viewer.widgets.error_tables import Column, ErrorTableModel

#: Colour scale of the heatmap, pixels: fixed so that takes and views compare at a glance.
ERROR_RANGE_PX = (0.0, 30.0)
COLORMAP = "inferno"
#: Shown where there is no detection or no 3D point.
MISSING_COLOUR = QColor(110, 110, 110)
CURSOR_COLOUR = QColor(80, 200, 255)
HOVER_HINT = "Hover a cell for its error; click it to select that frame, view and joint."
#: Heatmap modes that combine all views, as (combo text, reduction).
ALL_VIEW_MODES = (("All views (max)", "max"), ("All views (mean)", "mean"))


def _excluded_tooltip(threshold_px: float) -> str:
    return (f"Share of frames × joints whose detection the 3D point does not rest on: "
            f"no detection, confidence below {DEFAULT_MIN_CONFIDENCE:g}, no 3D point, or a detection more than "
            f"{threshold_px:g} px (the robust threshold) from the reprojected 3D point, "
            f"i.e. the detections robust triangulation at that threshold leaves out.")


ERROR_COLUMNS = (
    Column("mean_px", "mean px", ".1f", "Mean reprojection error over all detections with a 3D point, pixels"),
    Column("median_px", "median px", ".1f", "Median reprojection error, pixels"),
    Column("max_px", "max px", ".1f", "Largest reprojection error, pixels"),
    Column("excluded_pct", "excl. %", ".1f", _excluded_tooltip(DEFAULT_THRESHOLD_PX)),
    Column("mpjpe_mm", "MPJPE mm", ".1f", "Mean distance of the 3D joint to the reference 3D, millimetres"),
)


class _CellImage(pg.ImageItem):
    """The heatmap image; a left click reports the (joint, frame) cell under the mouse."""

    cell_clicked = Signal(int, int)

    def mouseClickEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.image is None:
            super().mouseClickEvent(event)
            return
        event.accept()
        rows, columns = self.image.shape
        joint, frame = int(np.floor(event.pos().y())), int(np.floor(event.pos().x()))
        if 0 <= joint < rows and 0 <= frame < columns:
            self.cell_clicked.emit(joint, frame)


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

        self._mode_combo = QComboBox()
        self._mode_combo.setToolTip("Reprojection error of one view, or of all views combined per joint and frame")
        self._worst_button = QPushButton("Jump to worst frame")
        self._worst_button.setObjectName("jumpToWorstButton")
        self._worst_button.setToolTip("Seek to the frame, joint and view with the largest error shown in the heatmap")
        self._readout = QLabel()
        self._readout.setMinimumWidth(160)
        self._readout.setWordWrap(True)
        self._readout.setText(HOVER_HINT)
        self._readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._summary = QLabel()
        self._summary.setTextFormat(Qt.TextFormat.PlainText)

        self.heatmap_view = pg.GraphicsLayoutWidget()
        self.heatmap_view.setMinimumHeight(220)
        self._plot = self.heatmap_view.addPlot()
        self._image = _CellImage(axisOrder="row-major")
        self._backdrop = QGraphicsRectItem()
        self._cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(CURSOR_COLOUR, width=2))
        self._joint_band = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                               brush=pg.mkBrush(None), pen=pg.mkPen(CURSOR_COLOUR, width=1.5))
        self._setup_plot()

        self._view_model = ErrorTableModel("view", ERROR_COLUMNS, self)
        self._joint_model = ErrorTableModel("joint", ERROR_COLUMNS, self)
        self._view_table = self._make_table(self._view_model)
        self._joint_table = self._make_table(self._joint_model)

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
                                   "left out of the point. Also defines 'excluded (%)' in the tables.")
        self._retriangulate_button = QPushButton()
        self._retriangulate_button.setObjectName("retriangulateButton")
        self._retriangulate_button.setToolTip("Triangulate this take again, robustly, without the chosen view; "
                                              "the 3D and the errors are replaced when it is done")
        self._layout_widgets()

        self._mode_combo.currentIndexChanged.connect(self._on_mode_chosen)
        self._worst_button.clicked.connect(self.jump_to_worst)
        self._image.cell_clicked.connect(self._select_cell)
        self.heatmap_view.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self._exclude_combo.currentTextChanged.connect(self._update_retriangulate_text)
        self._retriangulate_button.clicked.connect(self._request_retriangulation)
        self._threshold.valueChanged.connect(self._refresh_tables)
        self._view_table.clicked.connect(self._on_view_row_clicked)
        self._joint_table.clicked.connect(self._on_joint_row_clicked)
        state.take_changed.connect(self._on_take_changed)
        state.frame_changed.connect(self._on_frame_changed)
        state.view_selected.connect(self._on_view_selected)
        state.joint_selected.connect(self._on_joint_selected)
        self._on_take_changed(state.take)

    # ------------------------------------------------------------------ layout
    def _setup_plot(self) -> None:
        plot = self._plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.getViewBox().invertY(True)
        plot.setLabel("bottom", "frame")
        plot.setLabel("left", "joint")
        plot.showAxis("top")
        plot.setLabel("top", "time", units="s")
        self._backdrop.setBrush(QBrush(MISSING_COLOUR))
        self._backdrop.setPen(QPen(Qt.PenStyle.NoPen))
        self._backdrop.setZValue(-10)
        plot.addItem(self._backdrop)
        plot.addItem(self._image)
        plot.addItem(self._joint_band)
        plot.addItem(self._cursor)
        self._joint_band.setZValue(5)
        self._cursor.setZValue(10)
        bar = pg.ColorBarItem(values=ERROR_RANGE_PX, colorMap=pg.colormap.get(COLORMAP), interactive=False,
                              label="reprojection error (px)", width=14)
        bar.setImageItem(self._image, insert_in=plot)

    def _make_table(self, model: ErrorTableModel) -> QTableView:
        table = QTableView()
        table.setModel(model)
        table.setSortingEnabled(True)
        table.sortByColumn(1, Qt.SortOrder.DescendingOrder)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(22)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        table.setAlternatingRowColors(True)
        return table

    def _layout_widgets(self) -> None:
        top = QHBoxLayout()
        top.addWidget(QLabel("Heatmap of"))
        top.addWidget(self._mode_combo)
        top.addWidget(self._worst_button)
        top.addStretch(1)
        top.addWidget(self._summary)

        tables = QWidget()
        tables_layout = QHBoxLayout(tables)
        tables_layout.setContentsMargins(0, 0, 0, 0)
        for title, table, stretch in (("Per view", self._view_table, 1), ("Per joint", self._joint_table, 1)):
            column = QVBoxLayout()
            column.addWidget(QLabel(f"<b>{title}</b> — click a row to select it"))
            column.addWidget(table)
            tables_layout.addLayout(column, stretch)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.heatmap_view)
        splitter.addWidget(tables)
        splitter.setStretchFactor(0, 4)
        splitter.setStretchFactor(1, 3)

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
        return self._heatmap.copy()

    def shown_view(self) -> str | None:
        """The single view the heatmap shows, or None when it combines all views."""
        return self._mode_combo.currentData() if self._mode_combo.currentIndex() >= len(ALL_VIEW_MODES) else None

    def set_heatmap_mode(self, text: str) -> None:
        """Show one view (its name) or all views ("All views (max)", "All views (mean)")."""
        index = self._mode_combo.findText(text)
        if index < 0:
            raise KeyError(f"no heatmap mode {text!r}")
        self._mode_combo.setCurrentIndex(index)

    def cell_to_scene(self, joint: int, frame: int) -> QPointF:
        """Scene position of the centre of the heatmap cell (``joint``, ``frame``)."""
        return self._plot.getViewBox().mapViewToScene(QPointF(frame + 0.5, joint + 0.5))

    def click_cell(self, joint: int, frame: int) -> None:
        """Act as a left click on a heatmap cell does."""
        self._image.cell_clicked.emit(joint, frame)

    def table_rows(self, kind: str) -> pd.DataFrame:
        """The per-``"view"`` or per-``"joint"`` table as shown (display order), raw numbers."""
        models = {"view": self._view_model, "joint": self._joint_model}
        if kind not in models:
            raise KeyError(f"no table {kind!r}; tables are 'view' and 'joint'")
        return models[kind].table()

    def summary_text(self) -> str:
        """The line under the tables: mean reprojection error and MPJPE against the reference."""
        return self._summary.text()

    def retriangulation_threshold_px(self) -> float:
        """The robust threshold, pixels, for the application to re-triangulate with."""
        return float(self._threshold.value())

    def set_excluded_view(self, view: str) -> None:
        """Choose the view that "Re-triangulate without" leaves out."""
        index = self._exclude_combo.findText(view)
        if index < 0:
            raise KeyError(f"no view {view!r} in this take")
        self._exclude_combo.setCurrentIndex(index)

    def jump_to_worst(self) -> None:
        """Select the cell with the largest error shown: its frame, joint and view."""
        cell = worst_cell(self._heatmap) if self._heatmap.size else None
        if cell is not None:
            self._select_cell(*cell)

    # ----------------------------------------------------------- state events
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        has_errors = take is not None and take.errors is not None
        self._refresh_tables()
        self._rebuild_combos(take)
        self._worst_button.setEnabled(has_errors)
        self._retriangulate_button.setEnabled(take is not None and len(take.view_names) > 2)
        self._refresh_heatmap()
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
        means = self._view_model.table().get("mean_px")
        if means is not None and means.notna().any():
            self._exclude_combo.setCurrentText(str(means.idxmax()))  # offer the likely culprit first
        self._exclude_combo.blockSignals(False)
        self._update_retriangulate_text(self._exclude_combo.currentText())

    def _on_frame_changed(self, frame: int) -> None:
        self._cursor.setValue(frame + 0.5)
        self._cursor.setVisible(self._heatmap.size > 0)

    def _on_view_selected(self, view: str | None) -> None:
        if view is None or self.shown_view() is None:
            return  # a combined heatmap stays combined: the user chose it
        index = self._mode_combo.findText(view)
        if index >= 0:
            self._mode_combo.setCurrentIndex(index)

    def _on_joint_selected(self, joint: int | None) -> None:
        visible = joint is not None and 0 <= joint < self._heatmap.shape[0]
        self._joint_band.setVisible(visible)
        if visible:
            self._joint_band.setRegion((joint, joint + 1))

    # ------------------------------------------------------------ user input
    def _on_mode_chosen(self, _index: int) -> None:
        self._refresh_heatmap()
        view = self.shown_view()
        if view is not None:
            self._state.select_view(view)

    def _select_cell(self, joint: int, frame: int) -> None:
        take = self._state.take
        if take is None:
            return
        view = self.shown_view() or worst_view_at(take, frame, joint)
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
        take = self._state.take
        if take is None or not self._heatmap.size or not self._plot.sceneBoundingRect().contains(scene_position):
            self._readout.setText(HOVER_HINT)
            return
        position = self._image.mapFromScene(scene_position)
        joint, frame = int(np.floor(position.y())), int(np.floor(position.x()))
        if not (0 <= joint < self._heatmap.shape[0] and 0 <= frame < self._heatmap.shape[1]):
            self._readout.setText(HOVER_HINT)
            return
        value = self._heatmap[joint, frame]
        error = "no detection or no 3D" if np.isnan(value) else f"{value:.1f} px"
        self._readout.setText(f"{take.skeleton.joint_names[joint]}, frame {frame} "
                              f"({frame / self._state.fps:.2f} s): {error}")

    # -------------------------------------------------------------- refresh
    def _refresh_heatmap(self) -> None:
        take = self._state.take
        if take is None or take.errors is None:
            self._heatmap = np.zeros((0, 0))
            self._image.clear()
            self._backdrop.setRect(QRectF())
            self._plot.getAxis("left").setTicks([[]])
            self._cursor.setVisible(False)
            return
        view = self.shown_view()
        reduction = self._mode_combo.currentData() if view is None else "max"
        self._heatmap = error_heatmap(take, view, reduction)
        n_joints, n_frames = self._heatmap.shape
        self._image.setImage(self._heatmap, autoLevels=False, levels=ERROR_RANGE_PX)
        self._backdrop.setRect(QRectF(0, 0, n_frames, n_joints))
        self._plot.getAxis("left").setTicks([[(j + 0.5, name) for j, name in enumerate(take.skeleton.joint_names)]])
        self._plot.getAxis("top").setScale(1.0 / self._state.fps)
        view_box = self._plot.getViewBox()
        view_box.setLimits(xMin=0, xMax=n_frames, yMin=0, yMax=n_joints, minXRange=min(10, n_frames))
        view_box.setRange(xRange=(0, n_frames), yRange=(0, n_joints), padding=0)
        self._cursor.setVisible(True)

    def _refresh_tables(self) -> None:
        take = self._state.take
        threshold = self.retriangulation_threshold_px()
        for model, kind in ((self._view_model, "view"), (self._joint_model, "joint")):
            model.set_column_tooltip("excluded_pct", _excluded_tooltip(threshold))
            model.set_table(pd.DataFrame() if take is None else error_table(take, kind, threshold), threshold)
        self._summary.setText(self._summary_line(take))

    @staticmethod
    def _summary_line(take: TakeBundle | None) -> str:
        if take is None:
            return "No take open."
        if take.errors is None:
            return "This take has no 3D pose yet: re-triangulate to build it."
        mean = np.nanmean(take.errors) if np.isfinite(take.errors).any() else np.nan
        parts = [f"Mean reprojection error {mean:.1f} px"]
        if take.reference is not None and take.pose3d is not None:
            parts.append(f"MPJPE vs reference {mpjpe(take.pose3d, take.reference) * 1000.0:.1f} mm")
        else:
            parts.append("no reference 3D for MPJPE")
        return " · ".join(parts)
