"""The wizard's *Detect them in the videos*: keypoints detected into the recording folder, or nothing when cancelled.

The models are the detection tests' tiny ONNX files (nothing is downloaded); the
scene is the `detect` command test's: a person walking, seen by four cameras.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.geometry.calibration_toml import write_toml_calibration
from tests.analysis.detection.scenes import render_frames, write_video
from tests.analysis.detection.tiny_models import write_detector, write_rtmpose
from tests.app.cli.test_cli_detect import CAMERAS, FILMED, drawn_boxes

N_FRAMES = 10


@pytest.fixture
def folder(tmp_path) -> Path:
    """A recording folder: four camera videos and the calibration, no keypoints."""
    root = tmp_path / "rec"
    athlete = np.stack([drawn_boxes(np.array([0.05 * t, 0.0, 0.0])) for t in range(N_FRAMES)])
    for v, view in enumerate(FILMED):
        write_video(root / f"{view}.mp4", render_frames((640, 360), {0: athlete[:, v]}))
    write_toml_calibration(root / "calibration.toml", [c for c in CAMERAS if c.name in FILMED])
    return root


@pytest.fixture
def wizard(qtbot, window, tmp_path, folder):
    wizard = window.new_session_from_recording(folder)
    for page in (wizard.folder_page, wizard.cameras_page, wizard.calibration_page):
        qtbot.waitUntil(page.isComplete, timeout=30000)
        wizard.next()
    page = wizard.keypoints_page
    page.model_file.setText(str(write_rtmpose(tmp_path / "rtmpose.onnx")))
    page.detector_file.setText(str(write_detector(tmp_path / "detector.onnx")))
    return wizard


def test_keypoints_detected_in_the_videos_are_kept_in_the_recording_folder(qtbot, wizard, folder):
    page = wizard.keypoints_page
    assert not page.isComplete()                                         # no keypoint folder in the recording
    page.detect_in_videos()
    qtbot.waitUntil(page.isComplete, timeout=60000)
    assert sorted(p.name for p in (folder / "keypoints").iterdir()) == list(FILMED)
    assert not list(folder.glob(".lucid-detecting-*"))
    assert "cam5 → cam5 (by name)" in page.message.text() and f"{N_FRAMES} frames" in page.message.text()


def test_a_cancelled_detection_leaves_nothing_behind(qtbot, wizard, folder):
    page = wizard.keypoints_page
    before = sorted(folder.rglob("*"))
    page.detect_in_videos()
    qtbot.waitUntil(lambda: page.runner.bar.maximum() > 0 and page.runner.bar.value() > 0, timeout=60000)
    page.runner.cancel()
    qtbot.waitUntil(lambda: not page.runner.running, timeout=60000)
    assert "Cancelled" in page.runner.status.text() and not page.isComplete()
    assert sorted(folder.rglob("*")) == before
