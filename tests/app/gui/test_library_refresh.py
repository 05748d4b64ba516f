"""The window's library: indexed in the background after the take opens, with progress in the state,
and indexed again (only what changed) when files are added or removed in the folder."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings

from analysis.session.writer import write_session
from app.gui.session_controller import SessionController
from app.gui.settings import AppSettings
from tests.helpers import make_session_data
from viewer.model.state import ViewerState


def _controller(qtbot, tmp_path):
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    state = ViewerState()
    return state, SessionController(state, settings)


def test_the_library_is_indexed_after_the_take_opens_and_follows_the_folder(qtbot, tmp_path):
    folder = tmp_path / "library"
    write_session(folder / "a.h5", make_session_data(seed=1, video_views=0))
    write_session(folder / "b.h5", replace(make_session_data(seed=2, video_views=0), athlete="A02"))
    state, controller = _controller(qtbot, tmp_path)
    progress, libraries = [], []
    state.library_progress_changed.connect(progress.append)
    state.library_changed.connect(libraries.append)
    assert controller.open_file(folder / "a.h5")
    assert state.take is not None and state.library is None       # the take first, the index after
    qtbot.waitUntil(lambda: state.library is not None, timeout=30000)
    assert set(state.library.index["file"]) == {"a.h5", "b.h5"}
    assert progress[-1] == (0, 0) and (2, 2) in progress

    write_session(folder / "sub" / "c.h5", replace(make_session_data(seed=3, video_views=0), athlete="A03"))
    qtbot.waitUntil(lambda: "sub/c.h5" in set(state.library.index["file"]), timeout=30000)
    (folder / "b.h5").unlink()
    qtbot.waitUntil(lambda: set(state.library.index["file"]) == {"a.h5", "sub/c.h5"}, timeout=30000)
    controller.close()


def test_a_refresh_that_finds_nothing_new_keeps_the_library(qtbot, tmp_path):
    folder = tmp_path / "library"
    write_session(folder / "a.h5", make_session_data(seed=1, video_views=0))
    state, controller = _controller(qtbot, tmp_path)
    controller.open_file(folder / "a.h5")
    qtbot.waitUntil(lambda: state.library is not None, timeout=30000)
    library = state.library
    (folder / "notes.txt").write_text("not a session")
    qtbot.wait(1500)                                               # the watcher's refresh runs meanwhile
    controller.refresh_library()
    qtbot.waitUntil(lambda: not controller.workers.busy("library"), timeout=30000)
    assert state.library is library
    controller.close()
