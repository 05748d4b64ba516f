"""The 8-view video grid: the frame every tile shows, its layouts, clicks and overlays."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from app.gui.frame_prefetch import FramePrefetcher
from tests.helpers import SMALL_VIDEO_VIEWS as VIDEO_VIEWS
from tests.helpers import widget_pixels as pixels
from viewer.model.state import ViewerState
from viewer.widgets.overlay_painter import TileGeometry
from viewer.widgets.tile_painter import NO_VIDEO_BACKGROUND
from viewer.widgets.video_grid import VideoGrid


def all_overlays(state: ViewerState, visible: bool) -> None:
    for name in state.overlays:
        state.set_overlay(name, visible)


def geometry_of(grid: VideoGrid, state: ViewerState, view: int) -> TileGeometry:
    camera = state.take.cameras[view]
    return TileGeometry.letterbox(grid.tile_rects()[view], camera.width, camera.height)


def centre_of(grid: VideoGrid, view: int) -> QPoint:
    return grid.tile_rects()[view].center().toPoint()


def test_every_tile_shows_the_frame_of_the_state(small_session: Session, grid_on):
    grid, state = grid_on(small_session, "take1")
    all_overlays(state, False)
    state.seek(5)
    shown = pixels(grid)
    assert grid.displayed_frames() == [5] * 8
    for view in range(VIDEO_VIEWS):  # the test video's grey level is the frame index
        image = geometry_of(grid, state, view).image
        assert tuple(shown[int(image.bottom()) - 4, int(image.right()) - 4]) == (5, 5, 5)
    for _ in range(3):
        state.step(1)
    shown = pixels(grid)
    assert grid.displayed_frames() == [8] * 8
    image = geometry_of(grid, state, 0).image
    assert tuple(shown[int(image.bottom()) - 4, int(image.right()) - 4]) == (8, 8, 8)


def test_synthetic_session_plays_through_the_prefetcher(synthetic_session_file: Path, grid_on, qtbot):
    with Session.open(synthetic_session_file) as session:
        prefetcher = FramePrefetcher(session)
        try:
            take_id = session.take_ids[0]
            grid, state = grid_on(session, take_id, prefetcher.frames)
            middle = state.n_frames // 2
            with qtbot.waitSignal(grid.frame_presented) as presented:
                state.seek(middle)
            assert presented.args == [middle]
            assert grid.displayed_frames() == [middle] * 8
            prefetcher.decode_ahead(take_id, [middle + 1, middle + 2, middle + 3])
            qtbot.waitUntil(lambda: prefetcher.frame_ready(take_id, middle + 3))
            with qtbot.waitSignal(grid.frame_presented) as presented:
                state.seek(middle + 3)
            assert presented.args == [middle + 3]
            assert grid.displayed_frames() == [middle + 3] * 8
            shown = pixels(grid)
            image = geometry_of(grid, state, 0).image
            tile = shown[int(image.top()):int(image.bottom()), int(image.left()):int(image.right())]
            assert tile.std() > 10  # a rendered scene, not a flat fill
        finally:
            prefetcher.close()


def test_clicking_a_tile_selects_its_view(small_session: Session, grid_on, qtbot):
    grid, state = grid_on(small_session, "take1")
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=centre_of(grid, 6))
    assert state.selected_view == "cam7"
    image = geometry_of(grid, state, 6).image
    border = pixels(grid)[int(image.center().y()), int(image.left()) - 1]
    assert border[2] > 200 and border[0] < 100  # the selection border is blue


@pytest.mark.parametrize("overlay", ["detections", "reprojection", "bones"])
def test_each_overlay_changes_the_picture(small_session: Session, grid_on, overlay: str):
    grid, state = grid_on(small_session, "take1")
    all_overlays(state, False)
    state.seek(3)
    before = pixels(grid)
    state.set_overlay(overlay, True)
    after = pixels(grid)
    tiles = geometry_of(grid, state, 0).image
    changed = np.any(before != after, axis=-1)
    assert changed[int(tiles.top()):int(tiles.bottom()), int(tiles.left()):int(tiles.right())].sum() > 20
    state.set_overlay(overlay, False)
    assert np.array_equal(pixels(grid), before)


def test_while_playing_the_bones_come_drawn_into_the_frames_where_the_paused_grid_paints_them(
        small_session: Session, grid_on, qtbot):
    prefetcher = FramePrefetcher(small_session, decode_in_child=False)
    asked = []

    def frames(take_id: str, frame: int, sizes, overlays):
        asked.append(overlays)
        return prefetcher.frames(take_id, frame, sizes, overlays)

    try:
        grid, state = grid_on(small_session, "take1", frames)
        grid.resize(400, 200)                   # tiles smaller than the frames: each decoded at its tile's size
        all_overlays(state, False)
        state.seek(3)
        tile = geometry_of(grid, state, 0).image.adjusted(3, 3, -3, -3)   # inside the border (smooth when paused)
        region = (slice(int(tile.top()), int(tile.bottom())), slice(int(tile.left()), int(tile.right())))
        bare = pixels(grid)[region]
        state.set_overlay("bones", True)
        paused = pixels(grid)[region]
        state.set_playing(True)                 # no playback driver: the frame stays, only the drawing changes
        playing = pixels(grid)[region]
        with qtbot.waitSignal(grid.frame_presented, timeout=2000):   # pausing repaints the frame at once
            state.set_playing(False)
        assert asked[-1] is None and any(overlays is not None and overlays.bones for overlays in asked)
        painted, drawn_in = np.any(paused != bare, axis=-1), np.any(playing != bare, axis=-1)
        assert painted.sum() > 30 and drawn_in.sum() > 30
        assert (painted & drawn_in).sum() / (painted | drawn_in).sum() > 0.5   # the same bones, the same places
    finally:
        prefetcher.close()


def test_while_playing_the_grid_does_not_paint_the_overlays_it_asked_the_frames_to_carry(
        small_session: Session, grid_on):
    prefetcher = FramePrefetcher(small_session, decode_in_child=False)
    try:            # a source that ignores the overlays asked for: whatever shows of them, the grid painted
        grid, state = grid_on(small_session, "take1",
                              lambda take_id, frame, sizes, _overlays: prefetcher.frames(take_id, frame, sizes))
        grid.resize(400, 200)
        all_overlays(state, False)
        state.seek(3)
        state.set_playing(True)
        bare = pixels(grid)
        state.set_overlay("bones", True)
        assert np.array_equal(pixels(grid), bare)
        state.set_playing(False)                # paused, the grid paints them itself
        assert not np.array_equal(pixels(grid), bare)
    finally:
        prefetcher.close()


def test_views_without_video_draw_the_skeleton(small_session: Session, grid_on):
    grid, state = grid_on(small_session, "take1")
    all_overlays(state, False)
    state.seek(4)
    shown = pixels(grid)
    background = np.array(NO_VIDEO_BACKGROUND.getRgb()[:3])
    for view in (0, 6):
        points = geometry_of(grid, state, view).map(state.take.pose2d[view, 4, :, :2])
        inside = [(int(y), int(x)) for x, y in points if np.isfinite([x, y]).all()]
        colours = np.array([shown[y, x] for y, x in inside])
        if view < VIDEO_VIEWS:
            assert np.all(colours == 4)  # overlays are off: the video shows through
        else:
            assert np.mean(np.any(colours != background, axis=-1)) > 0.9


def test_selected_joint_draws_the_error_line_between_detection_and_reprojection(small_session: Session, grid_on):
    grid, state = grid_on(small_session, "take1")
    take = state.take
    joint, frame = take.skeleton.index("left_wrist"), 6
    pose2d = take.pose2d.copy()
    pose2d[0, frame, joint, :2] = take.reprojected[0, frame, joint] + (30.0, 0.0)  # a 30 px detection error
    errors = np.linalg.norm(take.reprojected - pose2d[..., :2], axis=-1)
    state.set_take(dataclasses.replace(take, pose2d=pose2d, errors=errors))
    all_overlays(state, False)
    state.seek(frame)
    state.select_view("cam1")
    before = pixels(grid)
    state.select_joint(joint)
    after = pixels(grid)
    geometry = geometry_of(grid, state, 0)
    detection, reprojection = geometry.map(pose2d[0, frame, joint, :2]), geometry.map(take.reprojected[0, frame, joint])
    x, y = ((detection + reprojection) / 2).astype(int)
    assert np.any(before[y - 1:y + 2, x - 1:x + 2] != after[y - 1:y + 2, x - 1:x + 2])
    red = after[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3)
    assert np.any((red[:, 0] > 200) & (red[:, 1] < 100))  # 30 px is a bad error: the line is red
    other = geometry_of(grid, state, 1)
    ox, oy = other.map(take.reprojected[1, frame, joint]).astype(int)
    assert np.array_equal(before[oy - 6:oy + 7, ox - 6:ox + 7], after[oy - 6:oy + 7, ox - 6:ox + 7])


def test_an_unreadable_frame_is_reported_on_the_tiles(small_session: Session, grid_on):
    def broken(take_id: str, frame: int, _sizes, _overlays):
        raise SessionFormatError("small.h5", f"/takes/{take_id}/video/cam1", f"frame {frame} cannot be read")

    grid, state = grid_on(small_session, "take1", broken)
    state.seek(2)
    shown = pixels(grid)
    assert grid.displayed_frames() == [2] * 8
    image = geometry_of(grid, state, 0).image
    assert tuple(shown[int(image.top()) + 40, int(image.left()) + 4]) == NO_VIDEO_BACKGROUND.getRgb()[:3]


def test_an_empty_grid_paints_without_a_take(qtbot):
    grid = VideoGrid(ViewerState(), lambda take_id, frame, _sizes, _overlays: [])
    qtbot.addWidget(grid)
    grid.resize(400, 200)
    shown = pixels(grid)
    assert grid.displayed_frames() == [] and grid.tile_rects() == []
    assert np.any(shown != shown[0, 0])  # the hint text is drawn
