"""Drawing on the video with the mouse: every shape, the angle's degrees, frame ranges, editing, zoom."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from analysis.annotations.items import Drawing
from analysis.annotations.measure import included_angle_deg
from tests.viewer.grid_input import VIEW, at, clicks, drag, wheel, yellow_near


@pytest.fixture
def drawing_grid(small_session, grid_on):
    """A grid whose annotation edits are applied at once (the application makes them undoable commands)."""
    grid, state = grid_on(small_session, "take1")
    state.annotations.edit_requested.connect(state.annotations.apply)
    state.seek(2)
    return grid, state


def drawings(state) -> list[Drawing]:
    return state.annotations.items(state.take.take_id, Drawing)


GESTURES = {
    "line": (drag, [(20, 20), (60, 30), (100, 40)], [(20, 20), (100, 40)], (60, 30)),
    "arrow": (clicks, [(20, 70), (120, 20)], [(20, 70), (120, 20)], (70, 45)),
    "circle": (drag, [(80, 45), (90, 45), (105, 45)], [(80, 45), (105, 45)], (80, 70)),
    "freehand": (drag, [(20, 20), (40, 30), (60, 25), (80, 50)], [(20, 20), (40, 30), (60, 25), (80, 50)], (60, 25)),
    "angle": (clicks, [(40, 20), (40, 60), (90, 60)], [(40, 20), (40, 60), (90, 60)], (40, 30)),
}


@pytest.mark.parametrize("shape", list(GESTURES))
def test_each_shape_is_drawn_with_the_mouse(drawing_grid, qtbot, shape):
    grid, state = drawing_grid
    gesture, points, stored, on_stroke = GESTURES[shape]
    assert not yellow_near(grid, on_stroke)
    state.annotations.set_tool(shape)
    gesture(qtbot, grid, points)
    [drawing] = drawings(state)
    assert drawing.shape == shape and drawing.view == VIEW and drawing.first_frame == 2
    assert np.allclose(drawing.points, stored, atol=0.5)
    assert yellow_near(grid, on_stroke)


def test_text_is_typed_in_the_editor_that_opens(drawing_grid, qtbot):
    grid, state = drawing_grid
    state.annotations.set_tool("text")
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (30, 40)))
    assert grid.note_editor.isVisible()
    grid.note_editor.editor.setPlainText("Arms!")
    grid.note_editor.accept()
    [drawing] = drawings(state)
    assert drawing.text == "Arms!" and np.allclose(drawing.points, [(30, 40)], atol=0.5)
    assert yellow_near(grid, (31, 41))           # the text's frame, in the drawing's colour
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (30, 10)))
    grid.note_editor.reject()
    assert len(drawings(state)) == 1             # cancelled: nothing added


def test_the_angle_tool_reads_the_degrees_live_and_keeps_them(drawing_grid, qtbot):
    grid, state = drawing_grid
    state.annotations.set_tool("angle")
    clicks(qtbot, grid, [(40, 20), (40, 60)])
    qtbot.mouseMove(grid, at(grid, (80, 20)))     # the third point, not placed yet: 45° at the vertex
    view, live = grid.editor.preview
    assert view == VIEW and live.shape == "angle"
    assert float(included_angle_deg(*np.array(live.points))) == pytest.approx(45.0, abs=1.0)
    qtbot.mouseMove(grid, at(grid, (100, 60)))
    assert float(included_angle_deg(*np.array(grid.editor.preview[1].points))) == pytest.approx(90.0, abs=1.0)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (100, 60)))
    [drawing] = drawings(state)
    assert float(included_angle_deg(*np.array(drawing.points))) == pytest.approx(90.0, abs=1.0)
    assert grid.editor.preview is None


def test_a_drawing_shows_on_its_frames_only(drawing_grid, qtbot):
    grid, state = drawing_grid
    state.annotations.set_drawing_frames(3)
    state.annotations.set_tool("line")
    drag(qtbot, grid, [(20, 45), (140, 45)])
    [drawing] = drawings(state)
    assert (drawing.first_frame, drawing.last_frame) == (2, 4)
    for frame, shown in ((1, False), (2, True), (4, True), (5, False)):
        state.seek(frame)
        assert yellow_near(grid, (80, 45)) == shown
    state.annotations.set_drawing_frames(100)
    drag(qtbot, grid, [(20, 10), (140, 10)])
    assert drawings(state)[1].last_frame == state.n_frames - 1   # never past the take's end


def test_select_drag_a_handle_move_the_whole_drawing_and_delete_it(drawing_grid, qtbot):
    grid, state = drawing_grid
    state.annotations.set_tool("line")
    drag(qtbot, grid, [(20, 20), (100, 20)])
    state.annotations.set_tool("select")
    drag(qtbot, grid, [(100, 20), (110, 60)])                     # the end's handle
    [drawing] = drawings(state)
    assert state.annotations.selected == drawing.id
    assert np.allclose(drawing.points, [(20, 20), (110, 60)], atol=0.5)
    drag(qtbot, grid, [(65, 40), (75, 50)])                        # the middle of the line: the whole of it
    [drawing] = drawings(state)
    assert np.allclose(drawing.points, [(30, 30), (120, 70)], atol=1.0)
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (150, 80)))
    assert state.annotations.selected is None                      # a click beside it deselects
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (75, 50)))
    state.annotations.delete_selected()
    assert drawings(state) == [] and not yellow_near(grid, (75, 50))


def test_double_click_edits_a_text(drawing_grid, qtbot):
    grid, state = drawing_grid
    state.annotations.set_tool("text")
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (30, 40)))
    grid.note_editor.editor.setPlainText("Arms")
    grid.note_editor.accept()
    state.annotations.set_tool("select")
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, (32, 43)))
    assert grid.note_editor.isVisible() and grid.note_editor.text() == "Arms"
    grid.note_editor.editor.setPlainText("Arms straight")
    grid.note_editor.accept()
    assert [d.text for d in drawings(state)] == ["Arms straight"]
    assert grid.zoom_of(VIEW).factor == 1.0


def test_zoom_keeps_a_drawing_on_the_same_image_point(drawing_grid, qtbot):
    grid, state = drawing_grid
    state.annotations.set_tool("circle")
    drag(qtbot, grid, [(60, 50), (70, 50)])
    before = grid.tile_geometry(VIEW)
    wheel(grid, QPointF(*before.map((100, 30))), 2)               # zoom about another point
    after = grid.tile_geometry(VIEW)
    assert after.scale > 1.5 * before.scale
    assert not np.allclose(after.map((70, 50)), before.map((70, 50)), atol=3)
    assert yellow_near(grid, (70, 50)) and yellow_near(grid, (60, 40))   # on its rim, in camera pixels
    assert not yellow_near(grid, (60, 50), radius=1)                     # its centre stays clear
