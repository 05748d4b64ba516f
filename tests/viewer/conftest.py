"""Fixtures of the viewer tests: a small session and a video grid showing one of its takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.render.grid_overlays import draw_grid_overlays
from analysis.session.reader import Session
from analysis.session.writer import write_session
from tests.helpers import SMALL_VIDEO_VIEWS, make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.widgets.video_grid import VideoGrid


@pytest.fixture
def small_session(tmp_path: Path):
    path = write_session(tmp_path / "small.h5", make_session_data(video_views=SMALL_VIDEO_VIEWS))
    with Session.open(path) as session:
        yield session


def frames_with_overlays(session: Session):
    """A grid's frames source on ``session``: full-size frames, the overlays asked for drawn in."""

    def frames(take_id: str, frame: int, sizes, overlays):
        images = session.frames(take_id, frame)
        return images if overlays is None else draw_grid_overlays(images, sizes, frame, overlays)

    return frames


@pytest.fixture
def grid_on(qtbot):
    """Make a shown 800x400 grid on a state with ``take`` of ``session`` open."""

    def make(session: Session, take_id: str, frames=None) -> tuple[VideoGrid, ViewerState]:
        state = ViewerState()
        state.set_session(session)
        state.set_take(load_take_bundle(session, take_id))
        grid = VideoGrid(state, frames or frames_with_overlays(session))
        qtbot.addWidget(grid)
        grid.resize(800, 400)
        grid.show()
        qtbot.waitExposed(grid)
        return grid, state

    return make
