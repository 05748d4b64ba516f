"""The video grid asks for each view at the size it shows it, and a frame scaled so shows its picture in place."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from analysis.render.frame_fit import NOT_SHOWN
from analysis.session.reader import Session
from app.gui.frame_prefetch import FramePrefetcher
from tests.helpers import widget_pixels as pixels
from viewer.model.state import ViewerState
from viewer.widgets.tile_zoom import TileZoom
from viewer.widgets.video_grid import VideoGrid


def image_sizes(grid: VideoGrid, state: ViewerState) -> list[tuple[int, int]]:
    return [(int(geometry.image.width()), int(geometry.image.height()))
            for geometry in (grid.tile_geometry(view) for view in state.take.view_names)]


def test_each_view_is_asked_for_at_its_image_size(small_session: Session, grid_on):
    asked = []

    def frames(take_id: str, frame: int, sizes, _overlays):
        asked.append(sizes)
        return small_session.frames(take_id, frame)

    grid, state = grid_on(small_session, "take1", frames)
    grid.resize(400, 200)                                    # tiles smaller than the 160x90 frames
    state.seek(3)
    pixels(grid)
    sizes = image_sizes(grid, state)
    assert list(asked[-1]) == sizes
    grid.set_zoom("cam2", TileZoom(factor=2.0, centre=(80.0, 45.0)))
    pixels(grid)
    assert list(asked[-1]) == [sizes[0], None, *sizes[2:]]     # a zoomed view at full size
    grid.show_single("cam3")
    pixels(grid)
    assert asked[-1][2] is None                              # larger than the frame: Qt scales it up
    assert [size for index, size in enumerate(asked[-1]) if index != 2] == [NOT_SHOWN] * 7


def test_a_tile_shows_the_frame_scaled_in_the_decode_thread_in_place(synthetic_session_file: Path, grid_on):
    with Session.open(synthetic_session_file) as session:
        prefetcher = FramePrefetcher(session)
        try:
            take_id = session.take_ids[0]
            grid, state = grid_on(session, take_id, prefetcher.frames)
            for name in state.overlays:
                state.set_overlay(name, False)
            state.seek(state.n_frames // 2)
            shown = pixels(grid)
            full = session.frames(take_id, state.frame)
        finally:
            prefetcher.close()
    for view in (0, 5):
        image = grid.tile_geometry(state.take.view_names[view]).image
        left, top, width, height = (int(value) for value in (image.left(), image.top(), image.width(), image.height()))
        assert (width, height) < (640, 360)
        expected = cv2.cvtColor(cv2.resize(full[view], (width, height), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
        below_caption = slice(40, height - 2)                # clear of the caption and the enlarge button
        tile = shown[top:top + height, left:left + width][below_caption].astype(float)
        in_place = np.abs(tile - expected[below_caption]).mean()
        shifted = np.abs(tile - np.roll(expected, 3, axis=1)[below_caption]).mean()
        assert in_place < 4.0 and shifted > 1.5 * in_place
