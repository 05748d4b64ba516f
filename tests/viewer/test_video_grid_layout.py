"""How the video grid lays out its views (any count, any aspect), enlarges one, zooms and pans a tile."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from tests.viewer.grid_input import wheel
from viewer.widgets import tile_painter
from viewer.widgets.grid_layout import grid_rects, letterboxed_area
from viewer.widgets.tile_zoom import TileZoom
from viewer.widgets.video_grid import VideoGrid


def shape(rects) -> tuple[int, int]:
    """Rows and columns a plain grid uses."""
    return len({round(r.top()) for r in rects}), len({round(r.left()) for r in rects})


def image_area(rects, aspects) -> float:
    return sum(letterboxed_area(a, r.width(), r.height()) for a, r in zip(aspects, rects))


def test_four_portrait_cameras_stand_side_by_side_and_fill_the_width():
    aspects = [9 / 16] * 4
    rects = grid_rects(aspects, 1280, 640)
    assert shape(rects) == (1, 4)
    two_by_two = [QRectF(c * 640, r * 320, 640, 320) for r in range(2) for c in range(2)]
    assert image_area(two_by_two, aspects) < 0.3 * 1280 * 640     # what a 2 x 2 grid shows of them
    assert image_area(rects, aspects) > 0.8 * 1280 * 640


@pytest.mark.parametrize("size, expected", [((1600, 450), (2, 4)), ((1280, 720), (3, 3)), ((500, 1000), (4, 2))])
def test_eight_landscape_cameras_take_the_grid_that_shows_them_largest(size, expected):
    rects = grid_rects([16 / 9] * 8, *size)
    assert shape(rects) == expected
    assert len({(round(r.width()), round(r.height())) for r in rects}) == 1


@pytest.mark.parametrize("size, expected", [((1280, 640), (2, 2)), ((1800, 400), (1, 3))])
def test_three_views(size, expected):
    assert shape(grid_rects([16 / 9] * 3, *size)) == expected


@pytest.mark.parametrize("n_views, aspect", [(2, 16 / 9), (3, 16 / 9), (4, 9 / 16), (8, 16 / 9)])
def test_an_enlarged_view_is_much_larger_than_the_others_for_any_count(n_views, aspect):
    rects = grid_rects([aspect] * n_views, 1280, 640, enlarged=1)
    areas = [letterboxed_area(aspect, r.width(), r.height()) for r in rects]
    assert areas[1] > 3 * max(areas[:1] + areas[2:])
    assert not any(rects[i].intersects(rects[j]) for i in range(n_views) for j in range(i + 1, n_views))


def portrait_take(take, n_views: int = 4):
    """``take`` seen by its first ``n_views`` cameras turned portrait (90 x 160)."""
    cameras = [dataclasses.replace(camera, width=90, height=160) for camera in take.cameras[:n_views]]
    return dataclasses.replace(take, cameras=cameras, pose2d=take.pose2d[:n_views],
                               reprojected=take.reprojected[:n_views], errors=take.errors[:n_views])


def button_of(grid: VideoGrid, view: str) -> QPoint:
    return tile_painter.enlarge_button_rect(grid.tile_geometry(view)).center().toPoint()


def test_four_portrait_views_in_the_widget_and_their_enlarge_button(small_session, grid_on, qtbot):
    grid, state = grid_on(small_session, "take1", lambda take_id, frame, _sizes, _overlays: [None] * 4)
    state.set_take(portrait_take(state.take))
    assert shape(grid.tile_rects()) == (1, 4)
    QApplication.sendEvent(grid, QHelpEvent(QEvent.Type.ToolTip, button_of(grid, "cam3"),
                                            grid.mapToGlobal(button_of(grid, "cam3"))))
    assert QToolTip.text() == "Enlarge this view (Enter)"
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=button_of(grid, "cam3"))
    assert grid.enlarged_view == "cam3"
    rects = grid.tile_rects()
    assert rects[2].height() > 0.9 * grid.height() and rects[2].width() > 3 * rects[0].width()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=button_of(grid, "cam3"))
    assert grid.enlarged_view is None


def test_enter_enlarges_the_selected_view_and_double_click_does_not(small_session, grid_on, qtbot):
    grid, state = grid_on(small_session, "take1")
    plain = grid.tile_rects()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=plain[5].center().toPoint())
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=plain[5].center().toPoint())
    assert grid.enlarged_view is None and state.selected_view == "cam6"
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert grid.enlarged_view == "cam6"
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert grid.enlarged_view is None and grid.tile_rects() == plain


def test_the_wheel_zooms_about_the_cursor_a_drag_pans_and_a_double_click_resets(small_session, grid_on, qtbot):
    grid, state = grid_on(small_session, "take1")
    geometry = grid.tile_geometry("cam2")
    cursor = geometry.image.topLeft() + QPointF(geometry.image.width() * 0.3, geometry.image.height() * 0.6)
    under_cursor = geometry.unmap((cursor.x(), cursor.y()))
    wheel(grid, cursor, 3)
    zoomed = grid.tile_geometry("cam2")
    assert grid.zoom_of("cam2").factor == pytest.approx(1.25 ** 3)
    assert zoomed.scale == pytest.approx(geometry.scale * 1.25 ** 3)
    assert np.allclose(zoomed.unmap((cursor.x(), cursor.y())), under_cursor, atol=0.01)
    assert zoomed.image == geometry.image                      # the tile keeps its place; the image is magnified
    assert grid.zoom_of("cam1") == TileZoom()

    start = cursor.toPoint()
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(grid, start + QPoint(-20, 0))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=start + QPoint(-20, 0))
    panned = grid.tile_geometry("cam2")
    assert np.allclose(panned.unmap((cursor.x() - 20, cursor.y())), under_cursor, atol=0.01)

    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=start)
    assert grid.zoom_of("cam2") == TileZoom() and grid.tile_geometry("cam2") == geometry


def test_a_zoomed_tile_never_shows_beyond_its_image(small_session, grid_on):
    grid, state = grid_on(small_session, "take1")
    geometry = grid.tile_geometry("cam1")
    wheel(grid, geometry.image.topLeft() + QPointF(1, 1), 6)
    grid.set_zoom("cam1", grid.zoom_of("cam1").panned(500, 500, 160, 90))
    zoomed = grid.tile_geometry("cam1")
    assert np.allclose(zoomed.unmap((geometry.image.left(), geometry.image.top())), (0, 0), atol=0.01)
    wheel(grid, geometry.image.center(), -40)
    assert grid.zoom_of("cam1") == TileZoom()


def test_a_single_view_fills_the_grid(small_session, grid_on):
    grid, state = grid_on(small_session, "take1")
    grid.show_single("cam4")
    rects = grid.tile_rects()
    assert rects[3].width() > 0.98 * grid.width() and all(r.isEmpty() for i, r in enumerate(rects) if i != 3)
    assert grid.view_at(QPointF(10, 10)) == "cam4"
    grid.show_single(None)
    assert grid.single_view is None and shape(grid.tile_rects()) == (3, 3)
