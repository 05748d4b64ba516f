"""Wizard step 3: the cameras' calibration, read from a file or computed from a board recording."""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QRadioButton

from analysis.geometry.calibration_io import read_calibration
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.path_row import PathRow
from app.gui.wizard.step_page import StepPage

CALIBRATION_FILTER = "Calibrations (*.toml *.qca.txt *.xml intri.yml);;All files (*)"


class CalibrationPage(StepPage):
    """Read the calibration from a file (toml, EasyMocap, Qualisys) or compute it from a board recording."""

    step = "calibration"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Calibration", "Where the cameras stand and how their lenses bend the image.")
        self.from_file = QRadioButton("From a file (anipose/Pose2Sim toml, EasyMocap intri/extri.yml, "
                                      "Qualisys .qca.txt)")
        self.file_row = PathRow(self, "Calibration file", "Read", self.read_file, CALIBRATION_FILTER)
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.from_file)
        self.from_file.setChecked(True)
        self.body.addWidget(self.from_file)
        self.body.addLayout(self.file_row)
        self.body.addStretch(1)

    def initializePage(self) -> None:
        found = self.draft.found
        self.file_row.start = found.folder
        self.file_row.suggest(found.calibrations)
        if found.calibrations and self.draft.calibration is None:
            self.read_file()

    def read_file(self) -> None:
        """Read the calibration file chosen, in the background."""
        path = self.file_row.path()
        self.run(lambda _progress, _cancelled: read_calibration(path), lambda calibration: self._calibrated(
            calibration, f"{path.name} ({calibration.file_format}; {calibration.conversion})"),
                 "Reading the calibration")

    def _calibrated(self, calibration, source: str) -> None:
        """Keep ``calibration``; pair the videos with its cameras (raises ValueError when they cannot be)."""
        self.draft.calibration = calibration
        self.draft.calibration_source = source
        try:
            pairs = self.draft.camera_videos()
        except ValueError:
            self.draft.calibration = None
            raise
        cameras = ", ".join(f"{camera} ← {path.name}" for camera, path in pairs.items())
        notes = "".join(f"\nnote: {note}" for note in calibration.notes)
        self.say(f"{len(calibration.cameras)} cameras from {source}\n{cameras}{notes}")

    def ready(self) -> bool:
        return self.draft.calibration is not None
