"""The workstation window end to end: opening, synchronized playback, keys, drops, errors, corrupted files."""

from __future__ import annotations

import time
from pathlib import Path

import h5py
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QLineEdit, QMessageBox

from analysis.session.library import Library
from app.gui.main_window import MainWindow
from app.gui.settings import AppSettings
from app.gui.workers import WorkerRunner
from tests.fuzz import h5edit
from tests.fuzz.corpus import build_corpus


@pytest.fixture
def window(qtbot, tmp_path):
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings)
    window.resize(1500, 900)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def _open(window, qtbot, path, take=None):
    assert window.open_file(path, take)
    qtbot.waitUntil(lambda: window.state.library is not None, timeout=20000)


def _frames_everywhere(window) -> set[int]:
    return set(window.video_grid.displayed_frames()) | {window.skeleton_view.displayed_frame}


def test_the_demo_session_opens_with_every_panel_filled(window, qtbot, synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    state = window.state
    assert state.session.path == synthetic_session_file
    assert state.take.take_id == state.session.take_ids[0] and state.take.info.video_views
    assert len(window.browser.take_rows()) == 3
    assert window.curves.kinematics is not None and len(window.curves.kinematics) == state.n_frames
    assert window.inspector.heatmap_array().shape == (17, state.n_frames)
    assert "Lucid Workstation" in window.windowTitle() and state.take.take_id in window.windowTitle()
    qtbot.waitUntil(lambda: _frames_everywhere(window) == {0}, timeout=5000)


def test_playing_advances_all_tiles_and_the_3d_view_together(window, qtbot, synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    window.state.set_playing(True)
    qtbot.waitUntil(lambda: window.state.frame > 20, timeout=10000)
    window.state.set_playing(False)
    stopped_at = window.state.frame
    qtbot.waitUntil(lambda: _frames_everywhere(window) == {stopped_at}, timeout=5000)
    assert len(window.video_grid.displayed_frames()) == 8


def test_step_and_seek_keys(window, qtbot, synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    state = window.state
    with qtbot.waitActive(window):
        window.activateWindow()
    window.video_grid.setFocus()
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Right)
    assert state.frame == 1
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert state.frame == 11
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Left)
    assert state.frame == 10
    qtbot.keyClick(window.video_grid, Qt.Key.Key_End)
    assert state.frame == state.n_frames - 1
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Home)
    assert state.frame == 0
    qtbot.keyClick(window.video_grid, Qt.Key.Key_BracketRight)
    assert state.speed == 1.5
    qtbot.keyClick(window.video_grid, Qt.Key.Key_BracketLeft)
    qtbot.keyClick(window.video_grid, Qt.Key.Key_BracketLeft)
    assert state.speed == 0.5
    qtbot.keyClick(window.video_grid, Qt.Key.Key_L)
    assert state.loop_enabled
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Space)
    assert state.playing
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Space)
    assert not state.playing
    qtbot.waitUntil(lambda: set(window.video_grid.displayed_frames()) == {state.frame}, timeout=3000)


def test_keys_go_to_the_focused_library_tree_or_filter_and_back_to_the_video_after_a_click(window, qtbot,
                                                                                         synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    state = window.state
    with qtbot.waitActive(window):
        window.activateWindow()
    tree = window.browser.tree
    tree.expandAll()
    *_, file, take = window.browser.take_rows()[0]
    tree.setCurrentIndex(window.browser.model.take_index(window.state.library.file_of(file), take))
    tree.setFocus()
    state.seek(5)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down):
        before = tree.currentIndex()
        qtbot.keyClick(tree, key)
        assert tree.currentIndex() != before               # the tree's selection moved ...
    for key in (Qt.Key.Key_Right, Qt.Key.Key_Left, Qt.Key.Key_End, Qt.Key.Key_Home, Qt.Key.Key_Space):
        qtbot.keyClick(tree, key)
    assert state.frame == 5 and not state.playing          # ... and the video did not

    search = window.browser.findChild(QLineEdit)
    search.setFocus()
    qtbot.keyClicks(search, "r1 l")
    assert search.text() == "r1 l" and state.frame == 5 and not state.playing and not state.loop_enabled

    qtbot.mouseClick(window.video_grid, Qt.MouseButton.LeftButton, pos=window.video_grid.rect().center())
    assert window.video_grid.hasFocus()
    qtbot.keyClick(window.video_grid, Qt.Key.Key_Right)
    assert state.frame == 6


