"""A board recording: one video file or one image folder per camera, and the board found in it.

Frames with the same index are simultaneous across cameras. Videos are decoded
with PyAV, images read with OpenCV in file-name order; a camera is named after
its file (without suffix) or folder.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import av
import cv2
import numpy as np

from analysis.geometry.board import BoardDetector, BoardSpec, BoardView

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg", ".mts", ".wmv")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff")

#: Frames per camera the default ``every`` aims to examine.
DEFAULT_FRAMES_PER_CAMERA = 300

#: ``progress(stage, done, total)``: a stage name and counts of its work.
Progress = Callable[[str, int, int], None]
#: ``cancel()``: True to stop the work at the next check.
CancelCheck = Callable[[], bool]


class CalibrationCancelled(Exception):
    """Raised when the caller's cancel check asked to stop."""


def check_cancel(cancel: CancelCheck | None) -> None:
    """Raise :class:`CalibrationCancelled` when ``cancel`` says so."""
    if cancel is not None and cancel():
        raise CalibrationCancelled("calibration cancelled")


@dataclass(frozen=True)
class CameraSource:
    """Where one camera's frames come from: a video file or a folder of images."""

    name: str
    path: Path

    @property
    def is_video(self) -> bool:
        return self.path.is_file()

    def _images(self) -> list[Path]:
        return sorted(p for p in self.path.iterdir()
                      if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))

    def frame_count(self) -> int:
        """Number of frames (a video's may be estimated from its duration)."""
        if not self.is_video:
            return len(self._images())
        with _open_video(self.path) as container:
            stream = container.streams.video[0]
            if stream.frames:
                return int(stream.frames)
            if stream.duration is not None:
                seconds = float(stream.duration * stream.time_base)
            else:
                seconds = (container.duration or 0) / av.time_base
            return math.ceil(seconds * float(stream.average_rate or 0))

    def frames(self, every: int) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(index, gray)`` for every ``every``-th frame; gray (H, W) uint8.

        Raises
        ------
        ValueError
            Naming the file when it cannot be decoded.
        """
        if not self.is_video:
            for index, path in enumerate(self._images()):
                if index % every == 0:
                    yield index, _read_gray(path)
            return
        with _open_video(self.path) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            try:
                for index, frame in enumerate(container.decode(stream)):
                    if index % every == 0:
                        yield index, frame.to_ndarray(format="gray")
            except av.error.FFmpegError as error:
                raise ValueError(f"{self.path}: cannot decode video ({error})") from None


def _open_video(path: Path):
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as error:
        raise ValueError(f"{path}: cannot read video ({error})") from None
    if not container.streams.video:
        container.close()
        raise ValueError(f"{path}: no video stream")
    return container


def _read_gray(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if image is None:
        raise ValueError(f"{path}: not a readable image")
    return image


def find_sources(folder: str | Path, videos: bool) -> list[CameraSource]:
    """The cameras of a recording folder, sorted by name.

    Parameters
    ----------
    folder : str or Path
        Holds one video file per camera (``videos``) or one image folder per camera.
    videos : bool

    Raises
    ------
    ValueError
        When the folder is missing or holds fewer than two cameras.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"{folder}: not a folder")
    entries = sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    if videos:
        sources = [CameraSource(p.stem, p) for p in entries if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES]
        what = f"video files ({', '.join(VIDEO_SUFFIXES)})"
    else:
        sources = [CameraSource(p.name, p) for p in entries if p.is_dir()]
        what = "image folders"
    if len(sources) < 2:
        raise ValueError(f"{folder}: found {len(sources)} {what}; a rig needs one per camera, at least 2")
    names = [s.name for s in sources]
    if len(set(names)) != len(names):
        twice = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(f"{folder}: more than one video per camera name: {', '.join(twice)}")
    for source in sources:
        if not source.is_video and source.frame_count() == 0:
            raise ValueError(f"{source.path}: no images ({', '.join(IMAGE_SUFFIXES)})")
    return sources


def default_every(sources: list[CameraSource], frames_per_camera: int = DEFAULT_FRAMES_PER_CAMERA) -> int:
    """The frame step that examines about ``frames_per_camera`` frames of the longest camera."""
    longest = max(source.frame_count() for source in sources)
    return max(1, math.ceil(longest / frames_per_camera))


@dataclass
class CameraViews:
    """The board views of one camera.

    Attributes
    ----------
    name : str
    path : Path
        The camera's video file or image folder.
    size : (int, int)
        Image width and height, pixels.
    views : dict of int to BoardView
        Frame index to the board found there.
    n_examined : int
        Frames looked at.
    """

    name: str
    path: Path
    size: tuple[int, int] = (0, 0)
    views: dict[int, BoardView] = field(default_factory=dict)
    n_examined: int = 0


def detect_boards(sources: list[CameraSource], spec: BoardSpec, every: int = 1,
                  progress: Progress | None = None, cancel: CancelCheck | None = None) -> list[CameraViews]:
    """Find the board in every ``every``-th frame of each camera.

    Parameters
    ----------
    sources : list of CameraSource
    spec : BoardSpec
    every : int
        Frame step (>= 1).
    progress : callable, optional
        Called as ``progress("detecting", frames_done, frames_total)``.
    cancel : callable, optional
        Checked before each frame; raises :class:`CalibrationCancelled` when it returns True.

    Returns
    -------
    list of CameraViews, in the order of ``sources``.

    Raises
    ------
    ValueError
        Naming the file: unreadable frames, a change of image size, or no board found.
    """
    if every < 1:
        raise ValueError(f"the frame step must be at least 1, got {every}")
    detector = BoardDetector(spec)
    total = sum(math.ceil(source.frame_count() / every) for source in sources)
    done = 0
    cameras = []
    for source in sources:
        camera = CameraViews(source.name, source.path)
        for index, gray in source.frames(every):
            check_cancel(cancel)
            size = (gray.shape[1], gray.shape[0])
            if camera.n_examined and size != camera.size:
                raise ValueError(f"{source.path}: frame {index} is {size[0]}x{size[1]}, "
                                 f"earlier frames are {camera.size[0]}x{camera.size[1]}")
            camera.size = size
            camera.n_examined += 1
            view = detector.detect(gray)
            if view is not None:
                camera.views[index] = view
            done += 1
            if progress is not None:
                progress("detecting", done, max(total, done))
        if not camera.views:
            raise ValueError(f"{source.path}: no {spec.kind} board {spec.cols}x{spec.rows} found "
                             f"in {camera.n_examined} frames (frame step {every})")
        cameras.append(camera)
    return cameras
