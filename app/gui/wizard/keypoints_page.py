"""Wizard step 4: the 2D keypoints, from a folder of detections or detected from the videos."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
)

from analysis.detection.model_files import NAMED_MODELS
from analysis.geometry.keypoints_io import LAYOUTS, detect_layout, read_keypoint_folders
from analysis.geometry.recording_import import match_recording
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.path_row import PathRow
from app.gui.wizard.step_page import StepPage
from app.gui.wizard.step_runner import StepCancelled

#: Where detections from the videos are kept in the recording folder.
DETECTED_FOLDER = "keypoints"
AUTO_LAYOUT = "from the keypoint count"


def detect_into_folder(draft: RecordingDraft, model: str, model_file: Path | None, detector_file: Path | None,
                       device: str, every: int, progress, cancelled) -> Path:
    """Detect 2D poses in the recording's videos into ``<folder>/keypoints`` (a free name); returns it.

    The job writes into a hidden folder beside it first and renames it when
    done: stopped or failed, the hidden folder is removed and nothing is left.
    """
    from analysis.detection.job import run_detection
    from analysis.detection.model_files import named_estimator
    from analysis.detection.video_frames import ViewVideo

    folder = draft.folder
    estimator = named_estimator(NAMED_MODELS[model], device, model_file, detector_file,
                                lambda what, done, total: progress(f"downloading the {what}", done, total or 0))
    frames = {draft.videos[name]: info.frame_count for name, info in draft.infos.items()}
    videos = [ViewVideo(camera, path, frames[path]) for camera, path in draft.camera_videos().items()]
    working = Path(tempfile.mkdtemp(prefix=".lucid-detecting-", dir=folder))
    try:
        result = run_detection(videos, working, estimator, every, draft.calibration.cameras, progress, cancelled)
        if result.cancelled:
            raise StepCancelled
        target, count = folder / DETECTED_FOLDER, 1
        while target.exists():
            count += 1
            target = folder / f"{DETECTED_FOLDER}-{count}"
        working.rename(target)
        return target
    finally:
        shutil.rmtree(working, ignore_errors=True)


class KeypointsPage(StepPage):
    """Read a folder of OpenPose-style detections, or detect them in the videos; match them to the cameras."""

    step = "keypoints"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Keypoints", "The people's 2D keypoints in every view.")
        self.from_folder = QRadioButton("From a folder of detections (OpenPose JSON, one folder per view; "
                                        "Pose2Sim's pose or pose-associated)")
        self.folder_row = PathRow(self, "Keypoint folder", "Read", self.read_folder)
        self.layout_combo = QComboBox()
        self.layout_combo.addItems([AUTO_LAYOUT, *LAYOUTS])
        self.detect = QRadioButton("Detect them in the videos (RTMPose on onnxruntime; the model is downloaded "
                                   "once)")
        self.model_combo = QComboBox()
        self.model_combo.addItems([name for name, named in NAMED_MODELS.items() if named.layout is not None])
        self.model_file = QLineEdit()
        self.model_file.setPlaceholderText("or an RTMPose / RTMO .onnx file")
        self.detector_file = QLineEdit()
        self.detector_file.setPlaceholderText("or a YOLOX-style person detector .onnx (RTMPose needs one)")
        self.device_combo = QComboBox()
        self.device_combo.addItems(["cpu", "cuda"])
        self.every = QSpinBox()
        self.every.setRange(1, 100)
        run_detection = QPushButton("Detect")
        run_detection.clicked.connect(self.detect_in_videos)
        options = QFormLayout()
        options.addRow("model", self.model_combo)
        options.addRow("model file", self.model_file)
        options.addRow("detector file", self.detector_file)
        options.addRow("device", self.device_combo)
        options.addRow("every N-th frame", self.every)
        options.addRow("", run_detection)
        choice = QButtonGroup(self)
        choice.addButton(self.from_folder)
        choice.addButton(self.detect)
        self.from_folder.setChecked(True)
        self.body.addWidget(self.from_folder)
        self.body.addLayout(self.folder_row)
        layout_row = QFormLayout()
        layout_row.addRow("keypoint layout", self.layout_combo)
        self.body.addLayout(layout_row)
        self.body.addWidget(self.detect)
        self.body.addLayout(options)
        self.body.addStretch(1)

    def initializePage(self) -> None:
        self.folder_row.start = self.draft.folder
        self.folder_row.suggest(self.draft.found.keypoints)
        if self.draft.found.keypoints and self.draft.matched is None:
            self.read_folder()

    def _layout(self) -> str | None:
        text = self.layout_combo.currentText()
        return None if text == AUTO_LAYOUT else text

    def read_folder(self) -> None:
        """Read the chosen keypoint folder in the background and match its views to the cameras."""
        folder, layout = self.folder_row.path(), self._layout()
        self.run(lambda _progress, _cancelled: self._load(folder, layout), self._loaded, "Reading the keypoints")

    def detect_in_videos(self) -> None:
        """Detect the keypoints in the videos in the background (progress and Cancel), then read them."""
        self.detect.setChecked(True)
        model, device, every = self.model_combo.currentText(), self.device_combo.currentText(), self.every.value()
        model_file, detector_file = (Path(edit.text().strip()) if edit.text().strip() else None
                                     for edit in (self.model_file, self.detector_file))
        draft, layout = self.draft, self._layout()

        def job(progress, cancelled):
            folder = detect_into_folder(draft, model, model_file, detector_file, device, every, progress, cancelled)
            return self._load(folder, layout)

        self.run(job, self._loaded, "Detecting people in the videos")

    def _load(self, folder: Path, layout: str | None):
        keypoints = read_keypoint_folders(folder)
        skeleton = detect_layout(keypoints.n_keypoints, layout)
        return folder, keypoints, skeleton, match_recording(self.draft.calibration, keypoints, folder)

    def _loaded(self, loaded) -> None:
        folder, keypoints, skeleton, matched = loaded
        self.draft.keypoints, self.draft.skeleton, self.draft.matched = keypoints, skeleton, matched
        views = ", ".join(f"{m.view} → {m.camera} (by {m.how})" for m in matched.matches)
        self.say(f"{folder}: {keypoints.n_frames} frames from frame {keypoints.first_frame}, "
                 f"{skeleton.name} ({skeleton.n_joints} joints)\n{views}")

    def ready(self) -> bool:
        return self.draft.matched is not None
