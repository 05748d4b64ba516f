"""MP4 through PyAV: H.264 by default, MPEG-4 Part 2 on request, yuv420p, even dimensions."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from analysis.render.video_writer import Mp4Writer, frame_rate
from tests.helpers import read_video


def _gradient(width: int, height: int, shift: int) -> np.ndarray:
    x = np.linspace(0, 255, width)[None, :, None]
    y = np.linspace(0, 255, height)[:, None, None]
    return np.broadcast_to((x + y) / 2 + shift, (height, width, 3)).clip(0, 255).astype(np.uint8).copy()


@pytest.mark.parametrize(("codec", "decoder"), [("h264", "h264"), ("mp4v", "mpeg4")])
def test_every_frame_is_written_in_yuv420p_and_decodes(tmp_path, codec, decoder):
    out = tmp_path / "clip.video"      # the container is MP4 whatever the name says
    with Mp4Writer(out, 25.0, (96, 64), codec) as writer:
        for k in range(9):
            writer.write(_gradient(96, 64, 10 * k))
    name, frames = read_video(out)
    assert name == decoder and len(frames) == 9
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert container.format.name.startswith("mov,mp4")
        assert stream.codec_context.pix_fmt == "yuv420p" and stream.average_rate == 25
    assert np.abs(frames[4].astype(int) - _gradient(96, 64, 40)).mean() < 4


def test_odd_sizes_are_padded_to_even_ones(tmp_path):
    out = tmp_path / "odd.mp4"
    with Mp4Writer(out, 30.0, (101, 57)) as writer:
        writer.write(_gradient(101, 57, 0))
        with pytest.raises(ValueError, match="frames must be 57 x 101 x 3 uint8"):
            writer.write(np.zeros((56, 100, 3), np.uint8))
    _, frames = read_video(out)
    assert frames[0].shape == (58, 102, 3)


def test_frame_rates_become_exact_fractions():
    assert frame_rate(30000 / 1001) == Fraction(30000, 1001)
    assert frame_rate(50.0) == 50
    with pytest.raises(ValueError, match="positive"):
        frame_rate(0.0)
    with pytest.raises(ValueError, match="unknown video codec 'avc1'; expected one of h264, mp4v"):
        Mp4Writer("unused.mp4", 30.0, (64, 64), "avc1")
