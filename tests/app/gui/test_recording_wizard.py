"""*File → New session from recording…* end to end on a recording the test renders, and its cancel path."""

from __future__ import annotations

from pathlib import Path

import h5py
import pytest
from PySide6.QtWidgets import QWizard

from analysis.geometry.calibration_toml import write_toml_calibration
from tests.helpers_recording import offset_recording, write_recording_folder

OFFSETS = [0, -6, 9, 4]


@pytest.fixture(scope="module")
def recording():
    return offset_recording(11, OFFSETS, n_actions=1, bystander=True, views=[0, 2, 4, 6])


@pytest.fixture
def recording_folder(tmp_path, recording) -> Path:
    """videos/camN.mp4, calibration/Calib.toml and Pose2Sim's pose/camN_json folders."""
    folder = write_recording_folder(tmp_path / "session 12", recording)
    write_toml_calibration(folder / "calibration" / "Calib.toml", recording.cameras)
    return folder


def _next_when_complete(qtbot, wizard, page, timeout=60000):
    qtbot.waitUntil(lambda: page.isComplete(), timeout=timeout)
    wizard.next()


def test_the_wizard_turns_a_recording_folder_into_an_open_session(qtbot, window, recording, recording_folder):
    wizard = window.new_session_from_recording(recording_folder)
    assert "4 camera videos: cam1.mp4, cam3.mp4, cam5.mp4, cam7.mp4" in wizard.folder_page.message.text()
    _next_when_complete(qtbot, wizard, wizard.folder_page)
    _next_when_complete(qtbot, wizard, wizard.cameras_page)
    assert wizard.cameras_page.table.item(2, 1).text() == "cam5" and "4 cameras at 30 fps" in \
        wizard.cameras_page.message.text()
    _next_when_complete(qtbot, wizard, wizard.calibration_page)
    assert "cam7 ← cam7.mp4" in wizard.calibration_page.message.text()
    _next_when_complete(qtbot, wizard, wizard.keypoints_page)
    assert "cam3_json → cam3 (by name)" in wizard.keypoints_page.message.text()
    qtbot.waitUntil(lambda: wizard.sync_page.isComplete(), timeout=60000)
    found = {match.camera: int(wizard.sync_page.table.item(row, 2).text())
             for row, match in enumerate(wizard.draft.synced.matches)}
    assert all(abs(found[camera] - recording.offsets[camera]) <= 1 for camera in found)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.triangulation_page.isComplete(), timeout=60000)
    assert "mean reprojection error: kept" in wizard.triangulation_page.message.text()
    wizard.next()
    names = wizard.names_page
    names.event.setCurrentText("WFE")
    names.athlete.setText("A9")
    names.take.setText("floor-1")
    assert names.file_name.text() == "session 12.h5"
    with qtbot.waitSignal(wizard.session_written, timeout=30000) as written:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    path = written.args[0]
    assert path == recording_folder / "session 12.h5" and wizard.result() == QWizard.DialogCode.Accepted
    qtbot.waitUntil(lambda: window.state.session is not None and window.state.session.path == path, timeout=10000)
    session = window.state.session
    assert session.event == "WFE" and session.athlete == "A9" and session.take_ids == ("floor-1",)
    assert not session.missing_videos() and session.takes["floor-1"].video_views == ("cam1", "cam3", "cam5", "cam7")
    assert window.last_error is None                                     # no warning about the camera files
    with h5py.File(path, "r", locking=False) as handle:
        video = handle["takes/floor-1/video"]
        offsets = {view: int(video[view].attrs["frame_offset"]) for view in video}
        stored = {view: video[view][()].decode() for view in video}
    assert stored["cam5"] == "videos/cam5.mp4"                       # inside the session's folder tree
    assert {view: offsets[view] - offsets["cam1"] for view in offsets} == {
        camera: found[camera] for camera in found}


def test_cancelling_the_wizard_leaves_nothing_behind(qtbot, window, recording_folder):
    before = sorted(p.relative_to(recording_folder) for p in recording_folder.rglob("*"))
    wizard = window.new_session_from_recording(recording_folder)
    for page in (wizard.folder_page, wizard.cameras_page, wizard.calibration_page, wizard.keypoints_page):
        _next_when_complete(qtbot, wizard, page)
    qtbot.waitUntil(lambda: wizard.sync_page.runner.running, timeout=10000)
    wizard.sync_page.runner.cancel()                                    # Cancel the step ...
    qtbot.waitUntil(lambda: not wizard.sync_page.runner.running, timeout=30000)
    assert "Cancelled" in wizard.sync_page.runner.status.text() and not wizard.sync_page.isComplete()
    wizard.sync_page.synchronize()                                      # ... start it again and close the wizard
    qtbot.waitUntil(lambda: wizard.sync_page.runner.running, timeout=10000)
    wizard.reject()
    assert wizard.result() == QWizard.DialogCode.Rejected and window.state.session is None
    assert sorted(p.relative_to(recording_folder) for p in recording_folder.rglob("*")) == before
