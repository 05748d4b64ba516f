"""The Progress panel: an athlete's annotated and predicted scores over takes and sessions; a click opens a take."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from analysis.session.writer import write_session
from tests.helpers import exemplar_session_data, make_session_data

WAIT_MS = 60_000


@pytest.fixture
def library(tmp_path):
    """Athlete A01 did the action in two sessions (January, then March); A09 is an exemplar."""
    folder = tmp_path / "library"
    folder.mkdir()
    for name, seed, created in (("march.h5", 1, "2026-03-02T10:00"), ("january.h5", 2, "2026-01-20T10:00")):
        data = make_session_data(seed=seed)
        takes = [replace(take, is_exemplar=False, score=take.score - 0.5 * seed) for take in data.takes]
        write_session(folder / name, replace(data, takes=takes, created=created))
    write_session(folder / "exemplar.h5", exemplar_session_data(seed=5, athlete="A09"))
    return folder


def test_the_panel_plots_both_scores_in_session_order_and_a_click_opens_the_take(tiny_model_window, qtbot, library):
    window = tiny_model_window
    assert window.open_file(library / "march.h5", "take2")
    window.docks["progress"].raise_()
    panel = window.progress_panel
    qtbot.waitUntil(lambda: panel.series is not None and panel.series.points["predicted"].notna().all(),
                    timeout=WAIT_MS)
    points = panel.series.points
    assert panel.choice() == ("A01", "MFE-1-01")
    assert list(zip(points["file"], points["take"])) == [("january.h5", "take1"), ("january.h5", "take2"),
                                                         ("march.h5", "take1"), ("march.h5", "take2")]
    assert points["session"].tolist() == [1, 1, 2, 2]
    index = window.state.library.index.set_index(["file", "take"])
    assert np.allclose(points["annotated"], [index.loc[(f, t), "score"] for f, t in zip(points["file"],
                                                                                          points["take"])])

    x, y = panel.point_position(1, "annotated")             # January's take2
    plot = panel.plot
    scene = plot.getPlotItem().getViewBox().mapViewToScene(QPointF(x, y))
    position = plot.mapFromScene(scene)
    qtbot.mouseClick(plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(position.x(), position.y()))
    qtbot.waitUntil(lambda: window.state.session is not None and window.state.session.path.name == "january.h5"
                    and window.state.take is not None and window.state.take.take_id == "take2", timeout=WAIT_MS)


def test_another_action_or_athlete_can_be_chosen(tiny_model_window, qtbot, library):
    window = tiny_model_window
    assert window.open_file(library / "march.h5", "take2")
    window.docks["progress"].raise_()
    panel = window.progress_panel
    qtbot.waitUntil(lambda: panel.series is not None, timeout=WAIT_MS)
    panel.choose("A09", "MFE-1-01")
    qtbot.waitUntil(lambda: panel.series.athlete == "A09", timeout=WAIT_MS)
    assert panel.series.points["file"].tolist() == ["exemplar.h5"]


def test_behind_another_tab_the_panel_asks_for_no_scores_until_its_tab_is_chosen(tiny_model_window, qtbot, library):
    window = tiny_model_window
    panel = window.progress_panel
    asked = []
    panel.requested.connect(lambda athlete, action: asked.append((athlete, action)))
    window.docks["curves"].raise_()                       # the progress tab stays behind the curves
    assert window.open_file(library / "march.h5", "take2")
    qtbot.wait(200)
    assert asked == [] and panel.series is None          # no athlete's takes scored for a hidden panel
    window.docks["progress"].raise_()
    qtbot.waitUntil(lambda: asked == [("A01", "MFE-1-01")], timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.series is not None, timeout=WAIT_MS)
