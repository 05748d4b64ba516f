"""The 3D skeleton view, rendered with real OpenGL under Xvfb.

These tests need GL: where it is missing they fail, they are never skipped.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtOpenGLWidgets import QOpenGLWidget
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from analysis.motion.series import mid_joint
from analysis.motion.skeleton import CENTRE
from analysis.render import palette
from analysis.session.reader import Session
from analysis.session.writer import write_session
from tests.helpers import make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.vispy.skeleton_view import SkeletonView

SIDE_COLORS = [palette.rgba(colour) for colour in palette.SIDE_COLOURS]
SELECTED_COLOR = palette.rgba(palette.SELECTED)
LOW_CONFIDENCE_COLOR = palette.rgba(palette.LOW_CONFIDENCE)

CANVAS_SIZE = (640, 480)


def open_view(qtbot, path):
    session = Session.open(path)
    state = ViewerState()
    state.set_session(session)
    view = SkeletonView(state)
    qtbot.addWidget(view)
    view.display.setFixedSize(*CANVAS_SIZE)
    view.show()
    qtbot.waitExposed(view)
    state.set_take(load_take_bundle(session, session.take_ids[0]))
    return state, view, session


@pytest.fixture
def synthetic_view(qtbot, synthetic_session_file):
    state, view, session = open_view(qtbot, synthetic_session_file)
    yield state, view
    session.close()


def pixels_near(image: np.ndarray, point: np.ndarray, radius: int) -> np.ndarray:
    """RGB pixels of a square window around ``point`` (x, y canvas pixels), shape (N, 3)."""
    x, y = np.round(point).astype(int)
    window = image[max(0, y - radius): y + radius + 1, max(0, x - radius): x + radius + 1, :3]
    return window.reshape(-1, 3).astype(float)


def has_color(pixels: np.ndarray, rgba, tolerance: float = 30.0) -> bool:
    target = np.asarray(rgba[:3]) * 255
    return bool((np.linalg.norm(pixels - target, axis=1) < tolerance).any())


def pelvis(state, frame):
    """The mid-hip of ``frame``, ``(3,)`` metres (both hips are triangulated in the frames used)."""
    point = mid_joint(state.take.pose3d[[frame]].astype(float), state.take.skeleton, "hip")[0]
    assert np.isfinite(point).all()
    return point


def test_canvas_shows_the_skeleton_at_the_pelvis(synthetic_view):
    state, view = synthetic_view
    state.seek(state.n_frames // 2)
    image = view.render_image()
    assert image.shape == (CANVAS_SIZE[1], CANVAS_SIZE[0], 4)
    background = image[2, 2, :3].astype(int)
    differs = np.abs(image[..., :3].astype(int) - background).sum(axis=-1) > 30
    assert differs.mean() > 0.01, "the canvas is blank"
    near = pixels_near(image, view.project_to_canvas(pelvis(state, state.frame))[0], 25)
    assert any(has_color(near, color) for color in SIDE_COLORS), "no skeleton colour near the pelvis"


def test_seeking_redraws_and_reports_the_frame(qtbot, synthetic_view):
    state, view = synthetic_view
    state.seek(10)
    before = view.render_image()
    assert view.displayed_frame == 10
    with qtbot.waitSignal(view.frame_presented, timeout=3000) as presented:
        state.seek(60)
    assert presented.args == [60]
    assert view.displayed_frame == 60
    after = view.render_image()
    assert np.abs(after.astype(int) - before.astype(int)).sum(axis=-1).astype(bool).sum() > 200


def test_clicking_a_frustum_apex_selects_its_view(synthetic_view):
    state, view = synthetic_view
    view.frame_rig()
    apexes = view.project_to_canvas(np.array([camera.center for camera in state.take.cameras]))
    inside = (apexes > 5).all(axis=1) & (apexes < np.array(CANVAS_SIZE) - 5).all(axis=1)
    assert inside.all(), "frame_rig should show every camera"
    for camera, (x, y) in zip(state.take.cameras, apexes):
        assert view.view_at(x + 4, y - 3) == camera.name
        view.select_at(x, y)
        assert state.selected_view == camera.name
    image = view.render_image()
    assert has_color(pixels_near(image, apexes[-1], 20), SELECTED_COLOR)
    assert not has_color(pixels_near(image, apexes[0], 20), SELECTED_COLOR)


def test_nothing_is_picked_on_empty_floor(synthetic_view):
    state, view = synthetic_view
    view.frame_rig()
    corner = (3.0, CANVAS_SIZE[1] - 3.0)
    assert view.view_at(*corner) is None
    view.select_at(*corner)
    assert state.selected_view is None


def test_real_mouse_click_on_a_frustum_selects_the_view(qtbot, synthetic_view):
    state, view = synthetic_view
    view.frame_rig()
    camera = state.take.cameras[2]
    x, y = np.round(view.project_to_canvas(camera.center)[0]).astype(int)
    QTest.mouseClick(view.display, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(int(x), int(y)))
    qtbot.waitUntil(lambda: state.selected_view == camera.name, timeout=2000)


def grabbed_pixels(widget) -> np.ndarray:
    """What ``widget`` shows: ``(H, W, 3)`` uint8 RGB at widget pixels."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :3 * image.width()].reshape(image.height(), image.width(), 3)


