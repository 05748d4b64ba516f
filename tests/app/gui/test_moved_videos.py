"""A session whose camera files were moved: it opens, says so once, and *Locate…* finds them for every view."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from analysis.geometry.pose3d_import import import_pose3d
from analysis.motion.pose_export import write_trc
from analysis.motion.skeleton import COCO17
from analysis.session.data import VideoFile
from analysis.session.writer import write_session
from app.gui.main_window import MainWindow
from tests.analysis.session.camera_sessions import (
    session_with_files,
    shown_index,
    write_index_video,
)
from tests.helpers import random_walk_pose

VIEWS = [f"cam{i}" for i in range(1, 9)]


@pytest.fixture
def moved_session(tmp_path) -> tuple[Path, Path]:
    """A session whose 8 views reference ``videos/camN.mp4`` (offset 3), and the folder they were moved to."""
    session = tmp_path / "rec" / "session.h5"
    for view in VIEWS:
        write_index_video(tmp_path / "rec" / "videos" / f"{view}.mp4", n_frames=30)
    session_with_files(session, {view: VideoFile(f"videos/{view}.mp4", 3) for view in VIEWS}, n_frames=20)
    moved = tmp_path / "archive" / "camera files"
    shutil.move(str(tmp_path / "rec" / "videos"), str(moved))
    return session, moved


def test_a_session_with_moved_videos_opens_says_so_once_and_is_located(qtbot, window, moved_session, monkeypatch):
    session, moved = moved_session
    assert window.open_file(session)
    assert window.last_error is None                                     # not eight dialogs: none
    status = window.statusBar().currentMessage()
    assert "video not found:" in status and "and 7 more" in status and "Locate videos" in status
    grid = window.video_grid
    qtbot.waitUntil(lambda: grid.missing_videos.button("cam3") is not None, timeout=5000)
    assert grid.missing_videos.message("cam3") == f"video not found: {session.parent / 'videos' / 'cam3.mp4'}"
    window.state.seek(7)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(moved))
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.missing_videos.button("cam3").center().toPoint())
    qtbot.waitUntil(lambda: not window.state.session.missing_videos(), timeout=5000)
    assert window.state.frame == 7 and "Every camera file found" in window.statusBar().currentMessage()
    take = window.state.take.take_id
    assert {shown_index(window.state.session.frame(take, view, 7)) for view in VIEWS} == {10}   # offset kept
    qtbot.waitUntil(lambda: grid.missing_videos.button("cam3") is None and grid.displayed_frames() == [7] * 8,
                    timeout=5000)
    window.close()

    again = MainWindow(settings=window.settings, show_errors=False)      # remembered for this session
    qtbot.addWidget(again)
    assert again.open_file(session) and not again.state.session.missing_videos()
    again.close()


def test_locating_in_a_folder_without_the_videos_changes_nothing(window, moved_session, tmp_path, monkeypatch):
    session, _moved = moved_session
    assert window.open_file(session)
    (tmp_path / "empty").mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(tmp_path / "empty"))
    window.locate_videos()                                               # File > Locate videos…
    assert len(window.state.session.missing_videos()) == 8 and window.settings.video_root(session) is None


def test_a_session_of_3d_takes_without_cameras_opens(qtbot, window, tmp_path):
    trc = write_trc(tmp_path / "motion.trc", random_walk_pose(np.random.default_rng(0), 15), list(COCO17.joint_names),
                    60.0)
    path = write_session(tmp_path / "motion.h5", import_pose3d([trc]).session)
    assert window.open_file(path)
    assert window.state.take.take_id == "motion" and window.state.n_frames == 15
    assert "imported" in window.inspector.summary_text()
    window.state.seek(9)
    qtbot.waitUntil(lambda: window.skeleton_view.displayed_frame == 9, timeout=5000)
