"""Wizard steps 1 and 2: the recording folder, and which video file is which camera."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from analysis.geometry.recording_folder import scan_recording_folder, video_camera_name
from analysis.geometry.recording_videos import common_frame_rate, probe_videos
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.step_page import StepPage

#: Columns of the cameras table.
FILE, CAMERA, RATE, FRAMES, SIZE = range(5)


class FolderPage(StepPage):
    """Choose the folder of the recording; says what was found in it."""

    step = "folder"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Recording folder", "The folder with the camera videos (and, if you have them, "
                                                    "the calibration, the board recording and the keypoints). "
                                                    "The session file will be written in it.")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("recording folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.body.addLayout(row)
        self.body.addStretch(1)
        self.path_edit.textChanged.connect(self.choose)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Recording folder", self.path_edit.text() or str(Path.home()))
        if folder:
            self.path_edit.setText(folder)

    def choose(self, folder: str) -> None:
        """Look through ``folder`` (names only, at once) and say what it holds."""
        self.draft.clear_after("folder")
        self.draft.found = None
        if folder.strip():
            try:
                found = scan_recording_folder(Path(folder))
            except (FileNotFoundError, OSError) as error:
                self.say(str(error), problem=True)
            else:
                self.draft.found = found
                self.say(self._summary())
        self.completeChanged.emit()

    def _summary(self) -> str:
        found = self.draft.found
        lines = [f"{len(found.videos)} camera videos: " + (", ".join(p.name for p in found.videos) or "none")]
        if len(found.videos) < 2:
            lines.append("A recording needs the videos of two cameras at least (in the folder or its videos/ folder).")
        lines.append("calibration files: " + (", ".join(str(p.relative_to(found.folder)) for p in found.calibrations)
                                              or "none (compute one from a board recording)"))
        if found.board is not None:
            lines.append(f"board recording: {found.board.relative_to(found.folder)}")
        lines.append("keypoint folders: " + (", ".join(str(p.relative_to(found.folder)) for p in found.keypoints)
                                             or "none (detect them from the videos)"))
        return "\n".join(lines)

    def ready(self) -> bool:
        return self.draft.found is not None and len(self.draft.found.videos) >= 2


class CamerasPage(StepPage):
    """Read each video's header and name its camera (from the file name; editable)."""

    step = "cameras"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Cameras", "Which camera filmed each video. Names are taken from the file "
                                           "names; edit them to match the calibration's cameras.")
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["video file", "camera", "frame rate", "frames", "size"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemChanged.connect(lambda _item: self._check())
        self.body.addWidget(self.table)
        self._probed: dict[Path, object] = {}

    def initializePage(self) -> None:
        videos = list(self.draft.found.videos)
        self.table.blockSignals(True)
        self.table.setRowCount(len(videos))
        for row, path in enumerate(videos):
            self._set(row, FILE, path.name, editable=False)
            self._set(row, CAMERA, video_camera_name(path), editable=True)
            for column in (RATE, FRAMES, SIZE):
                self._set(row, column, "…", editable=False)
        self.table.blockSignals(False)

        def job(progress, _cancelled):
            infos = {}
            for index, path in enumerate(videos):
                infos[path] = probe_videos({path.name: path})[path.name]
                progress("reading the video headers", index + 1, len(videos))
            return infos

        self.run(job, self._probed_videos, "Reading the videos")

    def _set(self, row: int, column: int, text: str, editable: bool) -> None:
        item = QTableWidgetItem(text)
        if not editable:
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, column, item)

    def _probed_videos(self, infos: dict) -> None:
        self._probed = infos
        self.table.blockSignals(True)
        for row, path in enumerate(self.draft.found.videos):
            info = infos[path]
            self.table.item(row, RATE).setText(f"{info.frame_rate:g} fps")
            self.table.item(row, FRAMES).setText(str(info.frame_count))
            self.table.item(row, SIZE).setText(f"{info.width}x{info.height}")
        self.table.blockSignals(False)
        self._check()

    def _check(self) -> None:
        """Name the cameras from the table, check the frame rates; say what is wrong."""
        draft = self.draft
        draft.clear_after("cameras")
        draft.videos, draft.infos, draft.fps = {}, {}, None
        if not self._probed:
            return
        names = [self.table.item(row, CAMERA).text().strip() for row in range(self.table.rowCount())]
        videos = dict(zip(names, draft.found.videos))
        if any(not name for name in names) or len(videos) != len(names):
            self.say("Give every video its own camera name.", problem=True)
        else:
            infos = {name: self._probed[path] for name, path in videos.items()}
            try:
                draft.fps = common_frame_rate(videos, infos)
            except ValueError as error:
                self.say(str(error), problem=True)
            else:
                draft.videos, draft.infos = videos, infos
                counts = {info.frame_count for info in infos.values()}
                self.say(f"{len(videos)} cameras at {draft.fps:g} fps"
                         + ("; the videos differ in length: the session keeps the frames all of them cover"
                            if len(counts) > 1 else ""))
        self.completeChanged.emit()

    def ready(self) -> bool:
        return bool(self.draft.videos) and self.draft.fps is not None
