"""The library browser lists takes by event, level and action, names each take by its athlete and
number, keeps the score and exemplar columns readable, filters, and opens the take chosen."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

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


def _browser(qtbot, state):
    browser = LibraryBrowser(state)
    qtbot.addWidget(browser)
    return browser


def test_tree_groups_takes_and_marks_exemplars(qtbot, tmp_path):
    state = ViewerState()
    browser = _browser(qtbot, state)
    state.set_library(_library(tmp_path))
    rows = browser.take_rows()
    assert len(rows) == 5
    label, score, mark, file, take = rows[0]
    assert (label, mark, file.name, take) == ("A01 · take 1", EXEMPLAR_MARK, "a.h5", "take1")
    index = browser.model.take_index("a.h5", "take1")
    assert index.parent().data() == "MFE-1-01  Straight jump"
    assert index.parent().parent().data() == "Level 1"
    assert index.parent().parent().parent().data().startswith("MFE")
    assert any(row[1] == "9.60" for row in rows)


def test_takes_are_named_by_athlete_and_numbered_so_no_two_rows_of_an_action_read_alike(qtbot, tmp_path):
    for file, athlete, name, seed in (("l1.h5", "A02", "Lena K.", 1), ("l2.h5", "A02", "Lena K.", 2),
                                      ("m.h5", "A05", "Mia S.", 3)):
        data = replace(make_session_data(seed=seed, event="WFE", n_takes=2, video_views=0), athlete=athlete,
                       title=f"{name}, Women's floor exercise, level 1")
        write_session(tmp_path / file, data)
    state = ViewerState()
    browser = _browser(qtbot, state)
    state.set_library(Library.scan(tmp_path))
    labels = [row[0] for row in browser.take_rows()]
    assert sorted(labels) == ["Lena K. · take 1", "Lena K. · take 2", "Lena K. · take 3", "Lena K. · take 4",
                              "Mia S. · take 1", "Mia S. · take 2"]
    lena = {(row[3].name, row[4]): row[0] for row in browser.take_rows() if row[0].startswith("Lena")}
    assert lena[("l1.h5", "take1")] == "Lena K. · take 1" and lena[("l2.h5", "take2")] == "Lena K. · take 4"


def test_score_and_exemplar_columns_show_whole_values_in_a_narrow_panel(qtbot, tmp_path):
    state = ViewerState()
    browser = _browser(qtbot, state)
    browser.resize(300, 400)
    browser.show()
    qtbot.waitExposed(browser)
    state.set_library(_library(tmp_path))
    header, metrics = browser.tree.header(), QFontMetrics(browser.tree.font())
    assert header.sectionSize(1) > metrics.horizontalAdvance("10.00")
    assert header.sectionSize(2) > metrics.horizontalAdvance(EXEMPLAR_MARK)
    right_edge = header.sectionViewportPosition(2) + header.sectionSize(2)
    assert right_edge <= browser.tree.viewport().width()       # the ★ column is on screen
    assert header.sectionSize(0) > 100                          # and the names have the rest


def test_activating_a_take_asks_to_open_it_and_the_filter_hides_others(qtbot, tmp_path):
    state = ViewerState()
    browser = _browser(qtbot, state)
    state.set_library(_library(tmp_path))
    with qtbot.waitSignal(browser.take_activated) as signal:
        browser.activate(tmp_path / "b.h5", "take3")
    path, take = signal.args
    assert path.name == "b.h5" and take == "take3"
    browser.set_filter("a07")
    assert [row[4] for row in browser.take_rows()] == ["take1", "take2", "take3"]
    assert browser.tree.isExpanded(browser.model.take_index("b.h5", "take1").parent())
    browser.set_filter("")
    assert len(browser.take_rows()) == 5
    qtbot.keyClicks(browser.filter_box, "take3")                 # typed: applied once typing pauses
    qtbot.waitUntil(lambda: [row[4] for row in browser.take_rows()] == ["take3"], timeout=3000)


def test_current_take_is_highlighted(qtbot, tmp_path):
    state = ViewerState()
    browser = _browser(qtbot, state)
    state.set_library(_library(tmp_path))
    session = Session.open(tmp_path / "b.h5")
    state.set_session(session)
    state.set_take(load_take_bundle(session, "take2"))
    bold = [row for row in browser.take_rows()
            if browser.model.take_index(row[3].name, row[4]).data(Qt.ItemDataRole.FontRole) is not None]
    assert [(row[3].name, row[4]) for row in bold] == [("b.h5", "take2")]
    current = browser.current_index()
    assert current.data(Qt.ItemDataRole.FontRole).bold() and current.data(Qt.ItemDataRole.DecorationRole) is not None
    session.close()


def test_indexing_progress_and_unreadable_files_are_shown(qtbot, tmp_path):
    state = ViewerState()
    browser = _browser(qtbot, state)
    browser.show()
    state.set_library_progress(3, 10)
    assert browser._progress.isVisible() and browser._progress.value() == 3
    (tmp_path / "broken.h5").write_bytes(b"not a session")
    state.set_library_progress(0, 0)
    state.set_library(_library(tmp_path))
    assert not browser._progress.isVisible()
    assert "5 takes in 2 session files" in browser._status.text() and "1 file(s)" in browser._status.text()
    assert "broken.h5" in browser._status.toolTip()
