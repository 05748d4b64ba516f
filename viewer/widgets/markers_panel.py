"""Markers and notes, and the 3D measurements, of the current take: a list to jump, edit and delete.

The panel reads the take's markers and measurements from the viewer state's
annotations and asks for every change through them (undoable in the
application). Activating a marker (double-click or Enter) seeks to its frame;
the measurements list shows each one's value at the current frame.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.annotations.items import Marker, Measurement
from analysis.annotations.measure import format_value, measurement_series
from viewer.model.annotations import AnnotationEdit
from viewer.model.state import ViewerState
from viewer.widgets.note_editor import NoteEditor

ID_ROLE = Qt.ItemDataRole.UserRole


def measurement_title(measurement: Measurement) -> str:
    """``"distance left_wrist – right_wrist"`` or ``"angle at left_knee (left_hip, left_ankle)"``."""
    joints = measurement.joints
    if measurement.kind == "distance":
        return f"distance {joints[0]} – {joints[1]}"
    return f"angle at {joints[1]} ({joints[0]}, {joints[2]})"


def _tree(headers: list[str]) -> QTreeWidget:
    tree = QTreeWidget()
    tree.setHeaderLabels(headers)
    tree.setRootIsDecorated(False)
    tree.setUniformRowHeights(True)
    tree.setAlternatingRowColors(True)
    return tree


class MarkersPanel(QWidget):
    """The take's markers (frame, time, note) and measurements (what, value now)."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._series: dict[str, np.ndarray] = {}        # measurement id -> values per frame
        self.note_editor = NoteEditor(self)
        self.markers = _tree(["Frame", "Time", "Note"])
        self.markers.itemActivated.connect(self._jump)
        self.markers.itemSelectionChanged.connect(lambda: self._select_from(self.markers))
        self.measurements = _tree(["Measurement", "Now"])
        self.measurements.itemSelectionChanged.connect(lambda: self._select_from(self.measurements))
        self.add_button = QPushButton("Add (M)", toolTip="Add a marker with a note at the current frame")
        self.edit_button = QPushButton("Edit note…", toolTip="Edit the selected marker's note")
        self.delete_button = QPushButton("Delete", toolTip="Delete the selected marker or measurement (Delete)")
        self.add_button.clicked.connect(self.add_marker)
        self.edit_button.clicked.connect(self.edit_selected_marker)
        self.delete_button.clicked.connect(state.annotations.delete_selected)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(QLabel("Markers — double-click to jump there"))
        top_layout.addWidget(self.markers, 1)
        top_layout.addLayout(buttons)
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.addWidget(QLabel("3D measurements — Distance / Angle in the 3D view's tool bar"))
        bottom_layout.addWidget(self.measurements, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

        state.take_changed.connect(lambda _take: self._refill())
        state.annotations.changed.connect(self._on_annotations_changed)
        state.annotations.selection_changed.connect(self._show_selection)
        state.frame_changed.connect(self._show_values)
        self._refill()

    # ------------------------------------------------------------------ API
    def add_marker(self) -> None:
        """Open the note editor for a marker at the current frame; the marker is added if the user accepts."""
        take, frame = self._state.take, self._state.frame
        if take is None:
            return
        time_s = frame / self._state.fps
        self.note_editor.ask("Add a marker", "", lambda note: self._state.annotations.request(
            AnnotationEdit.adding(Marker(take.take_id, frame, note.strip()))),
            prompt=f"Note at frame {frame} ({time_s:.2f} s) — Ctrl+Enter to add the marker")

    def edit_selected_marker(self) -> None:
        """Open the note editor on the selected marker."""
        marker = self._state.annotations.get(self._state.annotations.selected)
        if not isinstance(marker, Marker):
            return

        def done(note: str) -> None:
            current = self._state.annotations.get(marker.id)
            if current is not None and note.strip() != current.note:
                self._state.annotations.request(AnnotationEdit.changing(current, replace(current, note=note.strip()),
                                                                        "Edit note of"))

        self.note_editor.ask("Edit the marker's note", marker.note, done, prompt=f"Note at frame {marker.frame}")

    # ------------------------------------------------------------ reactions
    def _on_annotations_changed(self, take: str) -> None:
        if take in ("", self._state.take.take_id if self._state.take is not None else None):
            self._refill()

    def _refill(self) -> None:
        take = self._state.take
        annotations = self._state.annotations
        markers = [] if take is None else sorted(annotations.items(take.take_id, Marker), key=lambda m: m.frame)
        measurements = [] if take is None else annotations.items(take.take_id, Measurement)
        for tree in (self.markers, self.measurements):
            tree.blockSignals(True)
            tree.clear()
        for marker in markers:
            item = QTreeWidgetItem([str(marker.frame), f"{marker.frame / self._state.fps:.2f} s", marker.note])
            item.setData(0, ID_ROLE, marker.id)
            item.setToolTip(2, marker.note)
            self.markers.addTopLevelItem(item)
        self._series = {}
        for measurement in measurements:
            item = QTreeWidgetItem([measurement_title(measurement), ""])
            item.setData(0, ID_ROLE, measurement.id)
            self.measurements.addTopLevelItem(item)
            if take.pose is not None:
                self._series[measurement.id] = measurement_series(measurement, take.pose, take.skeleton)
        for tree in (self.markers, self.measurements):
            tree.resizeColumnToContents(0)
            tree.blockSignals(False)
        self._show_selection(annotations.selected)
        self._show_values(self._state.frame)
        self.setEnabled(take is not None)

    def _show_values(self, frame: int) -> None:
        for row in range(self.measurements.topLevelItemCount()):
            item = self.measurements.topLevelItem(row)
            measurement = self._state.annotations.get(item.data(0, ID_ROLE))
            series = self._series.get(measurement.id) if measurement is not None else None
            value = float(series[frame]) if series is not None and frame < len(series) else float("nan")
            item.setText(1, format_value(measurement.kind, value) if measurement is not None else "")

    def _show_selection(self, item_id: str | None) -> None:
        for tree in (self.markers, self.measurements):
            tree.blockSignals(True)
            tree.clearSelection()
            for row in range(tree.topLevelItemCount()):
                if tree.topLevelItem(row).data(0, ID_ROLE) == item_id:
                    tree.topLevelItem(row).setSelected(True)
            tree.blockSignals(False)
        self.edit_button.setEnabled(isinstance(self._state.annotations.get(item_id), Marker))

    def _select_from(self, tree: QTreeWidget) -> None:
        chosen = tree.selectedItems()
        self._state.annotations.select(chosen[0].data(0, ID_ROLE) if chosen else None)

    def _jump(self, item: QTreeWidgetItem) -> None:
        marker = self._state.annotations.get(item.data(0, ID_ROLE))
        if isinstance(marker, Marker):
            self._state.set_playing(False)
            self._state.seek(marker.frame)

    def marker_rows(self) -> list[tuple[int, str]]:
        """What the markers list shows: (frame, note) per row, in frame order."""
        return [(int(self.markers.topLevelItem(row).text(0)), self.markers.topLevelItem(row).text(2))
                for row in range(self.markers.topLevelItemCount())]

    def measurement_rows(self) -> list[tuple[str, str]]:
        """What the measurements list shows: (measurement, value now) per row."""
        return [(self.measurements.topLevelItem(row).text(0), self.measurements.topLevelItem(row).text(1))
                for row in range(self.measurements.topLevelItemCount())]
