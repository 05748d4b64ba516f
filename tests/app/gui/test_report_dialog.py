"""File > Report…: the dialog writes the current take's report (HTML or PDF) in the background, and cancels."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt

from analysis.annotations.items import Marker
from analysis.render.report import ReportCancelled
from app.gui import report_dialog
from app.gui.report_dialog import ReportDialog
from tests.app.cli.test_cli_report import pdf_pages
from viewer.model.annotations import AnnotationEdit
from viewer.model.scoring_result import ExemplarUsed, ScoringResult

WAIT_MS = 30_000


def _scoring(n_frames: int) -> ScoringResult:
    heatmap = np.full((2, n_frames), 0.1)
    heatmap[0, 3] = 0.95
    return ScoringResult("take2", 8.8, (ExemplarUsed("session.h5", "take1", "A01", 10.0),), ("BENT_KNEES", "HEAD"),
                         ("Bent knees", "Head position"), np.array([0.95, 0.7]), heatmap, np.zeros(17), "tiny", "v3")


def _dialog(qtbot, state, **kwargs) -> ReportDialog:
    dialog = ReportDialog(state, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_dialog_writes_a_pdf_with_the_models_verdict_and_the_markers(qtbot, state, tmp_path):
    state.set_scoring(_scoring(state.n_frames))
    dialog = _dialog(qtbot, state, markers=[(4, "knees")])
    assert dialog.prediction_box.isChecked() and dialog.anonymize_box.isChecked()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".pdf"))
    assert dialog.output_edit.text().endswith("session_take2_report.pdf")
    out = tmp_path / "reports" / "take2.pdf"
    dialog.output_edit.setText(str(out))
    with qtbot.waitSignal(dialog.report_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert finished.args == [out] and dialog.status_label.text() == "Wrote take2.pdf"
    assert pdf_pages(out.read_bytes()) >= 2      # the curves start a page
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum() > 0

    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(".html"))
    with qtbot.waitSignal(dialog.report_finished, timeout=WAIT_MS):
        dialog.start()
    html = out.with_suffix(".html").read_text(encoding="utf-8")
    assert "8.80" in html and "tiny v3" in html and "knees" in html and "Head position" in html


def test_without_a_scoring_the_prediction_cannot_be_included(qtbot, state, tmp_path):
    dialog = _dialog(qtbot, state)
    assert not dialog.prediction_box.isEnabled() and not dialog.prediction_box.isChecked()
    dialog.output_edit.setText(str(tmp_path / "plain.html"))
    with qtbot.waitSignal(dialog.report_finished, timeout=WAIT_MS):
        dialog.start()
    assert "Predicted by the model" not in (tmp_path / "plain.html").read_text(encoding="utf-8")


def test_cancelling_writes_nothing(qtbot, state, tmp_path, monkeypatch):
    def waits_for_cancel(*args, progress, cancelled, **kwargs):
        progress(0, 4, "Reading take take2 …")
        while not cancelled():
            time.sleep(0.01)
        raise ReportCancelled("cancelled")

    monkeypatch.setattr(report_dialog, "build_report", waits_for_cancel)
    dialog = _dialog(qtbot, state)
    dialog.output_edit.setText(str(tmp_path / "never.html"))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.status_label.text() == "Reading take take2 …", timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.report_finished, timeout=WAIT_MS) as finished:
        qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args == [None] and dialog.last_error == "Report cancelled; nothing was written."
    assert not list(tmp_path.glob("never*")) and dialog.write_button.isEnabled()


def test_a_bad_output_name_is_refused_in_the_dialog(qtbot, state, tmp_path):
    dialog = _dialog(qtbot, state)
    dialog.output_edit.setText(str(tmp_path / "report.txt"))
    with qtbot.waitSignal(dialog.report_finished, timeout=WAIT_MS) as finished:
        dialog.start()
    assert finished.args == [None] and "written as .html or .pdf" in dialog.last_error


def test_ctrl_r_in_the_window_opens_the_report_dialog(qtbot, window, session_file, tmp_path):
    assert window.open_file(session_file, "take2")
    qtbot.waitUntil(lambda: window.state.take is not None, timeout=10000)
    window.state.annotations.request(AnnotationEdit.adding(Marker("take2", 7, "watch the landing")))
    with qtbot.waitActive(window):
        window.activateWindow()
    window.video_grid.setFocus()
    qtbot.keyClick(window.video_grid, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: getattr(window, "report_dialog", None) is not None and window.report_dialog.isVisible())
    assert window.report_dialog.take_id == "take2"
    out = Path(tmp_path / "window.html")
    window.report_dialog.output_edit.setText(str(out))
    with qtbot.waitSignal(window.report_dialog.report_finished, timeout=WAIT_MS):
        window.report_dialog.start()
    assert "watch the landing" in out.read_text(encoding="utf-8")   # the window's markers, undoable as ever
    window.report_dialog.reject()
