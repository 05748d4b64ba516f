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

    A codec that cannot open is expected here, not an error: OpenCV's log is
    silenced and FFmpeg's messages on the process's stderr are discarded meanwhile.
    """
    log_level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        with _stderr_discarded():
            return _probe_codecs(preference)
    finally:
        cv2.utils.logging.setLogLevel(log_level)


@contextmanager
def _stderr_discarded() -> Iterator[None]:
    """Point file descriptor 2 at the null device (FFmpeg writes there directly, bypassing Python)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


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
