"""Decoding embedded frames, and reading frames of video files beside a session."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np


class VideoFileFrames:
    """Frames of a video file read with OpenCV; sequential reads avoid seeking."""

    def __init__(self, path: Path, frame_offset: int) -> None:
        self.path = path
        self.frame_offset = frame_offset
        self._capture: cv2.VideoCapture | None = None
        self._next_index = -1
        self._lock = threading.Lock()

    def decode(self, index: int) -> np.ndarray | None:
        """Frame ``index`` of the take (``frame_offset + index`` of the file), BGR, or None."""
        with self._lock:
            if self._capture is None:
                self._capture = cv2.VideoCapture(str(self.path))
            if index != self._next_index:
                self._capture.set(cv2.CAP_PROP_POS_FRAMES, self.frame_offset + index)
            ok, image = self._capture.read()
            self._next_index = index + 1 if ok else -1
            return image if ok else None

    def close(self) -> None:
        with self._lock:
            if self._capture is not None:
                self._capture.release()
                self._capture = None


def decode_image(encoded: np.ndarray) -> np.ndarray | None:
    """Decode JPEG/PNG bytes ``(n,)`` uint8 into BGR ``(H, W, 3)``; None if undecodable."""
    if encoded is None or len(encoded) == 0:
        return None
    return cv2.imdecode(np.asarray(encoded, dtype=np.uint8), cv2.IMREAD_COLOR)
