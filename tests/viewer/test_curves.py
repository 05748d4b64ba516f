"""The kinematic curves panel: cursors follow playback, clicks and drags seek, plots stay x-linked."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt, QTimer
from PySide6.QtTest import QTest

from analysis.render.take_table import export_take_csv
from analysis.session.reader import Session
from analysis.session.writer import write_session
from tests.helpers import make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.widgets.curves import CURVE_GROUP_BY_NAME, CurvesPanel

N_FRAMES = 40


@pytest.fixture
def state(tmp_path):
    path = write_session(tmp_path / "curves.h5", make_session_data(seed=4, n_frames=N_FRAMES, video_views=0))
    session = Session.open(path)
    viewer_state = ViewerState()
    viewer_state.set_session(session)
    viewer_state.set_take(load_take_bundle(session, "take2"))  # penalties over frames 2-6 and 5-9
    yield viewer_state
    session.close()


@pytest.fixture
def panel(qtbot, state):
    widget = CurvesPanel(state)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def view_position(panel: CurvesPanel, plot: pg.PlotItem, x: float) -> QPoint:
    """Widget position, in the graphics viewport, of data x at mid-height of ``plot``."""
    y_low, y_high = plot.vb.viewRange()[1]
    scene = plot.vb.mapViewToScene(QPointF(x, 0.5 * (y_low + y_high)))
    return panel.graphics.mapFromScene(scene)


def test_cursor_of_every_plot_follows_the_state(panel, state):
    assert len(panel.plot_items()) == 4
    state.seek(17)
    assert panel.cursor_positions() == pytest.approx([17 / state.fps] * 4)
    panel.set_time_unit("frame")
    assert panel.cursor_positions() == pytest.approx([17.0] * 4)
    state.seek(3)
    assert panel.cursor_positions() == pytest.approx([3.0] * 4)


@pytest.mark.parametrize("unit", ["frame", "s"])
def test_clicking_a_plot_seeks_to_that_time(panel, state, unit, qtbot):
    panel.set_time_unit(unit)
    frames_to_x = 1.0 if unit == "frame" else 1.0 / state.fps
    plot = panel.plot_items()[2]
    QTest.mouseClick(panel.graphics.viewport(), Qt.MouseButton.LeftButton,
                     pos=view_position(panel, plot, 23 * frames_to_x))
    qtbot.waitUntil(lambda: state.frame == 23, timeout=2000)
    assert panel.cursor_positions() == pytest.approx([23 * frames_to_x] * 4)


def test_dragging_the_cursor_seeks(panel, state, qtbot):
    panel.set_time_unit("frame")
    state.seek(5)
    plot = panel.plot_items()[0]
    viewport = panel.graphics.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, pos=view_position(panel, plot, 5))
    for frame in (8, 14, 20, 27, 31):
        QTest.mouseMove(viewport, view_position(panel, plot, frame))
        qtbot.wait(20)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=view_position(panel, plot, 31))
    assert state.frame == pytest.approx(31, abs=1)
    assert panel.cursor_positions() == pytest.approx([float(state.frame)] * 4)


def test_plots_are_x_linked(panel):
    plots = panel.plot_items()
    plots[1].setXRange(0.3, 0.6, padding=0)
    for plot in plots:
        assert plot.viewRange()[0] == pytest.approx([0.3, 0.6])


def test_choosing_the_curve_set_changes_the_plots(panel, state):
    panel.set_visible_groups(["com_speed", "knees"])
    assert panel.visible_groups() == ("knees", "com_speed")
    assert len(panel.plot_items()) == 2
    knee_curves = panel.plot_items()[0].listDataItems()
    assert len(knee_curves) == 2 and knee_curves[0].opts["pen"].color() != knee_curves[1].opts["pen"].color()
    np.testing.assert_allclose(knee_curves[0].getData()[1], panel.kinematics["left_knee_flexion_deg"])

    elbows = next(a for a in panel.findChild(pg.QtWidgets.QToolButton).menu().actions() if "Elbow flex" in a.text())
    elbows.trigger()
    assert panel.visible_groups() == ("knees", "elbows", "com_speed")
    assert len(panel.plot_items()) == 3 and len(panel.cursor_positions()) == 3
    with pytest.raises(KeyError, match=r"unknown curve group\(s\) 'wings'"):
        panel.set_visible_groups(["wings"])


def test_penalty_spans_are_shaded_with_their_codes(panel, state):
    panel.set_time_unit("frame")
    for plot in panel.plot_items():
        regions = [item for item in plot.items if isinstance(item, pg.LinearRegionItem)]
        assert sorted(region.getRegion() for region in regions) == [(2.0, 6.0), (5.0, 9.0)]
    labels = [item.toPlainText() for item in panel.plot_items()[0].items[0].scene().items()
              if isinstance(item, pg.InfLineLabel)]
    assert sorted(labels) == ["BENT_KNEES", "LEGS_APART"]


def test_another_take_is_drawn_on_the_same_curves_without_the_last_takes_penalty_spans(panel, state):
    def spans():
        return [sorted(item.getRegion() for item in plot.items if isinstance(item, pg.LinearRegionItem))
                for plot in panel.plot_items()]

    panel.set_time_unit("frame")
    curves = [item for plot in panel.plot_items() for item in plot.listDataItems()]
    state.set_take(load_take_bundle(state.session, "take1"))   # the exemplar take: no penalty
    assert [item for plot in panel.plot_items() for item in plot.listDataItems()] == curves
    column = CURVE_GROUP_BY_NAME[panel.visible_groups()[0]].columns[0]
    np.testing.assert_allclose(curves[0].getData()[1], state.take.kinematics[column].to_numpy())
    assert spans() == [[]] * 4
    state.set_take(load_take_bundle(state.session, "take2"))
    assert spans() == [[(2.0, 6.0), (5.0, 9.0)]] * 4   # drawn once, not added to what was there
    assert len(panel.cursor_positions()) == 4


def test_new_take_recomputes_and_export_writes_every_frame(panel, state, tmp_path):
    before = panel.kinematics
    state.set_take(load_take_bundle(state.session, "take1"))
    assert not panel.kinematics.equals(before) and len(panel.kinematics) == N_FRAMES
    path = panel.export_csv(tmp_path / "take1.csv")
    exported = pd.read_csv(path)
    assert len(exported) == N_FRAMES and "com_height_m" in exported


def test_curves_csv_and_the_take_csv_export_carry_the_same_kinematics(panel, state, tmp_path):
    assert panel.kinematics is state.take.kinematics  # computed once, with the take
    from_curves = pd.read_csv(panel.export_csv(tmp_path / "curves.csv"))
    from_export = pd.read_csv(export_take_csv(state.session.path, "take2", tmp_path / "take.csv"))
    pd.testing.assert_frame_equal(from_export[from_curves.columns], from_curves)


def test_take_without_3d_shows_no_plots_and_refuses_export(panel, state, tmp_path):
    state.set_take(dataclasses.replace(state.take, pose3d=None, reference=None))
    assert panel.kinematics.empty and panel.plot_items() == []
    with pytest.raises(ValueError, match="no 3D pose"):
        panel.export_csv(tmp_path / "nothing.csv")


def test_playback_scrolls_a_zoomed_in_plot_to_keep_the_cursor_visible(panel, state):
    panel.set_time_unit("frame")
    panel.plot_items()[0].setXRange(0, 10, padding=0)
    state.seek(20)
    assert panel.plot_items()[0].viewRange()[0] == pytest.approx([0, 10])  # paused: the view stays
    state.set_playing(True)
    state.seek(25)
    low, high = panel.plot_items()[0].viewRange()[0]
    assert low <= 25 <= high and high - low == pytest.approx(10)


def test_export_button_saves_the_chosen_file(panel, state, tmp_path, monkeypatch, qtbot):
    target = tmp_path / "chosen.csv"
    monkeypatch.setattr(pg.QtWidgets.QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), ""))
    button = next(b for b in panel.findChildren(pg.QtWidgets.QToolButton) if b.text().startswith("Export"))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert len(pd.read_csv(target)) == N_FRAMES


def test_a_take_computed_in_the_background_comes_back_on_the_plots_already_made(panel, state, qtbot):
    asked = []
    state.kinematics_requested.connect(asked.append)   # as the application: computed later, off the GUI thread
    plots = list(panel._plot_stack.plots)
    state.set_take(load_take_bundle(state.session, "take1"))
    qtbot.waitUntil(lambda: bool(asked))
    assert asked[-1] is state.take
    assert not any(plot.isVisible() for plot in plots)      # "Computing the kinematic curves …" stands in for them
    asked[-1].kinematics
    state.kinematics_computed(asked[-1])
    qtbot.waitUntil(lambda: all(plot.isVisible() for plot in panel._plot_stack.plots))
    shown = panel._plot_stack.plots
    assert shown == plots and all(plot.isVisible() for plot in shown)
    column = CURVE_GROUP_BY_NAME[panel._visible[0]].columns[0]
    curve = shown[0].listDataItems()[0]
    assert len(curve.xData) == N_FRAMES
    assert np.allclose(curve.yData, state.take.kinematics[column].to_numpy(), equal_nan=True)   # take1's curve


def test_a_verdict_adds_the_heatmap_above_the_curves_without_drawing_them_again(panel, state, qtbot):
    from viewer.model.scoring_result import ScoringResult
    from viewer.widgets.time_plots import LEFT_AXIS_WIDTH

    curves = [item for plot in panel.plot_items() for item in plot.listDataItems()]
    names = ("Balance wobble with a long name", "Bent knees")
    verdict = ScoringResult(take_id=state.take.take_id, predicted=9.1, exemplars=(), penalty_codes=("WOBBLE", "KNEES"),
                            penalty_names=names, probabilities=np.array([0.8, 0.3]),
                            heatmap=np.random.default_rng(0).random((2, N_FRAMES)),
                            joint_responsibility=np.zeros(state.take.skeleton.n_joints), model_name="m",
                            model_version="1")
    state.set_scoring(verdict)
    heatmap = panel.heatmap_plot
    assert heatmap is not None and panel.penalty_heatmap.row_names() == list(names)
    assert [item for plot in panel.plot_items() for item in plot.listDataItems()] == curves   # the same curves
    assert heatmap.getViewBox().linkedView(pg.ViewBox.XAxis) is panel.plot_items()[0].getViewBox()
    wide = panel.penalty_heatmap.label_width()
    assert wide > LEFT_AXIS_WIDTH and all(plot.getAxis("left").maximumWidth() == wide for plot in panel.plot_items())
    state.seek(7)
    assert len(panel.cursor_positions()) == len(panel.plot_items()) + 1   # the heatmap's cursor follows too
    assert len(set(panel.cursor_positions())) == 1
    state.set_scoring(None)
    assert panel.heatmap_plot is None
    assert all(plot.getAxis("left").maximumWidth() == LEFT_AXIS_WIDTH for plot in panel.plot_items())
    assert len(panel.cursor_positions()) == len(panel.plot_items())


def test_a_verdict_arriving_while_the_curves_are_computed_is_drawn_with_them_not_before(panel, state, qtbot,
                                                                                        monkeypatch):
    from viewer.model.scoring_result import ScoringResult

    asked, messages = [], []
    state.kinematics_requested.connect(asked.append)
    show_message = panel._plot_stack.show_message
    monkeypatch.setattr(panel._plot_stack, "show_message", lambda text: messages.append(text) or show_message(text))
    state.set_take(load_take_bundle(state.session, "take1"))
    qtbot.waitUntil(lambda: bool(asked))
    state.set_scoring(ScoringResult(take_id="take1", predicted=9.1, exemplars=(), penalty_codes=("WOBBLE",),
                                    penalty_names=("Balance wobble",), probabilities=np.array([0.8]),
                                    heatmap=np.random.default_rng(0).random((1, N_FRAMES)),
                                    joint_responsibility=np.zeros(state.take.skeleton.n_joints), model_name="m",
                                    model_version="1"))
    qtbot.wait(50)
    assert messages == ["Computing the kinematic curves …"]   # said once: the verdict did not redraw it
    asked[-1].kinematics
    state.kinematics_computed(asked[-1])
    qtbot.waitUntil(lambda: panel.heatmap_plot is not None)   # the verdict comes with the curves
    assert panel.penalty_heatmap.row_names() == ["Balance wobble"] and panel.plot_items()


class _PaintLog(QObject):
    """Appends "paint" to a list whenever the watched widget paints."""

    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self._log = log

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self._log.append("paint")
        return False


def test_a_timer_due_while_the_curves_are_redrawn_runs_before_they_are_painted(panel, state, qtbot):
    # The redraw of a new take and its repaint each take tens of milliseconds: in one turn of the
    # event loop they froze the window long enough to drop playback frames and delay input.
    log: list[str] = []
    spy = _PaintLog(log)
    panel.graphics.viewport().installEventFilter(spy)
    redraw = panel._rebuild._function

    def redraw_then_start_a_timer() -> None:
        redraw()
        log.append("redrawn")
        QTimer.singleShot(0, lambda: log.append("timer"))

    panel._rebuild._timer.timeout.disconnect()
    panel._rebuild._timer.timeout.connect(redraw_then_start_a_timer)
    qtbot.wait(100)
    log.clear()
    state.set_take(load_take_bundle(state.session, "take1"))
    qtbot.waitUntil(lambda: "paint" in log[log.index("redrawn"):] if "redrawn" in log else False)
    after = log[log.index("redrawn"):]
    assert after.index("timer") < after.index("paint")
    assert panel.graphics.updatesEnabled() and len(panel.plot_items()[0].listDataItems()[0].xData) == N_FRAMES
