"""The wizard's calibration from a board recording, on recordings the tests render: report, pictures, cancel, errors."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from PySide6.QtWidgets import QWizard

from analysis.geometry.board import parse_board_spec
from analysis.geometry.calibration_toml import read_toml_calibration
from app.gui.wizard.board_panel import CAMERA, COVERAGE, DETECTION, FRAMES, RMS
from tests.analysis.session.camera_sessions import write_index_video
from tests.helpers_board import board_pose, ring_rig, write_board_recording
from tests.helpers_recording import offset_recording, write_recording_folder

SPEC = "charuco:7x5:0.10:0.075:DICT_4X4_50"
TARGET = np.array([0.0, 0.0, 1.0])
N_FRAMES = 8
#: A board large enough for cameras 7 m away (0.5 m squares).
RIG_SPEC = "charuco:5x4:0.5:0.375:DICT_4X4_50"


def _recording_folder(folder: Path, seen: list[range], as_video: bool) -> Path:
    """videos/camN.mp4 and board/ with a board recording of 3 cameras (videos or image folders);
    camera k sees the board in the frames ``seen[k]`` (and nothing in the others)."""
    spec = parse_board_spec(SPEC)
    rng = np.random.default_rng(5)
    cameras = ring_rig([-35.0, 0.0, 35.0], 1.7, [1.2, 1.4, 1.1], TARGET, (480, 360), 420.0, rng)
    poses = [board_pose(TARGET + rng.uniform(-0.25, 0.25, 3), rng.uniform(-15, 15), rng.uniform(-25, 25),
                        rng.uniform(-30, 30), spec) for _ in range(max(frames.stop for frames in seen))]
    write_board_recording(folder / "board", cameras, spec, poses, rng, as_video, seen, pixels_per_square=40)
    for camera in cameras:
        write_index_video(folder / "videos" / f"{camera.name}.mp4", n_frames=12, fps=30.0, size=(160, 120))
    return folder


@pytest.fixture(scope="module")
def board_folder(tmp_path_factory) -> Path:
    return _recording_folder(tmp_path_factory.mktemp("board_recording") / "session 7", [range(N_FRAMES)] * 3, as_video=True)


def _files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*"))


def _calibration_page(qtbot, window, folder: Path):
    wizard = window.new_session_from_recording(folder)
    for page in (wizard.folder_page, wizard.cameras_page):
        qtbot.waitUntil(page.isComplete, timeout=30000)
        wizard.next()
    return wizard, wizard.calibration_page


def test_the_page_calibrates_the_rig_from_the_board_recording_and_shows_what_it_found(qtbot, window, board_folder):
    before = _files(board_folder)
    wizard, page = _calibration_page(qtbot, window, board_folder)
    assert page.from_board.isChecked() and page.board_row.path() == board_folder / "board"
    assert not page.board_row.button.isEnabled()                       # no board typed yet
    page.spec_edit.setText(SPEC)
    assert "24 inner corners" in page.spec_check.text() and page.board_row.button.isEnabled()
    page.board_row.button.click()
    qtbot.waitUntil(page.isComplete, timeout=120000)
    table = page.report.table
    assert [table.item(row, CAMERA).text() for row in range(table.rowCount())] == ["cam1", "cam2", "cam3"]
    for row in range(3):
        assert int(table.item(row, FRAMES).text()) == N_FRAMES and float(table.item(row, RMS).text()) < 0.5
        for column in (DETECTION, COVERAGE):
            pixmap = table.cellWidget(row, column).layout().itemAt(0).widget().pixmap()
            assert not pixmap.isNull() and pixmap.width() > 100 and pixmap.height() > 50
    assert "mean RMS" in page.report.summary.text() and "world: camera cam1" in page.report.summary.text()
    assert "3 cameras from board recording board/" in page.message.text() and "cam2 ← cam2.mp4" in page.message.text()
    draft = wizard.draft
    assert [camera.name for camera in draft.calibration.cameras] == ["cam1", "cam2", "cam3"]
    assert set(draft.board_report["per_camera"]) == {"cam1", "cam2", "cam3"}
    assert wizard.names_page.calibration_path() is None                # no session file name before its page
    wizard.names_page.file_name.setText("floor.h5")
    assert wizard.names_page.calibration_path() == board_folder / "calibration.toml"
    assert _files(board_folder) == before                              # nothing written before Finish
    wizard.reject()


def test_a_bad_board_spec_is_refused_with_the_parser_message(qtbot, window, board_folder):
    wizard, page = _calibration_page(qtbot, window, board_folder)
    page.spec_edit.setText("charuco:7x5:0.10:0.12:DICT_4X4_50")
    assert "must be smaller than the square" in page.spec_check.text() and not page.board_row.button.isEnabled()
    page.calibrate()
    assert not page.runner.running and "must be smaller than the square" in page.message.text()
    assert not page.isComplete()
    wizard.reject()


def test_cancelling_the_calibration_keeps_nothing_and_writes_nothing(qtbot, window, board_folder):
    before = _files(board_folder)
    wizard, page = _calibration_page(qtbot, window, board_folder)
    page.spec_edit.setText(SPEC)
    page.calibrate()
    qtbot.waitUntil(lambda: page.runner.bar.maximum() > 0, timeout=30000)   # detecting
    page.runner.cancel()
    qtbot.waitUntil(lambda: not page.runner.running, timeout=60000)
    assert "Cancelled" in page.runner.status.text() and not page.isComplete()
    assert wizard.draft.calibration is None and wizard.draft.board_report is None and not page.report.isVisible()
    assert _files(board_folder) == before
    wizard.reject()


def test_a_camera_that_never_sees_the_board_is_named_in_one_line(qtbot, window, tmp_path):
    folder = _recording_folder(tmp_path / "session 8", [range(N_FRAMES), range(N_FRAMES), range(0)], as_video=False)
    wizard, page = _calibration_page(qtbot, window, folder)
    page.board_row.combo.setEditText(str(folder / "board"))
    page.spec_edit.setText(SPEC)
    page.calibrate()
    qtbot.waitUntil(lambda: not page.runner.running, timeout=120000)
    status = page.runner.status.text()
    assert status.startswith(f"{folder / 'board' / 'cam3'}: no charuco board 7x5 found in {N_FRAMES} frames")
    assert "\n" not in status and not page.isComplete()
    wizard.reject()


def test_cameras_sharing_no_view_are_named_and_their_pictures_shown(qtbot, window, tmp_path):
    folder = _recording_folder(tmp_path / "session 9", [range(6), range(6), range(6, 12)], as_video=False)
    wizard, page = _calibration_page(qtbot, window, folder)
    page.board_row.combo.setEditText(str(folder / "board"))
    page.spec_edit.setText(SPEC)
    page.calibrate()
    qtbot.waitUntil(lambda: not page.runner.running, timeout=120000)
    assert page.runner.status.text() == (f"{folder / 'board'}: cam3 never sees the board in a frame where cam1, "
                                         "cam2 see it; record frames where the board is seen by both")
    table = page.report.table
    assert table.rowCount() == 3 and table.item(2, RMS) is None        # pictures, but no fit
    assert table.cellWidget(2, DETECTION).layout().itemAt(1).widget().text() == "frame 6"
    assert wizard.draft.calibration is None and not page.isComplete()
    wizard.reject()


def _write_rig_board_recording(folder: Path, cameras: list) -> None:
    """16 frames of a big board held 1-1.8 m high near the middle of the rig, turned in turn to face each
    gap between neighbouring cameras (so that both see its face)."""
    spec = parse_board_spec(RIG_SPEC)
    rng = np.random.default_rng(3)
    centres = np.array([camera.center for camera in cameras])
    middle = centres.mean(axis=0)
    azimuths = np.sort(np.degrees(np.arctan2(centres[:, 1] - middle[1], centres[:, 0] - middle[0])))
    gaps = azimuths + np.diff(np.r_[azimuths, azimuths[0] + 360.0]) / 2
    poses = [board_pose(np.r_[middle[:2] + rng.uniform(-1.5, 1.5, 2), rng.uniform(1.0, 1.8)],
                        gaps[k % len(gaps)] + rng.uniform(-12, 12), rng.uniform(-15, 25), rng.uniform(-40, 40), spec)
             for k in range(16)]
    write_board_recording(folder, cameras, spec, poses, rng, as_video=True, pixels_per_square=40)


def test_a_board_calibration_feeds_the_later_steps_and_is_written_beside_the_session_at_finish(
        qtbot, window, tmp_path):
    recording = offset_recording(11, [0, -6, 9, 4], n_actions=1, views=[0, 2, 4, 6])
    folder = write_recording_folder(tmp_path / "session 13", recording)
    _write_rig_board_recording(folder / "calibration" / "board", recording.cameras)
    wizard, page = _calibration_page(qtbot, window, folder)
    assert page.from_board.isChecked() and page.board_row.path() == folder / "calibration" / "board"
    page.spec_edit.setText(RIG_SPEC)
    page.calibrate()
    qtbot.waitUntil(page.isComplete, timeout=120000)
    assert all(float(page.report.table.item(row, RMS).text()) < 0.5 for row in range(4))
    for later in (page, wizard.keypoints_page, wizard.sync_page, wizard.triangulation_page):
        qtbot.waitUntil(later.isComplete, timeout=120000)
        wizard.next()
    found = {match.camera: int(offset) for match, offset in zip(
        wizard.draft.synced.matches, (wizard.sync_page.table.item(row, 2).text()
                                      for row in range(wizard.sync_page.table.rowCount())), strict=True)}
    assert all(abs(found[camera] - recording.offsets[camera]) <= 1 for camera in found)
    assert not (folder / "calibration.toml").exists()                  # not before Finish
    with qtbot.waitSignal(wizard.session_written, timeout=30000) as written:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    assert written.args[0] == folder / "session 13.h5"
    stored = read_toml_calibration(folder / "calibration.toml").cameras
    for kept, computed in zip(stored, wizard.draft.calibration.cameras, strict=True):
        assert kept.name == computed.name
        np.testing.assert_allclose(kept.K, computed.K, rtol=1e-6)
        np.testing.assert_allclose(kept.center, computed.center, atol=1e-6)
    with h5py.File(written.args[0], "r", locking=False) as handle:
        source = handle.attrs["source"]
    assert "calibration board recording board/" in source and source.endswith("written to calibration.toml")
