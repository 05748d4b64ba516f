"""Which MP4 codec this OpenCV can write, probed once."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

#: Codecs tried, best first: H.264, then MPEG-4 Part 2 (always in OpenCV's wheels).
CODEC_PREFERENCE: tuple[str, ...] = ("avc1", "mp4v")


@lru_cache(maxsize=None)
def available_codec(preference: tuple[str, ...] = CODEC_PREFERENCE) -> str:
    """The first FourCC of ``preference`` that this OpenCV can write into an ``.mp4`` (probed once).

    A codec that cannot open is expected here, not an error: OpenCV's and
    FFmpeg's messages are discarded meanwhile (:func:`quiet_video_libraries`).
    """
    with quiet_video_libraries():
        return _probe_codecs(preference)


@contextmanager
def quiet_video_libraries() -> Iterator[None]:
    """Silence OpenCV's log and point file descriptor 2 at the null device (FFmpeg writes there
    directly, bypassing Python): for opening a writer whose failure is reported otherwise."""
    log_level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        cv2.utils.logging.setLogLevel(log_level)


def _probe_codecs(preference: tuple[str, ...]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        for codec in preference:
            probe = Path(folder) / f"probe_{codec}.mp4"
            writer = cv2.VideoWriter(str(probe), cv2.VideoWriter_fourcc(*codec), 30.0, (64, 64))
            try:
                if writer.isOpened():
                    writer.write(np.zeros((64, 64, 3), np.uint8))
                    return codec
            finally:
                writer.release()
    raise ValueError(f"OpenCV cannot write MP4 with any of {', '.join(preference)}")
