"""File > Export clip…: the dialog's defaults, a background export, and cancelling it; the take's CSV."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from analysis.render.take_table import take_table
from analysis.session.reader import Session
from analysis.session.writer import write_session
from app.gui.export_dialog import ExportDialog, export_take_csv_interactively
from tests.helpers import make_session_data, read_video
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle


def _state_on(path: Path, take_id: str) -> ViewerState:
    session = Session.open(path)
    state = ViewerState()
    state.set_session(session)
    state.set_take(load_take_bundle(session, take_id))
    return state


@pytest.fixture
def dialog_on(qtbot):
    opened: list[ViewerState] = []

    def make(path: Path, take_id: str = "take2") -> ExportDialog:
        state = _state_on(path, take_id)
        opened.append(state)
        dialog = ExportDialog(state)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    yield make
    for state in opened:
        state.session.close()


def _frame_count(path: Path) -> tuple[int, int]:
    capture = cv2.VideoCapture(str(path))
    count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
    width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
    capture.release()
    return count, width


def test_the_dialog_defaults_to_the_loop_range_and_exports_it(dialog_on, qtbot, session_file, tmp_path):
    state = _state_on(session_file, "take2")
    state.set_loop(True, 2, 9)
    state.select_view("cam3")
    dialog = ExportDialog(state)
    qtbot.addWidget(dialog)
    assert (dialog.first_spin.value(), dialog.last_spin.value()) == (2, 9)
    assert dialog.view_combo.currentText() == "cam3"

    out = tmp_path / "exports" / "clip.mp4"
    dialog.output_edit.setText(str(out))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as finished:
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    assert finished.args == [out]
    assert _frame_count(out) == (8, 640)
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() == 8
    assert dialog.status_label.text() == "Wrote clip.mp4"
    state.session.close()


def test_the_mosaic_layout_disables_the_view_choice(dialog_on, session_file, tmp_path, qtbot):
    dialog = dialog_on(session_file)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("mosaic"))
    assert not dialog.view_combo.isEnabled() and not dialog.exemplar_combo.isEnabled()
    dialog.angle_boxes["left_elbow"].setChecked(True)
    dialog.score_box.setChecked(False)
    request = dialog.request()
    assert request.layout == "mosaic" and request.view is None
    assert request.overlays.angle_joints == ("left_knee", "right_knee", "left_elbow")
    assert not request.overlays.score and request.overlays.penalties
    dialog.output_edit.setText(str(tmp_path / "mosaic.mp4"))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000):
        dialog.start_export()
    assert _frame_count(tmp_path / "mosaic.mp4") == (12, 1920)


def test_the_dialog_writes_h264_by_default_and_mp4v_with_blurred_faces_on_request(dialog_on, qtbot, session_file,
                                                                                   tmp_path):
    dialog = dialog_on(session_file)
    assert dialog.codec_combo.currentData() == "h264" and not dialog.anonymize_box.isChecked()
    dialog.output_edit.setText(str(tmp_path / "default.mp4"))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    codec, frames = read_video(tmp_path / "default.mp4")
    assert codec == "h264" and len(frames) == 12

    dialog.codec_combo.setCurrentIndex(dialog.codec_combo.findData("mp4v"))
    dialog.anonymize_box.setChecked(True)
    assert dialog.request().overlays.anonymize and dialog.request().codec == "mp4v"
    dialog.output_edit.setText(str(tmp_path / "anonymized.mp4"))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000):
        qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    codec, frames = read_video(tmp_path / "anonymized.mp4")
    assert codec == "mpeg4" and len(frames) == 12


def test_the_coachs_drawings_and_markers_are_burned_in_when_asked(dialog_on, qtbot, session_file, tmp_path):
    from analysis.annotations.items import Drawing, Marker
    from viewer.model.annotations import AnnotationEdit

    plain = dialog_on(session_file)
    assert not plain.annotations_box.isEnabled() and not plain.annotations_box.isChecked()
    state = _state_on(session_file, "take2")
    for item in (Drawing("take2", "cam1", "line", ((20, 20), (140, 20)), 0, 11, colour="#ff2020"),
                 Marker("take2", 4, "look")):
        state.annotations.apply(AnnotationEdit.adding(item))
    dialog = ExportDialog(state)
    qtbot.addWidget(dialog)
    assert dialog.annotations_box.isChecked() and "2 on this take" in dialog.annotations_box.text()
    dialog.view_combo.setCurrentText("cam1")
    dialog.skeleton_combo.setCurrentIndex(dialog.skeleton_combo.findData("none"))
    dialog.output_edit.setText(str(tmp_path / "drawn.mp4"))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000):
        dialog.start_export()
    _, frames = read_video(tmp_path / "drawn.mp4")
    band = frames[5][74:87, 100:540].astype(int)               # the line at image y = 20, 4 output pixels each
    assert ((band[..., 2] > 180) & (band[..., 1] < 110)).any(axis=0).mean() > 0.9
    state.session.close()


def test_cancel_from_the_dialog_leaves_no_file(dialog_on, qtbot, tmp_path):
    source = write_session(tmp_path / "long.h5", make_session_data(n_frames=400))
    dialog = dialog_on(source)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("mosaic"))
    out_folder = tmp_path / "exports"
    out_folder.mkdir()
    dialog.output_edit.setText(str(out_folder / "clip.mp4"))
    dialog.start_export()
    qtbot.waitUntil(lambda: dialog.progress_bar.value() >= 5, timeout=30000)
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as finished:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == [None]
    assert dialog.progress_bar.value() < 400
    assert list(out_folder.iterdir()) == []
    assert dialog.status_label.text() == "Export cancelled; nothing was written."
    assert dialog.export_button.isEnabled() and not dialog.cancel_button.isEnabled()


def test_a_failed_export_is_reported_in_the_dialog(dialog_on, qtbot, session_file, tmp_path):
    dialog = dialog_on(session_file)
    dialog.layout_combo.setCurrentIndex(dialog.layout_combo.findData("compare"))
    dialog.exemplar_combo.addItem("missing", (tmp_path / "missing.h5", "take1"))
    dialog.exemplar_combo.setCurrentIndex(dialog.exemplar_combo.count() - 1)
    dialog.output_edit.setText(str(tmp_path / "compare.mp4"))
    with qtbot.waitSignal(dialog.export_finished, timeout=30000) as finished:
        dialog.start_export()
    assert finished.args == [None]
    assert "missing.h5" in dialog.status_label.text() and dialog.status_label.text().startswith("Export failed")
    assert not (tmp_path / "compare.mp4").exists()


def test_ctrl_e_in_the_window_opens_the_dialog_on_the_current_take(qtbot, session_file, tmp_path):
    from PySide6.QtCore import QSettings

    from app.gui.main_window import MainWindow
    from app.gui.settings import AppSettings

    window = MainWindow(settings=AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)),
                        show_errors=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.open_file(session_file, "take2")
    qtbot.waitUntil(lambda: window.state.take is not None, timeout=10000)
    with qtbot.waitActive(window):
        window.activateWindow()
    window.video_grid.setFocus()
    qtbot.keyClick(window.video_grid, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "export_dialog", None) is not None and window.export_dialog.isVisible())
    assert window.export_dialog.take_id == "take2"
    window.export_dialog.reject()


def test_the_take_csv_carries_the_kinematics_the_app_shows(session_file, tmp_path, monkeypatch):
    state = _state_on(session_file, "take2")
    raised = dataclasses.replace(state.take, pose3d=state.take.pose + np.float32(0.5))  # as re-triangulated in the app
    state.set_take(raised)
    shown = raised.kinematics.copy()
    target = tmp_path / "take2.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    try:
        assert export_take_csv_interactively(None, state) == target
    finally:
        state.session.close()
    exported = pd.read_csv(target)
    np.testing.assert_allclose(exported["com_height_m"], shown["com_height_m"], rtol=1e-6)
    with Session.open(session_file) as session:
        in_file = take_table(session, "take2")["com_height_m"].to_numpy()
    assert np.nanmean(exported["com_height_m"] - in_file) == pytest.approx(0.5, abs=1e-3)
    pd.testing.assert_frame_equal(raised.kinematics, shown)                      # the take's table is left as it was
    with Session.open(session_file) as session, pytest.raises(ValueError, match="its kinematics 3 rows"):
        take_table(session, "take2", kinematics=shown.iloc[:3])
