"""Raw camera videos, one per view, decoded frame by frame with PyAV."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from analysis.geometry.keypoints_io import natural_key
from analysis.geometry.recording_import import VIDEO_SUFFIXES

_ERRORS = (av.error.FFmpegError, OSError)


@dataclass(frozen=True)
class ViewVideo:
    """One camera's video.

    Attributes
    ----------
    view : str
        The file name without its suffix; names the output folder.
    path : Path
    n_frames : int
        Frames the container declares (or its duration implies); 0 when it says nothing.
    """

    view: str
    path: Path
    n_frames: int


def _reason(error: Exception) -> str:
    return " ".join(str(getattr(error, "strerror", None) or error).split())


def _open(path: Path):
    try:
        container = av.open(str(path))
    except _ERRORS as error:
        raise ValueError(f"{path}: cannot be read as a video ({_reason(error)})") from None
    if not container.streams.video:
        container.close()
        raise ValueError(f"{path}: has no video stream")
    return container


def probe_video(path: Path) -> ViewVideo:
    """Open ``path``, decode its first frame and say how many frames it has.

    Raises
    ------
    ValueError
        Naming the file when it is not a readable video.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        try:
            next(container.decode(stream))
        except StopIteration:
            raise ValueError(f"{path}: has no frames") from None
        except _ERRORS as error:
            raise ValueError(f"{path}: damaged video, its first frame cannot be decoded ({_reason(error)})") from None
        n_frames = stream.frames
        if not n_frames and stream.duration and stream.average_rate:
            n_frames = round(float(stream.duration * stream.time_base * stream.average_rate))
    return ViewVideo(path.stem, path, int(n_frames or 0))


def find_view_videos(folder: Path) -> list[ViewVideo]:
    """Every video in ``folder`` (naturally sorted), each checked to be readable.

    Raises
    ------
    FileNotFoundError, ValueError
        For a missing folder, no videos, two videos of one name, or an unreadable video.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: video folder not found")
    paths = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES),
                   key=lambda p: natural_key(p.name))
    if not paths:
        raise ValueError(f"{folder}: no video files ({', '.join(VIDEO_SUFFIXES)})")
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        twice = sorted({s for s in stems if stems.count(s) > 1})
        raise ValueError(f"{folder}: several videos named {', '.join(twice)}; keep one file per view")
    return [probe_video(path) for path in paths]


def decode_frames(path: Path, every: int = 1, skip: frozenset[int] | set[int] = frozenset()
                  ) -> Iterator[tuple[int, np.ndarray | None]]:
    """(frame index, BGR image (h, w, 3) uint8) of every ``every``-th frame from frame 0.

    Frames in ``skip`` are decoded (the stream is sequential) but come with None
    instead of an image.

    Raises
    ------
    ValueError
        Naming the file and frame where decoding failed.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        index = -1
        try:
            for index, frame in enumerate(container.decode(stream)):
                if index % every:
                    continue
                yield index, None if index in skip else frame.to_ndarray(format="bgr24")
        except _ERRORS as error:
            reason = _reason(error)
            raise ValueError(f"{path}: damaged video, decoding stopped after frame {index} ({reason})") from None
