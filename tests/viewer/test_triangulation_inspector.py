"""The triangulation inspector: heatmap, tables, selection by click, worst frame, re-triangulation."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDoubleSpinBox, QPushButton

from analysis.geometry.report import mpjpe
from analysis.geometry.robust_triangulation import DEFAULT_MIN_CONFIDENCE
from analysis.geometry.triangulation import triangulate_dlt
from analysis.session.reader import Session
from analysis.session.writer import write_session
from tests.helpers import make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.model.take_bundle_ops import retriangulated_bundle
import viewer.widgets.triangulation_inspector as inspector_module
from viewer.widgets.triangulation_inspector import TriangulationInspector

CORRUPTED_VIEW = 2
OFFSET_PX = 60.0


@pytest.fixture
def corrupted_session_file(tmp_path: Path) -> Path:
    """A small session whose third view's detections are 60 px off, and whose 3D was triangulated with it."""
    data = make_session_data(seed=3, n_takes=1, n_frames=12, video_views=0)
    take = data.takes[0]
    take.pose2d[CORRUPTED_VIEW, ..., 0] += OFFSET_PX
    take.pose3d = triangulate_dlt(data.cameras, take.pose2d[..., :2], take.pose2d[..., 2]).astype(np.float32)
    return write_session(tmp_path / "corrupted.h5", data)


def _open_state(path: Path) -> tuple[ViewerState, Session]:
    session = Session.open(path)
    state = ViewerState()
    state.set_session(session)
    state.set_take(load_take_bundle(session, session.take_ids[0]))
    return state, session


@pytest.fixture
def synthetic_state(synthetic_session_file):
    state, session = _open_state(synthetic_session_file)
    yield state
    session.close()


@pytest.fixture
def corrupted_state(corrupted_session_file):
    state, session = _open_state(corrupted_session_file)
    yield state
    session.close()


def _inspector(qtbot, state: ViewerState) -> TriangulationInspector:
    inspector = TriangulationInspector(state)
    qtbot.addWidget(inspector)
    inspector.resize(900, 700)
    return inspector


def test_heatmap_shows_the_errors_of_the_chosen_view(qtbot, synthetic_state):
    inspector = _inspector(qtbot, synthetic_state)
    take = synthetic_state.take
    n_views, n_frames, n_joints = take.errors.shape
    usable = np.isfinite(take.pose2d[..., 0]) & (take.pose2d[..., 2] >= DEFAULT_MIN_CONFIDENCE)
    errors = np.where(usable, take.errors, np.nan)

    assert inspector.heatmap_array().shape == (n_joints, n_frames)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # frames where no view has the joint
        np.testing.assert_array_equal(inspector.heatmap_array(), np.nanmax(errors, axis=0).T)
        inspector.set_heatmap_mode("All views (mean)")
        np.testing.assert_array_equal(inspector.heatmap_array(), np.nanmean(errors, axis=0).T)

    inspector.set_heatmap_mode("cam2")
    np.testing.assert_array_equal(inspector.heatmap_array(), errors[1].T)
    assert synthetic_state.selected_view == "cam2"

    synthetic_state.select_view("cam5")
    np.testing.assert_array_equal(inspector.heatmap_array(), errors[4].T)


def test_per_view_table_puts_the_corrupted_view_first(qtbot, corrupted_state):
    inspector = _inspector(qtbot, corrupted_state)
    corrupted = corrupted_state.take.view_names[CORRUPTED_VIEW]

    table = inspector.table_rows("view")
    assert table.index[0] == corrupted
    assert table["all_px"].idxmax() == corrupted
    assert table.loc[corrupted, "excluded_pct"] > 50.0
    assert table.drop(index=corrupted)["kept_px"].max() < table.loc[corrupted, "all_px"] / 3
    joints = inspector.table_rows("joint")
    assert list(joints.index) != [] and set(joints.index) == set(corrupted_state.take.skeleton.joint_names)
    expected_mm = mpjpe(corrupted_state.take.pose3d, corrupted_state.take.reference) * 1000.0
    assert f"MPJPE vs reference {expected_mm:.1f} mm" in inspector.summary_text()


def test_clicking_a_cell_seeks_and_selects_its_view_and_joint(qtbot, corrupted_state):
    inspector = _inspector(qtbot, corrupted_state)
    take = corrupted_state.take
    frame, joint = 7, 5
    assert inspector.shown_view() is None  # all views: the worst one at the cell is selected
    worst = take.view_names[int(np.nanargmax(take.errors[:, frame, joint]))]

    inspector.click_cell(joint, frame)

    assert (corrupted_state.frame, corrupted_state.selected_joint, corrupted_state.selected_view) == (frame, joint, worst)
    inspector.set_heatmap_mode("cam1")
    inspector.click_cell(2, 3)
    assert (corrupted_state.frame, corrupted_state.selected_joint, corrupted_state.selected_view) == (3, 2, "cam1")


