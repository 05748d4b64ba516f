"""The coach's tools in the workstation: undo / redo, the annotations file, markers, full screen, keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from analysis.annotations.document import annotations_path
from analysis.annotations.items import Drawing, Marker
from analysis.session.writer import write_session
from tests.helpers import make_session_data
from tests.viewer.grid_input import VIEW, drag, wheel, yellow_near


@pytest.fixture
def session_path(tmp_path: Path) -> Path:
    return write_session(tmp_path / "coach" / "session.h5", make_session_data(n_frames=20))


def open_session(window, qtbot, path: Path) -> None:
    """Open take2 of ``path`` in the active ``window`` with the video grid focused (where keys go)."""
    with qtbot.waitActive(window):
        window.activateWindow()
    assert window.open_file(path, "take2")
    qtbot.waitUntil(lambda: window.state.library is not None, timeout=20000)
    window.video_grid.setFocus()


def key(qtbot, window, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(window.video_grid, key, modifier)


def saved(path: Path, take: str, section: str) -> list[dict]:
    """The items of ``section`` of ``take`` in the annotations file of session ``path``."""
    takes = json.loads(annotations_path(path).read_text(encoding="utf-8"))["takes"]
    return takes.get(take, {}).get(section, [])


def edit_menu(window) -> list[str]:
    """The texts of the Edit menu's entries."""
    menu = next(action.menu() for action in window.menuBar().actions() if action.text() == "&Edit")
    return [action.text() for action in menu.actions() if not action.isSeparator()]


def test_undo_and_redo_restore_a_drawing_and_the_file_follows(window, qtbot, session_path):
    open_session(window, qtbot, session_path)
    grid, state = window.video_grid, window.state
    key(qtbot, window, Qt.Key.Key_D)                                     # the line tool
    assert state.annotations.tool == "line"
    drag(qtbot, grid, [(20, 45), (140, 45)])
    [line] = state.annotations.items("take2", Drawing)
    assert saved(session_path, "take2", "drawings")[0]["points"] == [list(p) for p in line.points]
    assert edit_menu(window)[:2] == ["&Undo Add line", "&Redo"]

    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state.annotations.items("take2") == [] and not yellow_near(grid, (80, 45))
    assert saved(session_path, "take2", "drawings") == []
    assert edit_menu(window)[:2] == ["&Undo", "&Redo Add line"]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert state.annotations.items("take2") == [line] and yellow_near(grid, (80, 45))
    assert len(saved(session_path, "take2", "drawings")) == 1

    key(qtbot, window, Qt.Key.Key_V)                                     # select it, move it, undo the move
    drag(qtbot, grid, [(80, 45), (80, 60)])
    assert state.annotations.items("take2", Drawing)[0].points[0][1] == pytest.approx(60, abs=0.5)
    assert window.annotations.undo_stack.undoText() == "Move line"
    key(qtbot, window, Qt.Key.Key_Delete)
    assert state.annotations.items("take2") == []
    for _ in range(2):
        key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert state.annotations.items("take2") == [line]
    assert session_path.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"          # the recording itself is untouched


def test_annotations_are_read_back_when_the_session_opens_again(window, qtbot, session_path):
    open_session(window, qtbot, session_path)
    state = window.state
    key(qtbot, window, Qt.Key.Key_A)
    drag(qtbot, window.video_grid, [(20, 70), (120, 20)])
    state.seek(4)
    key(qtbot, window, Qt.Key.Key_M)
    window.markers_panel.note_editor.editor.setPlainText("hands late")
    window.markers_panel.note_editor.accept()
    before = {item.id: item for item in state.annotations.document().items}
    other = write_session(session_path.parent / "other.h5", make_session_data(seed=4))
    open_session(window, qtbot, other)
    assert state.annotations.document().items == () and window.annotations.undo_stack.count() == 0
    open_session(window, qtbot, session_path)
    assert {item.id: item for item in state.annotations.document().items} == before
    assert window.markers_panel.marker_rows() == [(4, "hands late")]


def test_a_corrupt_annotations_file_is_reported_and_never_overwritten(window, qtbot, session_path):
    path = annotations_path(session_path)
    path.write_text('{"format": "lucid-annotations", "format_version": 1, "takes": {"take2": {"markers": [{"frame": ',
                    encoding="utf-8")
    before = path.read_bytes()
    open_session(window, qtbot, session_path)
    title, message = window.last_error
    assert title == "Annotations not loaded" and str(path) in message and "not valid JSON" in message
    key(qtbot, window, Qt.Key.Key_D)
    drag(qtbot, window.video_grid, [(20, 45), (140, 45)])
    assert len(window.state.annotations.items("take2")) == 1               # drawn, shown ...
    assert path.read_bytes() == before                                      # ... and the file left alone


