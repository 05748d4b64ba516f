"""The library browser lists takes by event, level and action and opens the one chosen."""

from __future__ import annotations

from dataclasses import replace

from analysis.session.library import Library
from analysis.session.reader import Session
from analysis.session.writer import write_session
from tests.helpers import make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.widgets.library_browser import EXEMPLAR_MARK, LibraryBrowser


def _library(tmp_path):
    write_session(tmp_path / "a.h5", make_session_data(seed=1, event="MFE"))
    write_session(tmp_path / "b.h5", replace(make_session_data(seed=2, event="WBB", n_takes=3), athlete="A07"))
    return Library.scan(tmp_path)


def test_tree_groups_takes_and_marks_exemplars(qtbot, tmp_path):
    state = ViewerState()
    browser = LibraryBrowser(state)
    qtbot.addWidget(browser)
    state.set_library(_library(tmp_path))
    items = browser.take_items()
    assert len(items) == 5
    first = items[0]
    assert first.parent().parent().text(0) == "Level 1"
    assert first.parent().parent().parent().text(0).startswith("MFE")
    assert first.text(3) == EXEMPLAR_MARK and first.text(1) == "A01"
    assert any(item.text(2) == "9.60" for item in items)


def test_activating_a_take_asks_to_open_it_and_the_filter_hides_others(qtbot, tmp_path):
    state = ViewerState()
    browser = LibraryBrowser(state)
    qtbot.addWidget(browser)
    state.set_library(_library(tmp_path))
    target = next(item for item in browser.take_items() if item.text(1) == "A07" and item.text(0).startswith("take3"))
    with qtbot.waitSignal(browser.take_activated) as signal:
        browser.activate(target)
    path, take = signal.args
    assert path.name == "b.h5" and take == "take3"
    browser._filter.setText("A07")
    visible = [item for item in browser.take_items() if not item.isHidden()]
    assert len(visible) == 3 and all(item.text(1) == "A07" for item in visible)


def test_current_take_is_highlighted(qtbot, tmp_path):
    state = ViewerState()
    browser = LibraryBrowser(state)
    qtbot.addWidget(browser)
    state.set_library(_library(tmp_path))
    session = Session.open(tmp_path / "b.h5")
    state.set_session(session)
    state.set_take(load_take_bundle(session, "take2"))
    bold = [item for item in browser.take_items() if item.font(0).bold()]
    assert [(item.text(1), item.text(0)) for item in bold] == [("A07", "take2")]
    assert not bold[0].icon(0).isNull()  # the take has video
    session.close()
