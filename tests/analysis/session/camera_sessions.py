"""Builders for sessions that reference camera files: frames that show their own index."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from analysis.session.data import VideoFile
from analysis.session.writer import write_session
from analysis.synthetic.camera_files import write_camera_file
from tests.helpers import make_session_data

WIDTH, HEIGHT = 160, 90
_BITS = 8
_STRIPE = WIDTH // _BITS


def index_frame(index: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """A BGR frame ``(H, W, 3)`` whose vertical stripes spell ``index`` in binary (white = 1)."""
    image = np.zeros((height, width, 3), np.uint8)
    stripe = width // _BITS
    for bit in range(_BITS):
        if index >> bit & 1:
            image[:, bit * stripe:(bit + 1) * stripe] = 255
    return image


def shown_index(image: np.ndarray) -> int:
    """The index a decoded :func:`index_frame` shows (reading each stripe's centre)."""
    stripe = image.shape[1] // _BITS
    centres = [image[:, bit * stripe + stripe // 4:(bit + 1) * stripe - stripe // 4].mean() for bit in range(_BITS)]
    return sum(1 << bit for bit, level in enumerate(centres) if level > 128)


def write_index_video(path: Path, n_frames: int = 48, fps: float = 30.0, codec: str = "libx264",
                      size: tuple[int, int] = (WIDTH, HEIGHT), **options: str) -> Path:
    """A camera file whose frame ``k`` shows ``k``; MJPEG gets its full-range pixel format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = (index_frame(k, *size) for k in range(n_frames))
    pixel_format = "yuvj420p" if codec == "mjpeg" else "yuv420p"
    return write_camera_file(path, frames, fps, codec, pixel_format, options)


def session_with_files(path: Path, files: dict[str, VideoFile], n_frames: int = 40, fps: float = 30.0) -> Path:
    """A one-take session whose views ``files`` reference camera files (160x90 cameras, no embedded video)."""
    data = make_session_data(n_takes=1, n_frames=n_frames, video_views=0)
    take = dataclasses.replace(data.takes[0], video=dict(files))
    return write_session(path, dataclasses.replace(data, fps=fps, takes=[take]))