def test_clicking_a_heatmap_cell_seeks_and_selects_for_every_panel(window, qtbot, synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    window.inspector.set_heatmap_mode("cam5")
    window.inspector.click_cell(9, 40)
    state = window.state
    assert (state.frame, state.selected_view, state.selected_joint) == (40, "cam5", 9)
    qtbot.waitUntil(lambda: _frames_everywhere(window) == {40}, timeout=5000)
    assert window.curves.cursor_positions() and all(abs(x - window.curves._x_of_frame(40)) < 1e-6
                                                    for x in window.curves.cursor_positions())


def test_choosing_a_take_in_the_browser_opens_it(window, qtbot, synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    *_, file, take = window.browser.take_rows()[-1]
    window.browser.activate(file, take)
    qtbot.waitUntil(lambda: window.state.take.take_id == take, timeout=20000)


def _drop(window, qtbot, path: Path) -> None:
    """Drop ``path`` on the window and wait until it is opened in the background, or refused."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    qtbot.waitUntil(lambda: not window.controller.opening, timeout=60000)


def test_dropping_a_malformed_file_shows_an_error_and_keeps_the_session(window, qtbot, synthetic_session_file,
                                                                       tmp_path, monkeypatch):
    _open(window, qtbot, synthetic_session_file)
    window.state.seek(12)
    dialogs = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: dialogs.append((title, text)))
    bad = tmp_path / "broken.h5"
    bad.write_bytes(b"definitely not hdf5")
    _drop(window, qtbot, bad)
    assert len(dialogs) == 1
    title, text = dialogs[0]
    assert title == "Cannot open session" and "broken.h5" in text and "not an HDF5 file" in text
    assert window.state.session.path == synthetic_session_file and window.state.frame == 12


def test_dropping_a_good_file_opens_it_and_it_is_remembered(window, qtbot, synthetic_session_file, session_file):
    _open(window, qtbot, synthetic_session_file)
    _drop(window, qtbot, session_file)
    assert window.state.session.path == session_file
    assert [p.resolve() for p in window.settings.recent_files()] == [session_file.resolve(),
                                                                      synthetic_session_file.resolve()]
    path, take = window.settings.last_session()
    assert path.resolve() == session_file.resolve() and take == window.state.take.take_id


def test_retriangulating_without_a_view_updates_the_3d(window, qtbot, synthetic_session_file):
    _open(window, qtbot, synthetic_session_file)
    before = window.state.take
    window.state.request_retriangulation(("cam2",))
    qtbot.waitUntil(lambda: window.state.take is not before, timeout=20000)
    assert window.state.take.excluded_views == ("cam2",)
    assert window.state.take.take_id == before.take_id


def test_closing_the_window_stops_its_background_jobs_and_waits_for_them(window, qtbot, synthetic_session_file,
                                                                         monkeypatch):
    steps = []

    def slow_scanning(folder):
        for step in range(1000):
            steps.append(step)
            time.sleep(0.01)
            yield step, 1000
        return Library.scan(folder)

    monkeypatch.setattr(Library, "scanning", staticmethod(slow_scanning))
    assert window.open_file(synthetic_session_file)
    qtbot.waitUntil(lambda: len(steps) > 0, timeout=10000)
    window.close()
    assert len(steps) < 1000                                                 # the indexing was stopped ...
    assert all(runner.close(0) for runner in window.findChildren(WorkerRunner))   # ... and no job still runs
    qtbot.wait(50)
    assert window.state.library is None and window.state.session is None


# ------------------------------------------------------------ corrupted files
#: Mutation kinds of the fuzz corpus tried in the window, one file of each.
CORRUPTIONS = ("huge_shape", "edge_values", "flip_bytes", "truncate", "bad_video_frames", "nonfinite", "huge_string",
               "retype_dataset", "external_link", "decompression_bomb", "video_path_escape", "reshape_dataset")


def _no_cameras(handle: h5py.File) -> None:
    handle["/cameras"].attrs["order"] = np.array([], dtype=h5py.string_dtype())


def _string_spans(handle: h5py.File) -> None:
    h5edit.replace_dataset(handle, "/takes/take2/penalties/start", data=np.array(["2", "x"], dtype=h5py.string_dtype()))


def _huge_sizes(handle: h5py.File) -> None:
    h5edit.resize_take(handle, "take2", 1 << 31)


def _corrupted_files(folder: Path) -> list[Path]:
    corpus = build_corpus(folder / "corpus", len(CORRUPTIONS), seed=5, kinds=CORRUPTIONS)
    files = [variant.path for variant in corpus.variants]
    for name, edit in (("no_cameras", _no_cameras), ("string_spans", _string_spans), ("huge_sizes", _huge_sizes)):
        path = folder / name / "session.h5"
        path.parent.mkdir()
        path.write_bytes(corpus.root.joinpath("bases", "base0.h5").read_bytes())
        with h5py.File(path, "r+") as handle:
            edit(handle)
        files.append(path)
    return files


def test_corrupted_files_are_refused_or_shown_and_the_window_survives(window, qtbot, session_file, tmp_path,
                                                                      monkeypatch):
    """Each corrupted file either opens (every take of it shows and paints) or is refused in a dialog
    naming it, the session and take that were open staying on screen."""
    dialogs = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: dialogs.append((title, text)))
    files = _corrupted_files(tmp_path)
    refused = opened = 0
    for number, path in enumerate(files):
        assert window.open_file(session_file, "take2")
        window.state.seek(3)
        dialogs_before = len(dialogs)
        if number % 2:
            _drop(window, qtbot, path)
        else:
            window.open_file(path)
        if window.state.session.path == path:
            opened += 1
            for take_id in window.state.session.take_ids:
                window.controller.open_take(take_id)
                window.grab()
        else:
            refused += 1
            title, text = dialogs[dialogs_before]
            assert title == "Cannot open session" and str(path) in text and "\n" not in text
            assert window.state.session.path == session_file and window.state.take.take_id == "take2"
            assert window.state.frame == 3
            window.grab()
    assert refused >= 6 and opened >= 3
    named = {path.parent.name for path in files if any(str(path) in text for _, text in dialogs)}
    assert {"no_cameras", "string_spans", "huge_sizes"} <= named
