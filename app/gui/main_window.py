"""The workstation window: video grid in the centre, browser, 3D, curves and inspector as docks."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from app.gui.annotation_tools import ANNOTATION_KEYS, install_annotation_tools
from app.gui.annotations_controller import AnnotationsController
from app.gui.exemplar_controller import ExemplarController
from app.gui.export_dialog import (
    ExportDialog,
)
from app.gui.full_screen import FullScreenView
from app.gui.main_menus import build_main_menus
from app.gui.model_registry import ModelRegistry
from app.gui.playback import PlaybackDriver
from app.gui.progress_controller import ProgressController
from app.gui.scoring_controller import ScoringController
from app.gui.scoring_menu import build_model_menu, connect_scoring_panel
from app.gui.session_controller import SessionController
from app.gui.settings import AppSettings
from app.gui.shortcuts import ShortcutsDialog, install_playback_shortcuts
from app.gui.workers import WorkerRunner
from viewer.model.state import ViewerState
from viewer.vispy.skeleton_view import SkeletonView
from viewer.widgets.compare_view import CompareView
from viewer.widgets.curves import CurvesPanel
from viewer.widgets.library_browser import LibraryBrowser
from viewer.widgets.markers_panel import MarkersPanel
from viewer.widgets.penalty_review_panel import PenaltyReviewPanel
from viewer.widgets.progress_panel import ProgressPanel
from viewer.widgets.scoring_panel import ScoringPanel
from viewer.widgets.transport import TransportBar
from viewer.widgets.triangulation_inspector import TriangulationInspector
from viewer.widgets.video_grid import VideoGrid

SESSION_FILTER = "Lucid sessions (*.h5 *.hdf5);;All files (*)"


class MainWindow(QMainWindow):
    """Lucid Workstation's main window.

    Parameters
    ----------
    settings : AppSettings, optional
        Where recent files and the layout are remembered.
    show_errors : bool
        Show error dialogs (tests turn this off and read :attr:`last_error`).
    """

    def __init__(self, settings: AppSettings | None = None, show_errors: bool = True,
                 models: ModelRegistry | None = None) -> None:
        super().__init__()
        self.setWindowTitle("Lucid Workstation")
        self.setAcceptDrops(True)
        self.resize(1600, 950)
        self.settings = settings or AppSettings()
        self.show_errors = show_errors
        self.last_error: tuple[str, str] | None = None
        self.state = ViewerState()
        self.controller = SessionController(self.state, self.settings, self)
        self.playback = PlaybackDriver(self.state, self, decoder=self.controller)
        self.exemplars = ExemplarController(self.state, self)
        self.models = models or ModelRegistry(self.settings)
        self.scoring = ScoringController(self.state, self.models, self.settings, self)
        self.progress = ProgressController(self.models, self)
        self.annotations = AnnotationsController(self.state, self)

        self.video_grid = VideoGrid(self.state, self.controller.frames)
        self.skeleton_view = SkeletonView(self.state)
        self.curves = CurvesPanel(self.state)
        self.inspector = TriangulationInspector(self.state)
        self.browser = LibraryBrowser(self.state)
        self.transport = TransportBar(self.state)
        self.compare = CompareView(self.state, self._trainee_frame, self.exemplars.exemplar_frame)
        self.scoring_panel = ScoringPanel(self.state)
        self.review_panel = PenaltyReviewPanel(self.state)
        self.markers_panel = MarkersPanel(self.state)
        self.full_screen = FullScreenView(self, self.video_grid, self.state)
        self.progress_panel = ProgressPanel(self.state)

        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.video_grid, stretch=1)
        layout.addWidget(self.transport)
        self.setCentralWidget(centre)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowTabbedDocks)
        self.docks = {
            "browser": self._dock("Library", self.browser, Qt.DockWidgetArea.LeftDockWidgetArea),
            "skeleton": self._dock("3D skeleton", self.skeleton_view, Qt.DockWidgetArea.RightDockWidgetArea),
            "curves": self._dock("Kinematics", self.curves, Qt.DockWidgetArea.BottomDockWidgetArea),
            "inspector": self._dock("Triangulation", self.inspector, Qt.DockWidgetArea.BottomDockWidgetArea),
            "compare": self._dock("Compare with exemplar", self.compare, Qt.DockWidgetArea.BottomDockWidgetArea),
            "scoring": self._dock("Scoring", self.scoring_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            "review": self._dock("Penalty review", self.review_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
            "progress": self._dock("Progress", self.progress_panel, Qt.DockWidgetArea.BottomDockWidgetArea),
            "markers": self._dock("Markers and measurements", self.markers_panel, Qt.DockWidgetArea.LeftDockWidgetArea),
        }
        # the left column runs the full height, so the scoring panel shows every penalty row at 1920 x 1080
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.splitDockWidget(self.docks["browser"], self.docks["scoring"], Qt.Orientation.Vertical)
        self.tabifyDockWidget(self.docks["browser"], self.docks["markers"])
        self.tabifyDockWidget(self.docks["markers"], self.docks["review"])   # beside the verdict, under the library
        self.docks["browser"].raise_()
        self.tabifyDockWidget(self.docks["curves"], self.docks["compare"])
        self.tabifyDockWidget(self.docks["compare"], self.docks["inspector"])
        self.tabifyDockWidget(self.docks["inspector"], self.docks["progress"])
        self.docks["curves"].raise_()
        self.resizeDocks([self.docks["browser"], self.docks["skeleton"]], [310, 480], Qt.Orientation.Horizontal)
        self.resizeDocks([self.docks["curves"]], [300], Qt.Orientation.Vertical)
        self._default_layout = True

        build_main_menus(self)
        install_annotation_tools(self, self.state.annotations, self.annotations, self.docks["markers"],
                                 self.full_screen)
        self.annotations.failed.connect(self._report_error)
        build_model_menu(self, self.scoring, self.models, self.fine_tune)
        connect_scoring_panel(self.scoring_panel, self.scoring, self.models)
        self.scoring.failed.connect(lambda _title, message: self.statusBar().showMessage(message, 10000))
        self.scoring.status.connect(lambda message: self.statusBar().showMessage(message, 10000))
        install_playback_shortcuts(self, self.state)
        self._build_status_bar()

        self.controller.failed.connect(self._report_error)
        self.controller.busy.connect(self._show_busy)
        self.controller.notice.connect(lambda message: self.statusBar().showMessage(message, 30000))
        self.state.video_location_requested.connect(self.locate_videos)
        self.browser.take_activated.connect(self.controller.request_take_in_file)
        self.exemplars.failed.connect(lambda _title, message: self.statusBar().showMessage(message, 10000))
        self.exemplars.busy.connect(self._show_busy)
        self.compare.exemplar_chosen.connect(self.exemplars.choose)
        self._connect_progress()
        self.state.retriangulation_requested.connect(
            lambda views: self.controller.retriangulate(views, self.inspector.retriangulation_threshold_px()))
        self.state.session_changed.connect(lambda _s: self._update_title())
        self.state.take_changed.connect(lambda _t: self._update_title())
        self.state.frame_changed.connect(self._update_frame_label)
        self.video_grid.frame_presented.connect(self._count_presented)
        self.video_grid.frame_presented.connect(lambda _frame: self.controller.frame_shown())
        self._restore_layout()

    def _connect_progress(self) -> None:
        """The progress panel asks for an athlete's scores on an action; a clicked point opens that take."""
        panel, progress = self.progress_panel, self.progress
        panel.requested.connect(lambda athlete, action: self.state.library is not None
                                and progress.request(self.state.library, athlete, action))
        progress.ready.connect(panel.set_series)
        progress.progress.connect(panel.set_progress)
        progress.failed.connect(lambda message: self.statusBar().showMessage(message, 10000))
        panel.take_chosen.connect(lambda file, take: self.controller.request_take_in_file(
            self.state.library.path_of(file), take))
        self.models.active_changed.connect(lambda _entry: panel.refresh())

    # ------------------------------------------------------------------ layout
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.frame_label = QLabel("No session")
        self.fps_label = QLabel("")
        self.busy_label = QLabel("")
        status = self.statusBar()
        status.addWidget(self.busy_label, 1)
        status.addPermanentWidget(self.frame_label)
        status.addPermanentWidget(self.fps_label)
        self._presented = 0
        self._presented_since = time.monotonic()
        self._fps_timer = QTimer(self, interval=1000, timeout=self._update_fps)
        self._fps_timer.start()

    def _restore_layout(self) -> None:
        geometry, state = self.settings.window_layout()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self._default_layout = not self.restoreState(state)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._default_layout:
            self._default_layout = False
            QTimer.singleShot(0, self._size_left_column)

    def _size_left_column(self) -> None:
        """Once the window is laid out: the scoring panel gets the height it needs, the library the rest."""
        browser, scoring = self.docks["browser"], self.docks["scoring"]
        column = browser.height() + scoring.height()
        need = scoring.sizeHint().height()
        self.resizeDocks([browser, scoring], [max(column - need, column // 3), need], Qt.Orientation.Vertical)

    # ---------------------------------------------------------------- opening
    def open_file(self, path: str | Path, take_id: str | None = None) -> bool:
        """Open ``path`` at ``take_id`` and return once it is shown (or refused): for scripts and tests."""
        return self.controller.open_file(path, take_id)

    def request_file(self, path: str | Path, take_id: str | None = None) -> None:
        """Open ``path`` at ``take_id`` in the background, the window staying live (what the user's opening does)."""
        self.controller.request_file(path, take_id)

    def choose_file(self) -> None:
        start = str(self.state.session.path.parent) if self.state.session else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self, "Open session", start, SESSION_FILTER)
        if path:
            self.request_file(path)

    def choose_library(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open library folder", str(Path.home()))
        if folder:
            self.controller.scan_library(Path(folder))

    def new_session_from_recording(self, folder: Path | None = None):
        """File > New session from recording…: the wizard; the session it writes is opened."""
        from app.gui.wizard.wizard import RecordingWizard

        wizard = RecordingWizard(folder, self)
        wizard.session_written.connect(self.request_file)
        wizard.open()
        return wizard

    def locate_videos(self) -> None:
        """File > Locate videos…: ask for the folder of the session's moved camera files and open it with them."""
        session = self.state.session
        if session is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Folder of the session's video files", str(session.path.parent))
        if folder:
            self.controller.locate_videos(Path(folder))

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.recent_files()
        if not recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
        for path in recent:
            self.recent_menu.addAction(path.name, lambda p=path: self.request_file(p)).setToolTip(str(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.request_file(paths[0])

    # ---------------------------------------------------------------- exports
    def export_kinematics(self) -> None:
        if self.state.take is None:
            return
        default = f"{self.state.session.path.stem}_{self.state.take.take_id}_kinematics.csv"
        path, _ = QFileDialog.getSaveFileName(self, "Export kinematics", default, "CSV (*.csv)")
        if path:
            self.curves.export_csv(Path(path))
            self.statusBar().showMessage(f"Wrote {path}", 5000)

    def export_clip(self) -> None:
        if self.state.take is not None:
            self.export_dialog = ExportDialog(self.state, self)
            self.export_dialog.open()

    def write_report(self) -> None:
        """File > Report…: the dialog on the current take."""
        from analysis.render.report import annotations_of_take
        from app.gui.report_dialog import ReportDialog

        if self.state.take is not None:
            markers, reviewed = annotations_of_take(self.state.annotations.items(self.state.take.take_id),
                                                    self.state.take.take_id)
            self.report_dialog = ReportDialog(self.state, markers, reviewed, parent=self)
            self.report_dialog.open()

    def save_screenshot(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save screenshot", "workstation.png", "PNG (*.png)")
        if path:
            self.grab().save(path, "PNG")
            self.statusBar().showMessage(f"Wrote {path}", 5000)

    def fine_tune(self):
        """Model > Fine-tune…: the dialog, on the library of the current session's folder."""
        from app.gui.finetune_dialog import FinetuneDialog

        if self.state.library is None or self.state.session is None:
            self._report_error("Fine-tune", "Open a session first: fine-tuning uses the takes of its library.")
            return None
        try:
            dialog = FinetuneDialog(self.models, self.state, parent=self)
        except ValueError as error:         # an annotations file in the library cannot be read
            self._report_error("Fine-tune", str(error))
            return None
        dialog.show()
        return dialog

    def _trainee_frame(self, view: str, frame: int):
        """Decoded frame of the current take in ``view`` (from the decode-ahead cache), or None."""
        take = self.state.take
        if take is None or view not in take.view_names:
            return None
        images = self.controller.frames(take.take_id, frame)
        return images[take.view_names.index(view)] if images else None

    # --------------------------------------------------------------- feedback
    def _report_error(self, title: str, message: str) -> None:
        self.last_error = (title, message)
        self.statusBar().showMessage(message, 10000)
        if self.show_errors:
            QMessageBox.warning(self, title, message)

    def _show_busy(self, message: str) -> None:
        self.busy_label.setText(message)

    def _update_title(self) -> None:
        session, take = self.state.session, self.state.take
        if session is None:
            self.setWindowTitle("Lucid Workstation")
            return
        title = session.title or session.path.stem
        take_text = f" — {take.take_id} ({take.info.action_name})" if take is not None else ""
        self.setWindowTitle(f"{title}{take_text} — Lucid Workstation")
        self._update_frame_label(self.state.frame)

    def _update_frame_label(self, frame: int) -> None:
        if self.state.take is None:
            self.frame_label.setText("No take")
            return
        self.frame_label.setText(f"Frame {frame} / {self.state.n_frames - 1}   {self.state.time_s:.2f} s   "
                                 f"{self.state.speed:g}×")

    def _count_presented(self, _frame: int) -> None:
        self._presented += 1

    def _update_fps(self) -> None:
        now = time.monotonic()
        rate = self._presented / max(now - self._presented_since, 1e-6)
        self._presented, self._presented_since = 0, now
        self.fps_label.setText(f"{rate:5.1f} fps" if self.state.playing else "")

    def show_shortcuts(self) -> None:
        ShortcutsDialog([("Ctrl+O", "Open a session"), ("Ctrl+E", "Export a clip"),
                         ("Ctrl+R", "Write the take's report (HTML or PDF)"), ("S", "Score the take again"),
                         ("F1", "This list"), *ANNOTATION_KEYS], self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "Lucid Workstation",
                          "Multi-view motion capture review and action quality assessment for gymnastics.")

    def closeEvent(self, event) -> None:
        self.state.set_playing(False)
        self.full_screen.leave()            # the layout saved is the normal one
        self.settings.set_window_layout(self.saveGeometry(), self.saveState())
        for dialog in self.findChildren(QDialog):
            dialog.close()                  # a running export or fine-tuning is asked to stop ...
        for runner in self.findChildren(WorkerRunner):
            runner.close()                  # ... and no background job outlives the window
        self.exemplars.close()
        self.scoring.close()
        self.progress.close()
        self.controller.close()
        super().closeEvent(event)