def test_a_newer_annotations_file_is_refused(window, qtbot, session_path):
    annotations_path(session_path).write_text('{"format": "lucid-annotations", "format_version": 2, "takes": {}}')
    open_session(window, qtbot, session_path)
    assert "newer version of the workstation" in window.last_error[1]


def test_markers_are_added_listed_jumped_to_edited_and_deleted(window, qtbot, session_path):
    open_session(window, qtbot, session_path)
    state, panel = window.state, window.markers_panel
    state.seek(12)
    key(qtbot, window, Qt.Key.Key_M)
    assert panel.note_editor.isVisible() and "frame 12" in panel.note_editor.prompt.text()
    panel.note_editor.editor.setPlainText("knees bend")
    panel.note_editor.accept()
    state.seek(3)
    key(qtbot, window, Qt.Key.Key_M)
    panel.note_editor.editor.setPlainText("start")
    panel.note_editor.accept()
    assert panel.marker_rows() == [(3, "start"), (12, "knees bend")]
    slider = window.transport.slider
    assert slider.notes_at(slider.marker_x(12)) == "frame 12: knees bend"     # the tick's tooltip
    assert slider.notes_at(slider.marker_x(8)) == slider.toolTip()
    assert slider.marker_x(3) < slider.marker_x(12)
    assert sorted(window.curves.marker_lines.positions())[-1] == pytest.approx(12 / state.fps)

    state.seek(0)
    panel.markers.itemActivated.emit(panel.markers.topLevelItem(1), 0)        # double-click / Enter on a row
    assert state.frame == 12
    panel.markers.topLevelItem(1).setSelected(True)
    assert isinstance(state.annotations.get(state.annotations.selected), Marker)
    panel.edit_button.click()
    panel.note_editor.editor.setPlainText("knees bend on landing")
    panel.note_editor.accept()
    assert panel.marker_rows()[1] == (12, "knees bend on landing")
    assert window.annotations.undo_stack.undoText() == "Edit note of marker"
    panel.delete_button.click()
    assert panel.marker_rows() == [(3, "start")]
    assert [m["note"] for m in saved(session_path, "take2", "markers")] == ["start"]
    key(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert panel.marker_rows() == [(3, "start"), (12, "knees bend on landing")]


def test_f_shows_the_selected_view_alone_full_screen_and_back(window, qtbot, session_path):
    open_session(window, qtbot, session_path)
    grid = window.video_grid
    window.state.select_view("cam3")
    key(qtbot, window, Qt.Key.Key_F)
    assert window.isFullScreen() and grid.single_view == "cam3"
    assert not window.docks["skeleton"].isVisible() and window.transport.isVisible()
    qtbot.waitUntil(lambda: grid.tile_rects()[2].width() > 0.9 * grid.width())
    key(qtbot, window, Qt.Key.Key_Right)                                  # keys still work full screen
    assert window.state.frame == 1
    key(qtbot, window, Qt.Key.Key_F)
    assert not window.isFullScreen() and grid.single_view is None and window.docks["skeleton"].isVisible()


def test_arrow_keys_step_one_frame_while_a_view_is_zoomed(window, qtbot, session_path):
    open_session(window, qtbot, session_path)
    grid = window.video_grid
    geometry = grid.tile_geometry(VIEW)
    wheel(grid, QPointF(geometry.image.center()), 4)
    zoom = grid.zoom_of(VIEW)
    assert zoom.is_zoomed
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Right)
    key(qtbot, window, Qt.Key.Key_Left)
    assert window.state.frame == 1 and grid.zoom_of(VIEW) == zoom
    qtbot.waitUntil(lambda: grid.displayed_frames() == [1] * 8)


def test_help_lists_the_new_keys(window, qtbot, monkeypatch):
    from app.gui import shortcuts

    shown = []
    monkeypatch.setattr(shortcuts.ShortcutsDialog, "exec", lambda dialog: shown.append(dialog))
    window.show_shortcuts()
    table = shown[0].table
    rows = {table.item(row, 0).text(): table.item(row, 1).text() for row in range(table.rowCount())}
    for keys in ("M", "F", "Ctrl+Z", "Ctrl+Shift+Z", "Del", "G", "Shift+D", "Mouse wheel", "Enter"):
        assert keys in rows, keys
    assert "angle" in rows["G"].lower() and "marker" in rows["M"].lower()
