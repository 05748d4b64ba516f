"""Predicted penalties as bookmarks on the transport bar: one per item found, clicking loops over its span;
the scoring panel shows the score interval."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from analysis.session.writer import write_session
from tests.helpers import make_session_data
from viewer.model.scoring_result import ScoringResult
from viewer.model.state import ViewerState
from viewer.widgets.scoring_panel import ScoringPanel
from viewer.widgets.transport import TransportBar

N_FRAMES = 60


@pytest.fixture
def session_file(tmp_path):
    """A 60-frame session without video, for the shared ``state`` fixture (room for the spans below)."""
    return write_session(tmp_path / "bookmarks.h5", make_session_data(seed=2, n_frames=N_FRAMES, video_views=0))


def scoring(state: ViewerState, interval=(8.51, 8.95)) -> ScoringResult:
    """A verdict with two items found (knees over frames 10-19, arms over 40-44) and one not (spans end exclusive)."""
    return ScoringResult(
        take_id=state.take.take_id, predicted=8.73, exemplars=(), penalty_codes=("KNEES", "ARMS", "HEAD"),
        penalty_names=("Bent knees", "Bent arms", "Head position"), probabilities=np.array([0.9, 0.7, 0.2]),
        heatmap=np.zeros((3, N_FRAMES)), joint_responsibility=np.zeros(17), model_name="test", model_version="1",
        penalty_spans=np.array([[10, 20], [40, 45], [0, 5]]), interval=interval, interval_coverage=0.9)


@pytest.fixture
def transport(qtbot, state):
    bar = TransportBar(state)
    qtbot.addWidget(bar)
    bar.resize(900, 60)
    bar.show()
    qtbot.waitExposed(bar)
    return bar


def test_each_predicted_penalty_gets_a_bookmark_that_loops_over_its_span(transport, state, qtbot):
    assert transport.bookmarks.isHidden()
    state.set_scoring(scoring(state))
    qtbot.waitUntil(lambda: transport.bookmarks.isVisible())
    shown = transport.bookmarks.bookmarks()
    assert [(p.name, p.start, p.end) for p in shown] == [("Bent knees", 10, 20), ("Bent arms", 40, 45)]
    rect = transport.bookmarks.bookmark_rect(1)
    # the bookmark sits over its frames on the slider below it
    assert rect.left() <= transport.slider.marker_x(40) <= rect.right()
    QTest.mouseClick(transport.bookmarks, Qt.MouseButton.LeftButton, pos=rect.center().toPoint())
    assert state.frame == 40 and state.loop_enabled and state.loop_range == (40, 44)
    assert transport.loop_box.isChecked() and tuple(transport.loop_slider.value()) == (40, 44)
    QTest.mouseClick(transport.bookmarks, Qt.MouseButton.LeftButton,
                     pos=transport.bookmarks.bookmark_rect(0).center().toPoint())
    assert state.frame == 10 and state.loop_range == (10, 19)
    empty = QPoint(int(transport.slider.marker_x(30)), 5)              # between the bookmarks
    QTest.mouseClick(transport.bookmarks, Qt.MouseButton.LeftButton, pos=empty)
    assert state.frame == 10
    state.set_scoring(None)
    assert transport.bookmarks.isHidden() and transport.bookmarks.bookmarks() == []


def test_overlapping_spans_go_to_separate_lanes(transport, state):
    verdict = scoring(state)
    verdict = ScoringResult(**{**verdict.__dict__, "penalty_spans": np.array([[10, 30], [20, 45], [0, 5]])})
    state.set_scoring(verdict)
    first, second = (transport.bookmarks.bookmark_rect(i) for i in range(2))
    assert not first.intersects(second)


def test_the_scoring_panel_shows_the_score_interval(qtbot, state):
    panel = ScoringPanel(state)
    qtbot.addWidget(panel)
    state.set_scoring(scoring(state))
    assert panel.score_text() == "8.73"
    assert panel.caption_text() == "predicted, 8.51–8.95 (90 % interval)"
    panel.set_busy(True)
    assert panel.caption_text() == "scoring …"
    panel.set_busy(False)
    assert panel.caption_text() == "predicted, 8.51–8.95 (90 % interval)"
    state.set_scoring(None)
    assert panel.caption_text() == "predicted score"
    state.set_scoring(scoring(state, interval=None))                    # an older model, without calibration
    assert panel.caption_text() == "predicted (no interval)" and panel.score_text() == "8.73"