def test_the_view_shows_the_scene_without_an_opengl_widget(qtbot, synthetic_view):
    state, view = synthetic_view
    assert not view.findChildren(QOpenGLWidget), "a QOpenGLWidget makes Qt compose the whole window with GL"
    with qtbot.waitSignal(view.frame_presented, timeout=3000) as presented:
        state.seek(40)
    assert presented.args == [40]
    shown = grabbed_pixels(view.display)
    assert shown.shape == (CANVAS_SIZE[1], CANVAS_SIZE[0], 3)
    near = pixels_near(shown, view.project_to_canvas(pelvis(state, 40))[0], 25)
    assert any(has_color(near, color) for color in SIDE_COLORS), "the display does not show the skeleton"


def test_dragging_orbits_and_the_wheel_zooms(qtbot, synthetic_view):
    state, view = synthetic_view
    state.seek(40)
    qtbot.waitUntil(lambda: view.displayed_frame == 40, timeout=3000)
    before = grabbed_pixels(view.display).astype(int)
    joints = state.take.pose3d[40].astype(float)
    projected = view.project_to_canvas(joints)
    start = QPoint(300, 240)
    QTest.mousePress(view.display, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for step in range(1, 6):
        QTest.mouseMove(view.display, start + QPoint(20 * step, 0))
    QTest.mouseRelease(view.display, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start + QPoint(100, 0))
    assert np.nanmax(np.abs(view.project_to_canvas(joints) - projected)) > 20, "the drag should orbit the camera"
    assert state.selected_joint is None and state.selected_view is None, "a drag is not a click"
    qtbot.waitUntil(lambda: (np.abs(grabbed_pixels(view.display).astype(int) - before).sum(axis=-1) > 30).sum() > 200,
                    timeout=3000)

    def spread() -> np.ndarray:
        pixels = view.project_to_canvas(joints)
        return np.nanmax(pixels, axis=0) - np.nanmin(pixels, axis=0)

    before_zoom = spread()
    centre = QPointF(CANVAS_SIZE[0] / 2, CANVAS_SIZE[1] / 2)
    for _ in range(3):
        QApplication.sendEvent(view.display, QWheelEvent(
            centre, view.display.mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120), Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
    assert (spread() > 1.2 * before_zoom).all(), "the wheel should zoom in"


def test_clicking_a_joint_selects_and_highlights_it(synthetic_view):
    state, view = synthetic_view
    state.seek(30)
    wrist = state.take.skeleton.index("left_wrist")
    x, y = view.project_to_canvas(state.take.pose3d[30, wrist])[0]
    assert not has_color(pixels_near(view.render_image(), (x, y), 6), SELECTED_COLOR)
    view.select_at(x + 2, y + 2)
    assert state.selected_joint == wrist
    assert has_color(pixels_near(view.render_image(), (x, y), 6), SELECTED_COLOR)


def test_reset_view_frames_the_whole_motion(synthetic_view):
    state, view = synthetic_view
    centre = view.project_to_canvas(pelvis(state, 0))[0]
    for _ in range(12):
        view.canvas.events.mouse_wheel(pos=centre, delta=(0, 3), modifiers=())
    joints = state.take.pose3d.reshape(-1, 3)
    joints = joints[np.isfinite(joints).all(axis=1)]

    def all_inside() -> bool:
        pixels = view.project_to_canvas(joints)
        return bool(np.all((pixels >= 0) & (pixels <= CANVAS_SIZE)))

    assert not all_inside(), "zooming in should have pushed joints off the canvas"
    view.reset_view()
    assert all_inside()


def test_follow_mode_keeps_the_pelvis_centred(synthetic_view):
    state, view = synthetic_view
    view.set_follow(True)
    state.seek(20)
    np.testing.assert_allclose(view.camera_center, pelvis(state, 20), atol=1e-6)
    state.seek(150)
    np.testing.assert_allclose(view.camera_center, pelvis(state, 150), atol=1e-6)
    assert np.linalg.norm(pelvis(state, 150) - pelvis(state, 20)) > 0.2
    canvas_centre = np.array(CANVAS_SIZE) / 2
    np.testing.assert_allclose(view.project_to_canvas(pelvis(state, 150))[0], canvas_centre, atol=1.0)
    view.set_follow(False)
    state.seek(60)
    np.testing.assert_allclose(view.camera_center, pelvis(state, 150), atol=1e-6)


def test_follow_bridges_a_lost_hip_with_the_mid_hip_of_the_neighbouring_frames(synthetic_view):
    state, view = synthetic_view
    take = state.take
    right_hip = take.skeleton.index("right_hip")
    pose3d, reference = take.pose3d.copy(), take.reference.copy()
    pose3d[30, right_hip] = reference[30, right_hip] = np.nan
    state.set_take(dataclasses.replace(take, pose3d=pose3d, reference=reference))
    view.set_follow(True)
    state.seek(30)
    np.testing.assert_allclose(view.camera_center, (pelvis(state, 29) + pelvis(state, 31)) / 2, atol=1e-6)


def test_trails_and_reference_ghost_toggle(synthetic_view):
    state, view = synthetic_view
    state.seek(80)
    with_trails = view.render_image()
    view.set_show_trails(False)
    without_trails = view.render_image()
    assert (with_trails != without_trails).any(axis=-1).sum() > 100
    view.set_show_reference(True)
    with_reference = view.render_image()
    assert (with_reference != without_trails).any(axis=-1).sum() > 0


def test_low_confidence_joints_are_drawn_grey(qtbot, tmp_path):
    data = make_session_data(n_takes=1, n_frames=4, video_views=0)
    ankle = data.skeleton.index("left_ankle")
    data.takes[0].pose2d[:, :, ankle, 2] = 0.1
    state, view, session = open_view(qtbot, write_session(tmp_path / "low.h5", data))
    try:
        image = view.render_image()
        pose = state.take.pose3d[0].astype(float)
        pixels = view.project_to_canvas(pose)
        assert has_color(pixels_near(image, pixels[ankle], 8), LOW_CONFIDENCE_COLOR, tolerance=20)
        nose = state.take.skeleton.index("nose")
        assert has_color(pixels_near(image, pixels[nose], 4), SIDE_COLORS[CENTRE])
    finally:
        session.close()


def test_each_camera_is_named_above_its_frustum_the_selected_one_highlighted(qtbot, synthetic_view):
    from viewer.vispy.layers.camera_layer import LABEL_LIFT_M, LABEL_RGBA, SELECTED_RGBA

    state, view = synthetic_view
    cameras = state.take.cameras
    centre = QPointF(CANVAS_SIZE[0] / 2, CANVAS_SIZE[1] / 2)
    for _ in range(8):                                   # zoom out until the rig is in sight
        QApplication.sendEvent(view.display, QWheelEvent(
            centre, view.display.mapToGlobal(centre), QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
            Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
    anchors = view.project_to_canvas(np.array([camera.center + LABEL_LIFT_M for camera in cameras]))
    width, height = CANVAS_SIZE
    shown_whole = [camera.name for camera, (x, y) in zip(cameras, anchors) if 30 < x < width - 30 and 20 < y < height]
    assert shown_whole, "no camera name falls inside the view"
    state.select_view(shown_whole[0])
    with qtbot.waitSignal(view.frame_presented, timeout=3000):
        state.seek(20)
    in_front = [camera.name for camera, (x, y) in zip(cameras, anchors) if np.isfinite(x) and np.isfinite(y)]
    labels = {label.text: label for label in view.display.labels}
    assert list(labels) == in_front
    for camera, (x, y) in zip(cameras, anchors):
        if camera.name in labels:
            assert (labels[camera.name].x, labels[camera.name].y) == pytest.approx((x, y), abs=0.01)
            expected = SELECTED_RGBA if camera.name == shown_whole[0] else LABEL_RGBA
            assert labels[camera.name].colour.getRgbF()[:3] == pytest.approx(expected[:3], abs=0.01)
    shown = grabbed_pixels(view.display)
    label = labels[shown_whole[0]]
    above = shown[max(0, int(label.y) - 16): int(label.y) + 1, int(label.x) - 25: int(label.x) + 25]
    assert has_color(above.reshape(-1, 3).astype(float), SELECTED_RGBA, tolerance=60), "the name is not written"



def test_a_resized_view_renders_the_same_scene_at_its_new_size(qtbot, synthetic_view):
    _state, view = synthetic_view
    first = view.render_image()
    assert first.shape == (CANVAS_SIZE[1], CANVAS_SIZE[0], 4)
    np.testing.assert_array_equal(view.render_image(), first)   # the same frame renders the same picture
    view.display.setFixedSize(400, 300)
    qtbot.waitUntil(lambda: tuple(view.canvas.size) == (400, 300))
    smaller = view.render_image()
    assert smaller.shape == (300, 400, 4) and smaller[..., :3].std() > 5
    assert not np.array_equal(smaller, first[:300, :400])   # the whole scene, smaller, not a corner of it
    view.display.setFixedSize(*CANVAS_SIZE)
    qtbot.waitUntil(lambda: tuple(view.canvas.size) == CANVAS_SIZE)
    np.testing.assert_array_equal(view.render_image(), first)
