"""Opening a file or a take the way the user does: loaded in the background while the window stays live."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

import app.gui.take_loading as take_loading
from analysis.session.writer import write_session
from tests.helpers import make_session_data

#: How long the slowed-down take loading takes, s.
SLOW_LOAD_S = 0.8
#: The beats of a 20 ms timer that must come while it loads, of 40 at best: a blocked event loop gives
#: one; a loaded 2-core machine (another test suite beside this one) gave 7.
LIVE_BEATS = 4


class Beats:
    """Counts the beats of a 20 ms timer from when it is made until :meth:`stop`."""

    def __init__(self) -> None:
        self.count = 0
        self._timer = QTimer(interval=20, timeout=self._beat)
        self._timer.start()

    def _beat(self) -> None:
        self.count += 1

    def stop(self) -> None:
        self._timer.stop()


def _slow_take_loading(monkeypatch) -> None:
    """Make reading a take's bundle take :data:`SLOW_LOAD_S` longer (in whichever thread reads it)."""
    load = take_loading.load_take_bundle

    def slow(session, take_id):
        time.sleep(SLOW_LOAD_S)
        return load(session, take_id)

    monkeypatch.setattr(take_loading, "load_take_bundle", slow)


def test_choosing_a_take_in_the_browser_loads_it_while_the_window_stays_live(window, qtbot, session_file,
                                                                             monkeypatch):
    assert window.open_file(session_file, "take2")
    qtbot.waitUntil(lambda: window.state.library is not None, timeout=20000)
    shown = window.state.take
    _slow_take_loading(monkeypatch)
    beats = Beats()
    window.state.take_changed.connect(lambda _take: beats.stop())   # the gaps while it loads, not its showing
    started = time.monotonic()
    window.browser.activate(session_file, "take1")
    assert time.monotonic() - started < SLOW_LOAD_S / 4 and window.state.take is shown   # it returned at once
    qtbot.waitUntil(lambda: window.state.take.take_id == "take1", timeout=20000)
    assert time.monotonic() - started >= SLOW_LOAD_S and beats.count >= LIVE_BEATS   # the loop turned meanwhile
    qtbot.waitUntil(lambda: not window.curves.kinematics.empty, timeout=20000)   # computed in the background
    assert len(window.curves.kinematics) == window.state.n_frames


def test_a_file_whose_take_fails_in_the_background_gives_a_dialog_and_keeps_the_session(window, qtbot,
                                                                                       session_file, tmp_path,
                                                                                       monkeypatch):
    assert window.open_file(session_file, "take2")
    window.state.seek(4)
    other = write_session(tmp_path / "other.h5", make_session_data())
    opened = []
    open_session = take_loading.open_session
    monkeypatch.setattr(take_loading, "open_session", lambda *args, **kw: opened.append(open_session(*args, **kw))
                        or opened[-1])

    def failing(session, take_id):
        raise ValueError("pose2d has the wrong shape")

    monkeypatch.setattr(take_loading, "load_take_bundle", failing)
    window.request_file(other, "take1")
    qtbot.waitUntil(lambda: not window.controller.opening, timeout=20000)
    title, message = window.last_error
    assert title == "Cannot open session" and str(other) in message and "wrong shape" in message
    assert window.state.session.path == session_file and window.state.take.take_id == "take2"
    assert window.state.frame == 4
    assert not opened[0]._file.id.valid                                    # the file it opened is closed again


def test_only_the_last_of_quick_requests_is_shown_and_the_others_are_closed(window, qtbot, session_file,
                                                                           tmp_path, monkeypatch):
    first = write_session(tmp_path / "first.h5", make_session_data())
    opened = []
    open_session = take_loading.open_session
    monkeypatch.setattr(take_loading, "open_session", lambda *args, **kw: opened.append(open_session(*args, **kw))
                        or opened[-1])
    window.request_file(first)
    window.request_file(session_file, "take2")
    qtbot.waitUntil(lambda: not window.controller.opening and window.state.session is not None, timeout=30000)
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=30000)
    superseded = next(session for session in opened if session.path == first)
    qtbot.waitUntil(lambda: not superseded._file.id.valid, timeout=30000)    # closed once its load came back
    assert window.state.session.path == session_file and window.state.take.take_id == "take2"
    assert window.settings.recent_files() == [session_file]
