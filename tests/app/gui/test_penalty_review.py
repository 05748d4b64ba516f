"""Penalty review in the window: confirm, reject, edit and add penalties; undo and redo; saved and read back."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from analysis.annotations.document import annotations_path, read_annotations
from analysis.annotations.items import ReviewedPenalty
from viewer.model.scoring_result import ScoringResult

N_FRAMES = 12


def _verdict() -> ScoringResult:
    """The model finds bent knees on frames 3..5 (90 %) and a head fault at frame 9 (70 %), not bent arms."""
    heatmap = np.full((3, N_FRAMES), 0.005)         # below the predicted spans' level (SPAN_LEVEL 0.01)
    heatmap[0, 3:6] = 0.9
    heatmap[1, 9] = 0.7
    heatmap[2, 1] = 0.2
    return ScoringResult("take2", 9.1, (), ("KNEES", "HEAD", "ARMS"), ("Bent knees", "Head position", "Bent arms"),
                         np.array([0.9, 0.7, 0.2]), heatmap, np.zeros(17), "tiny", "v1")


@pytest.fixture
def window(qtbot, tiny_model_window, session_file):
    """The window on take2, with the verdict of :func:`_verdict` (takes are not scored as they open)."""
    window = tiny_model_window
    assert window.open_file(session_file, "take2")
    qtbot.waitUntil(lambda: window.state.take is not None, timeout=10000)
    window.state.set_scoring(_verdict())
    return window


def _statuses(panel) -> list[tuple[str, str]]:
    return [(row.code, row.status) for row in panel.rows()]


def _saved(session_file) -> dict[str, tuple]:
    items = read_annotations(annotations_path(session_file)).items
    return {item.code: (item.status, item.start, item.end, item.value) for item in items
            if isinstance(item, ReviewedPenalty)}


def test_the_coach_confirms_rejects_edits_and_adds_with_undo_and_the_file_follows(window, qtbot, session_file):
    panel = window.review_panel
    assert _statuses(panel) == [("KNEES", "pending"), ("HEAD", "pending")]
    knees = panel.rows()[0]
    assert (knees.start, knees.end, knees.value, knees.probability) == (3, 6, 0.3, 0.9)

    panel.select_row(0)
    qtbot.mouseClick(panel.buttons["confirm"], Qt.MouseButton.LeftButton)
    panel.select_row(1)
    qtbot.mouseClick(panel.buttons["reject"], Qt.MouseButton.LeftButton)
    assert _statuses(panel) == [("KNEES", "confirmed"), ("HEAD", "rejected")]
    assert _saved(session_file) == {"KNEES": ("confirmed", 3, 6, 0.3), "HEAD": ("rejected", 9, 10, 0.3)}
    assert "9.70" in panel.reviewed_score_text()

    panel.select_row(0)
    editor = panel.open_editor()
    editor.last_spin.setValue(7)
    editor.value_combo.setCurrentIndex(editor.value_combo.findData(0.5))
    editor.accept()
    editor = panel.open_editor(adding=True)
    editor.code_combo.setCurrentIndex(editor.code_combo.findData("ARMS"))
    editor.first_spin.setValue(8)
    editor.last_spin.setValue(10)
    editor.value_combo.setCurrentIndex(editor.value_combo.findData(0.1))
    editor.accept()
    assert _statuses(panel) == [("KNEES", "edited"), ("HEAD", "rejected"), ("ARMS", "added")]
    assert _saved(session_file)["ARMS"] == ("added", 8, 11, 0.1)
    assert _saved(session_file)["KNEES"] == ("edited", 3, 8, 0.5)
    assert "9.40" in panel.reviewed_score_text()

    stack = window.annotations.undo_stack
    assert stack.undoText() == "Add penalty: Bent arms"
    with qtbot.waitActive(window):
        window.activateWindow()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: "ARMS" not in _saved(session_file), timeout=5000)
    assert _statuses(panel) == [("KNEES", "edited"), ("HEAD", "rejected")] and "9.50" in panel.reviewed_score_text()
    stack.redo()
    assert "ARMS" in _saved(session_file)

    panel.select_row(1)
    qtbot.mouseClick(panel.buttons["clear"], Qt.MouseButton.LeftButton)
    assert _statuses(panel)[1] == ("HEAD", "pending") and "HEAD" not in _saved(session_file)


def test_the_review_is_read_back_with_the_session_and_a_row_click_seeks(window, qtbot, session_file, tmp_path):
    panel = window.review_panel
    panel.confirm_pending()
    assert _saved(session_file) == {"KNEES": ("confirmed", 3, 6, 0.3), "HEAD": ("confirmed", 9, 10, 0.3)}
    rect = panel.table.visualItemRect(panel.table.item(1, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.state.frame == 9

    window.controller.close()                  # closing and opening the session again reads the review back
    assert window.open_file(session_file, "take2")
    qtbot.waitUntil(lambda: window.state.take is not None, timeout=10000)
    assert _statuses(panel) == [("KNEES", "confirmed"), ("HEAD", "confirmed")]   # without a verdict: the review
    assert "9.40" in panel.reviewed_score_text()