def test_a_real_mouse_click_on_a_single_view_heatmap_selects_that_cell(qtbot, synthetic_state):
    inspector = _inspector(qtbot, synthetic_state)
    inspector.set_heatmap_mode("cam4")
    inspector.show()
    qtbot.waitExposed(inspector)
    view = inspector.heatmap_view
    position = view.mapFromScene(inspector.cell_to_scene(13, 42))

    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, position)

    assert (synthetic_state.frame, synthetic_state.selected_joint, synthetic_state.selected_view) == (42, 13, "cam4")


def test_jump_to_worst_frame_seeks_to_the_largest_error(qtbot, synthetic_state):
    inspector = _inspector(qtbot, synthetic_state)
    errors = synthetic_state.take.errors
    view, frame, joint = np.unravel_index(np.nanargmax(errors), errors.shape)

    inspector.findChild(QPushButton, "jumpToWorstButton").click()

    assert synthetic_state.frame == frame
    assert synthetic_state.selected_joint == joint
    assert synthetic_state.selected_view == synthetic_state.take.view_names[view]


def test_retriangulate_button_requests_the_chosen_view(qtbot, corrupted_state):
    inspector = _inspector(qtbot, corrupted_state)
    requests = []
    corrupted_state.retriangulation_requested.connect(requests.append)
    button = inspector.findChild(QPushButton, "retriangulateButton")
    corrupted = corrupted_state.take.view_names[CORRUPTED_VIEW]

    assert button.text() == f"Re-triangulate without {corrupted}"  # the worst view is offered first
    inspector.set_excluded_view("cam7")
    button.click()

    assert requests == [("cam7",)]
    inspector.findChild(QDoubleSpinBox, "thresholdSpinBox").setValue(22.5)
    assert inspector.retriangulation_threshold_px() == 22.5


def test_retriangulating_without_the_corrupted_view_lowers_the_other_errors(qtbot, corrupted_state):
    inspector = _inspector(qtbot, corrupted_state)
    before = corrupted_state.take
    corrupted = before.view_names[CORRUPTED_VIEW]
    others = [v for v in range(len(before.view_names)) if v != CORRUPTED_VIEW]

    after = retriangulated_bundle(before, (corrupted,), inspector.retriangulation_threshold_px())
    corrupted_state.set_take(after)

    assert np.nanmean(after.errors[others]) < 0.1 * np.nanmean(before.errors[others])
    assert np.nanmean(after.errors[CORRUPTED_VIEW]) == pytest.approx(OFFSET_PX, rel=0.05)
    table = inspector.table_rows("view")
    assert table.drop(index=corrupted)["all_px"].max() < 1.0
    assert np.isnan(table.loc[corrupted, "kept_px"]) and table.loc[corrupted, "excluded_pct"] == 100.0
    assert inspector.reprojection_means_px()["all"] < 1.0   # the view left out is not averaged
    np.testing.assert_array_equal(inspector.heatmap_array(), np.nanmax(after.errors, axis=0).T)


def test_retriangulated_bundle_refuses_to_leave_fewer_than_two_views(corrupted_state):
    views = corrupted_state.take.view_names
    with pytest.raises(ValueError, match="fewer than two views"):
        retriangulated_bundle(corrupted_state.take, views[:-1], 15.0)
    with pytest.raises(ValueError, match="no view named 'camX'"):
        retriangulated_bundle(corrupted_state.take, ("camX",), 15.0)



def test_a_hidden_inspector_measures_a_new_take_only_when_shown(qtbot, tmp_path, monkeypatch):
    """Behind another tab, a take switch costs nothing; shown, the inspector describes the take now open."""
    path = write_session(tmp_path / "two.h5", make_session_data(seed=5, n_takes=2, n_frames=10, video_views=0))
    state, session = _open_state(path)
    inspector = _inspector(qtbot, state)
    measured = []
    measure = inspector_module.take_observations
    monkeypatch.setattr(inspector_module, "take_observations",
                        lambda take, threshold: measured.append(take.take_id) or measure(take, threshold))

    second = load_take_bundle(session, session.take_ids[1])
    state.set_take(second)
    assert measured == []                                   # hidden: nothing measured for the switch

    inspector.show()
    qtbot.waitExposed(inspector)
    assert measured == [second.take_id]                     # shown: the current take, once
    assert inspector.heatmap_array().shape == (second.errors.shape[2], second.n_frames)
    state.set_take(load_take_bundle(session, session.take_ids[0]))
    assert measured == [second.take_id, session.take_ids[0]]   # visible: at once
    session.close()
