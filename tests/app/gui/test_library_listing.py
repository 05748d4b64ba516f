"""The browser's rows of a library are made by the scan's worker: the browser then lists them
without sorting and labelling the takes again on the GUI thread."""

from __future__ import annotations

from analysis.session.writer import write_session
from app.gui.session_controller import scan_and_list
from tests.helpers import make_session_data
from viewer.model import library_listing as listing_module
from viewer.model.state import ViewerState
from viewer.widgets.library_browser import LibraryBrowser


def test_the_scan_lists_the_library_and_the_browser_shows_that_listing(qtbot, tmp_path, monkeypatch):
    for name, seed in (("a.h5", 1), ("b.h5", 2)):
        write_session(tmp_path / name, make_session_data(seed=seed, n_takes=3, video_views=0))
    scan = scan_and_list(tmp_path)
    steps = []
    try:
        while True:
            steps.append(next(scan))
    except StopIteration as done:
        library = done.value
    assert steps[-1] == (2, 2) and len(library.index) == 6

    def no_second_listing(_index):
        raise AssertionError("the library was listed again")

    monkeypatch.setattr(listing_module, "_list", no_second_listing)
    state = ViewerState()
    browser = LibraryBrowser(state)
    qtbot.addWidget(browser)
    state.set_library(library)
    rows = browser.take_rows()
    assert len(rows) == 6
    assert sorted(label for label, *_ in rows) == sorted(listing_module.library_listing(library).table["label"])
