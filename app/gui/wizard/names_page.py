"""Wizard step 7: naming the session and the take, then writing the session file into the recording folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QSpinBox

from analysis.geometry.calibration_toml import write_toml_calibration
from analysis.geometry.recording_import import TakeDescription, recording_session
from analysis.session.contract import EVENTS
from analysis.session.writer import write_session
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.step_page import StepPage


class NamesPage(StepPage):
    """Event, level, athlete, action and take names, and the file; *Finish* writes it (atomically) in the background.

    A calibration computed from a board recording is written first, beside the
    session, as ``calibration.toml`` (``NAME.calibration.toml`` when the folder
    has a ``calibration.toml`` already), also atomically.

    Signals
    -------
    written(Path)
        The session file was written.
    """

    step = "names"
    written = Signal(Path)

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Names", "What was recorded. The session file goes into the recording folder, "
                                         "beside the videos it refers to.")
        self.event = QComboBox()
        self.event.addItems(EVENTS)
        self.level = QSpinBox()
        self.level.setRange(1, 10)
        self.athlete = QLineEdit("unknown")
        self.action = QLineEdit("unknown")
        self.action_name = QLineEdit("recorded routine")
        self.take = QLineEdit("take1")
        self.file_name = QLineEdit()
        form = QFormLayout()
        for label, widget in (("event", self.event), ("level", self.level), ("athlete", self.athlete),
                              ("action code", self.action), ("action name", self.action_name),
                              ("take", self.take), ("session file", self.file_name)):
            form.addRow(label, widget)
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(lambda _text: self.completeChanged.emit())
        self.body.addLayout(form)
        self.body.addStretch(1)
        self._written: Path | None = None
        self._writing: list[Path] = []
        self.runner.finished.connect(self._ended)

    def initializePage(self) -> None:
        self._written = None
        if not self.file_name.text():
            self.file_name.setText(f"{self.draft.folder.name}.h5")

    def out_path(self) -> Path | None:
        """The session file to write: a plain file name inside the recording folder, else None."""
        name = self.file_name.text().strip()
        if not name or Path(name).name != name or name in (".", ".."):
            return None
        return self.draft.folder / (name if name.lower().endswith((".h5", ".hdf5")) else f"{name}.h5")

    def calibration_path(self) -> Path | None:
        """Where *Finish* writes the computed calibration (None when it was read from a file)."""
        out = self.out_path()
        if self.draft.board_report is None or out is None:
            return None
        plain = self.draft.folder / "calibration.toml"
        return out.with_name(f"{out.stem}.calibration.toml") if plain.exists() else plain

    def ready(self) -> bool:
        texts = (self.athlete.text(), self.action.text(), self.take.text())
        return self.out_path() is not None and all(text.strip() for text in texts)

    def validatePage(self) -> bool:
        """Finish: write the session in the background; the wizard closes once it is written."""
        if self._written is not None:
            return True
        draft, out, calibration_out = self.draft, self.out_path(), self.calibration_path()
        for path in (out, calibration_out):
            if path is not None and path.exists():
                self.say(f"{path} exists already: choose another file name", problem=True)
                return False
        take = TakeDescription(self.take.text().strip(), self.action.text().strip(), self.action_name.text().strip())
        names = (self.event.currentText(), self.level.value(), self.athlete.text().strip())
        source = f"recorded in {draft.folder.name}; calibration {draft.calibration_source}"
        if calibration_out is not None:
            source += f", written to {calibration_out.name}"

        def job(_progress, _cancelled):
            if calibration_out is not None:
                write_toml_calibration(calibration_out, draft.calibration.cameras)
            session = recording_session(draft.triangulated, draft.skeleton, draft.fps, draft.camera_videos(),
                                        draft.folder, False, take, *names, source)
            return write_session(out, session)

        self._writing = [path for path in (calibration_out, out) if path is not None]
        self.run(job, self._done, f"Writing {out.name}")
        return False

    def _ended(self, succeeded: bool) -> None:
        if not succeeded:
            self.discard_unfinished()
        self._writing = []

    def discard_unfinished(self) -> None:
        """Remove the files whose write was cancelled or failed after they were in place (nothing is left behind)."""
        if self._written is None:
            for path in self._writing:
                path.unlink(missing_ok=True)

    def _done(self, path: Path) -> None:
        self._written = path
        self.say(f"wrote {path}")
        self.written.emit(path)
        self.wizard().accept()
