"""*File → New session from recording…*: a wizard from a folder of camera videos to an open session.

One page per step: the folder, the cameras, the calibration, the keypoints,
the synchronization, the triangulation, the names (then the file is written
and opened). Each page runs its work in the background with progress and
Cancel; nothing is written before *Finish*, and a cancelled wizard leaves
nothing behind.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from app.gui.wizard.calibration_page import CalibrationPage
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.folder_page import CamerasPage, FolderPage
from app.gui.wizard.keypoints_page import KeypointsPage
from app.gui.wizard.names_page import NamesPage
from app.gui.wizard.step_page import StepPage
from app.gui.wizard.sync_page import SyncPage
from app.gui.wizard.triangulation_page import TriangulationPage


class RecordingWizard(QWizard):
    """The wizard; :attr:`session_written` carries the file once it is written.

    Parameters
    ----------
    folder : Path, optional
        The recording folder to start with.
    """

    session_written = Signal(Path)

    def __init__(self, folder: Path | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New session from recording")
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage)
        self.resize(860, 620)
        self.draft = RecordingDraft()
        self.folder_page = FolderPage(self.draft)
        self.cameras_page = CamerasPage(self.draft)
        self.calibration_page = CalibrationPage(self.draft)
        self.keypoints_page = KeypointsPage(self.draft)
        self.sync_page = SyncPage(self.draft)
        self.triangulation_page = TriangulationPage(self.draft)
        self.names_page = NamesPage(self.draft)
        for page in self.step_pages():
            self.addPage(page)
        self.names_page.written.connect(self.session_written)
        if folder is not None:
            self.folder_page.path_edit.setText(str(folder))

    def step_pages(self) -> list[StepPage]:
        return [self.folder_page, self.cameras_page, self.calibration_page, self.keypoints_page, self.sync_page,
                self.triangulation_page, self.names_page]

    def reject(self) -> None:
        """Cancel: stop whatever runs (waiting for it: a stopped step removes what it had begun) and close."""
        for page in self.step_pages():
            page.runner.close_jobs()
        self.names_page.discard_unfinished()
        super().reject()
