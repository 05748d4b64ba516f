"""Wizard step 3: the cameras' calibration, read from a file or computed from a board recording."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from analysis.geometry.board import SPEC_FORMS, BoardSpec, parse_board_spec
from analysis.geometry.calibration_io import Calibration, read_calibration
from app.gui.wizard.board_job import BoardCalibration, calibrate_board_recording
from app.gui.wizard.board_panel import BoardReport
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.path_row import PathRow
from app.gui.wizard.step_page import StepPage

CALIBRATION_FILTER = "Calibrations (*.toml *.qca.txt *.xml intri.yml);;All files (*)"
#: The world frames a board calibration offers: label and ``calibrate_rig``'s origin.
ORIGINS = (("the first camera", "camera"), ("the board on the floor (where most cameras see it)", "board"))
#: ``Calibration.file_format`` of a calibration computed from a board recording.
BOARD_FORMAT = "board recording"


class CalibrationPage(StepPage):
    """Read the calibration from a file (toml, EasyMocap, Qualisys) or compute it from a board recording."""

    step = "calibration"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Calibration", "Where the cameras stand and how their lenses bend the image.")
        self.from_file = QRadioButton("From a file (anipose/Pose2Sim toml, EasyMocap intri/extri.yml, "
                                      "Qualisys .qca.txt)")
        self.file_row = PathRow(self, "Calibration file", "Read", self.read_file, CALIBRATION_FILTER)
        self.from_board = QRadioButton("From a board recording (one video or image folder per camera, "
                                       "frames with the same index simultaneous)")
        self.board_row = PathRow(self, "Board recording folder", "Calibrate", self.calibrate)
        self.spec_edit = QLineEdit()
        self.spec_edit.setPlaceholderText("charuco:10x7:0.10:0.075:DICT_4X4_100  or  checkerboard:9x6:0.04")
        self.spec_edit.setToolTip(f"{SPEC_FORMS}; COLS and ROWS count squares, lengths in metres")
        self.spec_check = QLabel("")
        self.spec_check.setWordWrap(True)
        self.origin = QComboBox()
        for label, origin in ORIGINS:
            self.origin.addItem(label, origin)
        self.report = BoardReport()
        self.choice = QButtonGroup(self)
        for button in (self.from_file, self.from_board):
            self.choice.addButton(button)
        self.from_file.setChecked(True)
        self.file_box, self.board_box = QWidget(), QWidget()
        QVBoxLayout(self.file_box).addLayout(self.file_row)
        board = QHBoxLayout()
        board.addWidget(self.spec_edit, 1)
        board.addWidget(QLabel("world origin"))
        board.addWidget(self.origin)
        form = QFormLayout(self.board_box)
        form.addRow("folder", self.board_row)
        form.addRow("board", board)
        form.addRow("", self.spec_check)
        for widget in (self.from_file, self.file_box, self.from_board, self.board_box):
            self.body.addWidget(widget)
        self.body.addWidget(self.report, 1)
        self.body.addStretch(0)
        self.spec_edit.textChanged.connect(self._check_spec)
        self.from_board.toggled.connect(self._show_choice)
        self._check_spec("")
        self._show_choice()

    def initializePage(self) -> None:
        found = self.draft.found
        self.file_row.start = self.board_row.start = found.folder
        self.file_row.suggest(found.calibrations)
        self.board_row.suggest([found.board] if found.board is not None else [])
        if not found.calibrations and found.board is not None:
            self.from_board.setChecked(True)
        if found.calibrations and self.draft.calibration is None:
            self.read_file()

    def board_spec(self) -> BoardSpec:
        """The board typed in (raises ValueError with the parser's message)."""
        return parse_board_spec(self.spec_edit.text().strip())

    def read_file(self) -> None:
        """Read the calibration file chosen, in the background."""
        path = self.file_row.path()
        self._start(lambda _progress, _cancelled: read_calibration(path), lambda calibration: self._calibrated(
            calibration, f"{path.name} ({calibration.file_format}; {calibration.conversion})"),
                    "Reading the calibration")

    def calibrate(self) -> None:
        """Find the board in the recording chosen and calibrate the rig, in the background; a bad board spec is refused."""
        try:
            spec = self.board_spec()
        except ValueError as error:
            self.say(str(error), problem=True)
            return
        folder, origin = self.board_row.path(), self.origin.currentData()
        self._start(lambda progress, cancelled: calibrate_board_recording(folder, spec, origin, progress, cancelled),
                    self._board_calibrated, f"Calibrating from {folder.name}")

    # ------------------------------------------------------------- private
    def _start(self, job, returned, what: str) -> None:
        """Run ``job`` after forgetting the calibration this page had (a cancelled or failed job leaves none)."""
        self.draft.clear_after("cameras")
        self.report.clear()
        self.run(job, returned, what)

    def _board_calibrated(self, result: BoardCalibration) -> None:
        """Show the pictures and the fit; keep the calibration (raises ValueError naming what failed)."""
        self.report.show_result(result)
        if result.rig is None:
            raise ValueError(result.problem)
        report = result.rig.report
        self._calibrated(Calibration(result.rig.cameras, BOARD_FORMAT, "m"),
                         f"board recording {result.folder.name}/ ({result.spec}, "
                         f"mean RMS {report['mean_rms_px']:.2f} px)", report)

    def _calibrated(self, calibration: Calibration, source: str, board_report: dict | None = None) -> None:
        """Keep ``calibration``; pair the videos with its cameras (raises ValueError when they cannot be)."""
        self.draft.calibration = calibration
        self.draft.calibration_source = source
        self.draft.board_report = board_report
        try:
            pairs = self.draft.camera_videos()
        except ValueError:
            self.draft.clear_after("cameras")
            raise
        cameras = ", ".join(f"{camera} ← {path.name}" for camera, path in pairs.items())
        notes = "".join(f"\nnote: {note}" for note in calibration.notes)
        self.say(f"{len(calibration.cameras)} cameras from {source}\n{cameras}{notes}")

    def _check_spec(self, _text: str) -> None:
        """Say whether the board spec parses, as it is typed; Calibrate waits for a good one."""
        try:
            spec = self.board_spec()
        except ValueError as error:
            self.spec_check.setText(str(error) if self.spec_edit.text().strip() else f"the board: {SPEC_FORMS}")
            self.spec_check.setStyleSheet("color: #e06c5a;" if self.spec_edit.text().strip() else "")
            self.board_row.button.setEnabled(False)
            return
        corners = f"{spec.n_corners} inner corners of {spec.square_m * 100:g} cm squares"
        self.spec_check.setText(f"{spec.kind} {spec.cols}x{spec.rows}: {corners}")
        self.spec_check.setStyleSheet("")
        self.board_row.button.setEnabled(True)

    def _show_choice(self) -> None:
        """Show the rows of the chosen way only (and the board calibration's report with its rows)."""
        board = self.from_board.isChecked()
        self.file_box.setVisible(not board)
        self.board_box.setVisible(board)
        self.report.setVisible(board and self.report.table.rowCount() > 0)

    def ready(self) -> bool:
        return self.draft.calibration is not None
