"""The board calibration's report in the wizard: per camera the board as found, its coverage and the fit."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.wizard.board_job import BoardCalibration
from viewer.widgets.tile_painter import bgr_qimage

#: Columns of the report table.
CAMERA, DETECTION, COVERAGE, FRAMES, FOCAL, RMS = range(6)
_HEADERS = ("camera", "board found (best frame)", "coverage", "frames", "f (px)", "RMS (px)")


class BoardReport(QWidget):
    """A summary line over a table with one row per camera (empty until :meth:`show_result`)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel("")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(_HEADERS))
        self.table.setHorizontalHeaderLabels(_HEADERS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.setVisible(False)

    def clear(self) -> None:
        self.summary.setText("")
        self.table.setRowCount(0)
        self.setVisible(False)

    def show_result(self, result: BoardCalibration) -> None:
        """Show the pictures of every camera, and the fit when the rig was calibrated."""
        report = None if result.rig is None else result.rig.report
        self.table.setRowCount(len(result.pictures))
        for row, pictures in enumerate(result.pictures):
            self._text(row, CAMERA, pictures.name)
            self._picture(row, DETECTION, pictures.detection, f"frame {pictures.frame}")
            self._picture(row, COVERAGE, pictures.coverage, f"{pictures.covered:.0%} of the image")
            if report is not None:
                entry = report["per_camera"][pictures.name]
                self._text(row, FRAMES, str(entry["n_frames"]))
                self._text(row, FOCAL, f"{entry['f_px']:.1f}")
                self._text(row, RMS, f"{entry['rms_px']:.3f}")
        self.table.resizeRowsToContents()
        every = f"every {result.every} frames" if result.every > 1 else "every frame"
        self.summary.setText(f"{result.spec}, {every}" + ("" if report is None else (
            f": mean RMS {report['mean_rms_px']:.3f} px, {report['n_shared_frames']} frames seen by 2 cameras "
            f"or more; world: {report['origin']}")))
        self.setVisible(True)

    def _text(self, row: int, column: int, text: str) -> None:
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.setItem(row, column, item)

    def _picture(self, row: int, column: int, image: np.ndarray, caption: str) -> None:
        """A BGR ``image`` with ``caption`` under it in a cell."""
        cell = QWidget()
        picture = QLabel()
        picture.setPixmap(QPixmap.fromImage(bgr_qimage(image).copy()))
        layout = QVBoxLayout(cell)
        layout.setContentsMargins(4, 4, 4, 2)
        layout.setSpacing(2)
        for label in (picture, QLabel(caption)):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        self.table.setCellWidget(row, column, cell)
