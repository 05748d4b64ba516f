"""Wizard step 5: putting the views on one clock."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import (
    QButtonGroup,
    QHeaderView,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
)

from analysis.geometry.recording_import import synchronize_views
from analysis.geometry.sync_result import apply_offsets
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.path_row import PathRow
from app.gui.wizard.step_page import StepPage


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


class SyncPage(StepPage):
    """Estimate each view's offset from the keypoint motion, take the views as synchronized, or read a file."""

    step = "sync"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Synchronization", "Cameras rarely start at the same instant: each view's offset "
                                                   "lines its frames up with the others'.")
        self.estimate = QRadioButton("Estimate the offsets from the keypoint motion, refined with the calibration")
        self.synchronized = QRadioButton("The cameras were synchronized (every offset 0)")
        self.from_file = QRadioButton("Offsets from a file (main.py sync --json)")
        self.file_row = PathRow(self, "Offsets (main.py sync --json)", "Read", self._from_file, "JSON (*.json)")
        again = QPushButton("Synchronize")
        again.clicked.connect(self.synchronize)
        choice = QButtonGroup(self)
        for button in (self.estimate, self.synchronized, self.from_file):
            choice.addButton(button)
            self.body.addWidget(button)
        self.estimate.setChecked(True)
        self.body.addLayout(self.file_row)
        self.body.addWidget(again)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels(["view", "camera", "offset (frames)", "correlation", "peak quality",
                                              "reprojection (px)"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table)

    def initializePage(self) -> None:
        self.file_row.start = self.draft.folder
        if self.draft.synced is None:
            self.synchronize()

    def synchronize(self) -> None:
        """Put the views on one clock as chosen, in the background."""
        matched, skeleton = self.draft.matched, self.draft.skeleton
        synchronized = self.synchronized.isChecked()
        sync = "auto" if self.estimate.isChecked() else self.file_row.path()

        def job(progress, cancelled):
            if synchronized:
                return replace(matched, keypoints=apply_offsets(matched.keypoints,
                                                                {m.view: 0 for m in matched.matches})), None
            return synchronize_views(matched, sync, skeleton, progress, cancelled)

        self.run(job, self._synchronized, "Synchronizing")

    def _from_file(self) -> None:
        self.from_file.setChecked(True)
        self.synchronize()

    def _synchronized(self, synced) -> None:
        self.draft.synced, self.draft.sync = synced
        keypoints, result = self.draft.synced.keypoints, self.draft.sync
        self.table.setRowCount(len(self.draft.synced.matches))
        for row, match in enumerate(self.draft.synced.matches):
            sync = None if result is None else result.views[match.view]
            offset = keypoints.file_frame(match.view) - keypoints.first_frame
            cells = (match.view, match.camera, f"{offset:+d}", _number(sync and sync.correlation),
                     _number(sync and sync.peak_quality), _number(sync and sync.reprojection_px))
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        reference = "" if result is None else f" (against {result.reference})"
        self.say(f"{keypoints.n_frames} frames seen by every view{reference}")

    def ready(self) -> bool:
        return self.draft.synced is not None
