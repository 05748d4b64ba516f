"""The 3D view's measuring tools: click joints, get a distance or an angle that follows them through the take."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from analysis.annotations.items import Measurement
from analysis.annotations.measure import format_value, measurement_series
from analysis.render import palette
from analysis.session.writer import write_session
from tests.helpers import make_session_data
from tests.viewer.test_skeleton_view import has_color, open_view, pixels_near
from viewer.widgets.markers_panel import MarkersPanel


@pytest.fixture
def measuring_view(qtbot, tmp_path):
    state, view, session = open_view(qtbot, write_session(tmp_path / "s.h5", make_session_data()))
    state.annotations.edit_requested.connect(state.annotations.apply)
    yield state, view
    session.close()


def clickable_joints(view, state, count: int) -> list[int]:
    """``count`` joints each drawn where a click picks that very joint."""
    view.render_image()
    pixels = view.project_to_canvas(state.take.pose[state.frame])
    chosen = [j for j, (x, y) in enumerate(pixels) if view.joint_at(x, y) == j]
    assert len(chosen) >= count
    return chosen[:count]


def click_joint(qtbot, view, state, joint: int) -> None:
    x, y = np.round(view.project_to_canvas(state.take.pose[state.frame][joint])[0]).astype(int)
    qtbot.mouseClick(view.display, Qt.MouseButton.LeftButton, pos=QPoint(int(x), int(y)))


@pytest.mark.parametrize("tool, kind", [("measure_distance", "distance"), ("measure_angle", "angle")])
def test_clicked_joints_make_a_measurement_that_follows_them(qtbot, measuring_view, tool, kind):
    state, view = measuring_view
    panel = MarkersPanel(state)
    qtbot.addWidget(panel)
    state.seek(3)
    view.measure_buttons[tool].click()
    assert state.annotations.tool == tool
    joints = clickable_joints(view, state, 2 if kind == "distance" else 3)
    for joint in joints:
        click_joint(qtbot, view, state, joint)
    [measurement] = state.annotations.items(state.take.take_id, Measurement)
    names = tuple(state.take.skeleton.joint_names[j] for j in joints)
    assert (measurement.kind, measurement.joints) == (kind, names)
    values = measurement_series(measurement, state.take.pose, state.take.skeleton)
    assert view.measurements.labels == [format_value(kind, values[3])]
    assert panel.measurement_rows()[0][1] == format_value(kind, values[3])
    state.seek(9)
    assert values[9] != values[3]
    assert view.measurements.labels == [format_value(kind, values[9])]
    assert panel.measurement_rows()[0][1] == format_value(kind, values[9])
    image = view.render_image()
    ends = view.project_to_canvas(state.take.pose[9][joints[:2]])
    assert has_color(pixels_near(image, ends.mean(axis=0), 2), palette.rgba(palette.ANNOTATION), 60)


def test_the_measuring_hint_counts_the_joints(qtbot, measuring_view):
    state, view = measuring_view
    view.measure_buttons["measure_angle"].click()
    assert "(0/3)" in view._measure_hint.text()
    click_joint(qtbot, view, state, clickable_joints(view, state, 1)[0])
    assert "(1/3)" in view._measure_hint.text()
    view.measure_buttons["measure_angle"].click()
    assert state.annotations.tool == "select" and view._measure_hint.text() == ""
