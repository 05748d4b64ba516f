"""Videos the detection tests render: people as coloured rectangles that the tiny models find."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

from tests.analysis.detection.tiny_models import COLOURS_BGR, LAYOUT

BACKGROUND = 40


def render_frames(size: tuple[int, int], boxes: dict[int, np.ndarray]) -> list[np.ndarray]:
    """BGR frames (h, w, 3) uint8 showing each person as a filled rectangle.

    Parameters
    ----------
    size : (width, height)
    boxes : dict
        Colour index (into :data:`COLOURS_BGR`) -> (T, 4) int boxes x1, y1, x2, y2 (inclusive
        pixels); a row of -1 hides that person in that frame.
    """
    width, height = size
    n_frames = len(next(iter(boxes.values())))
    frames = []
    for t in range(n_frames):
        image = np.full((height, width, 3), BACKGROUND, np.uint8)
        for colour, track in boxes.items():
            x1, y1, x2, y2 = (int(v) for v in track[t])
            if x1 >= 0:
                cv2.rectangle(image, (x1, y1), (x2, y2), COLOURS_BGR[colour], thickness=-1)
        frames.append(image)
    return frames


def write_video(path: Path, frames: list[np.ndarray], fps: int = 25) -> Path:
    """An H.264 MP4 of ``frames`` (nearly lossless, so colours and edges survive)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "4"})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def keypoints_in(box: np.ndarray) -> np.ndarray:
    """Where the tiny models put the keypoints (K, 2) of a person drawn as ``box`` (x1, y1, x2, y2 inclusive)."""
    x1, y1, x2, y2 = np.asarray(box, np.float64)
    start = np.array([x1, y1]) - 0.5
    return start + LAYOUT * np.array([x2 - x1 + 1, y2 - y1 + 1])


def walking_boxes(n_frames: int, start: tuple[int, int], step: int, size: tuple[int, int]) -> np.ndarray:
    """(T, 4) boxes of a person of ``size`` (w, h) moving ``step`` pixels right per frame from ``start``."""
    x = start[0] + step * np.arange(n_frames)
    width, height = size
    return np.stack([x, np.full(n_frames, start[1]), x + width - 1, np.full(n_frames, start[1] + height - 1)], axis=1)
