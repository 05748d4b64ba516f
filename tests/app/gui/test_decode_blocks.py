"""The decoding process reads a take's embedded frames a block at a time: the same bytes, bounded, and a
bad block falls back to the frame asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from analysis.session.writer import write_session
from app.gui.decode_process import READ_BLOCK, EncodedBlocks
from tests.helpers import make_session_data


@pytest.fixture
def session(tmp_path: Path):
    path = write_session(tmp_path / "blocks.h5", make_session_data(n_frames=2 * READ_BLOCK + 3, video_views=3))
    with Session.open(path) as opened:
        yield opened


def test_blocks_give_the_bytes_of_each_frame_across_block_ends_and_takes(session: Session):
    blocks = EncodedBlocks(session)
    n_frames = session.take("take1").n_frames
    order = [0, READ_BLOCK - 1, READ_BLOCK, n_frames - 1, 1, n_frames - 2, READ_BLOCK + 1]
    for take_id in ("take1", "take2", "take1"):
        for frame in order:
            for view in session.view_names:
                expected = session.encoded_frame(take_id, view, frame)
                got = blocks.encoded_frame(take_id, view, frame)
                assert (got is None) == (expected is None)          # views without video: None
                if expected is not None:
                    np.testing.assert_array_equal(got, expected)
    assert len(blocks._blocks) <= 2 * len(session.view_names)   # a bounded number of blocks is held


def test_a_block_that_cannot_be_read_is_read_frame_by_frame(session: Session, monkeypatch):
    read = session.encoded_frames

    def broken(take_id: str, view: str, start: int, stop: int):     # another frame of the block is damaged
        if stop - start > 1:
            raise SessionFormatError(session.path, f"/takes/{take_id}/video/{view}", f"frames {start}-{stop - 1} cannot be read")
        return read(take_id, view, start, stop)

    monkeypatch.setattr(session, "encoded_frames", broken)
    blocks = EncodedBlocks(session)
    frame = blocks.encoded_frame("take1", "cam1", 3)
    np.testing.assert_array_equal(frame, session.encoded_frame("take1", "cam1", 3))
