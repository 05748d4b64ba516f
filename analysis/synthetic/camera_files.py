"""Camera files for demo and test sessions: frames encoded with PyAV (FFmpeg), e.g. H.264 or MJPEG."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def write_camera_file(path: Path, frames: Iterable[np.ndarray], fps: float, codec: str = "libx264",
                      pixel_format: str = "yuv420p", options: dict[str, str] | None = None) -> Path:
    """Encode BGR uint8 frames ``(H, W, 3)`` (all of one size) into a video file.

    Parameters
    ----------
    path : Path
        The file; its extension chooses the container (``.mp4``, ``.mkv``, ``.avi``...).
    frames : iterable of ndarray
    fps : float
        Frames per second of the stream.
    codec : str
        FFmpeg encoder: ``libx264`` (with B-frames by default), ``mjpeg`` (use
        ``pixel_format="yuvj420p"``), ...
    pixel_format : str
    options : dict of str to str, optional
        Encoder options, e.g. ``{"g": "12", "bf": "2"}`` for a keyframe every 12 frames.

    Returns
    -------
    Path
    """
    with av.open(str(path), "w") as container:
        stream = None
        for image in frames:
            if stream is None:
                stream = container.add_stream(codec, rate=Fraction(fps).limit_denominator(1001))
                stream.height, stream.width = image.shape[:2]
                stream.pix_fmt = pixel_format
                stream.options = dict(options or {})
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        if stream is not None:
            container.mux(stream.encode())
    return path

