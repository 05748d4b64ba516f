"""A board recording: one video file or one image folder per camera, and the board found in it.

Frames with the same index are simultaneous across cameras. Videos are decoded
with PyAV (:mod:`analysis.detection.video_frames`), images read with OpenCV in
natural file-name order (``2.png`` before ``10.png``); a camera is named after
its video file (without suffix) or its image folder.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from analysis.detection.video_frames import decode_frames, find_view_videos
from analysis.geometry.board import BoardDetector, BoardSpec, BoardView
from analysis.geometry.keypoints_io import natural_key

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
    """Where one camera's frames come from: a video file or a folder of images.

    Attributes
    ----------
    name : str
    path : Path
    frame_count : int
        Frames in the video (as its container declares; 0 when unknown) or images in the folder.
    """

    name: str
    path: Path
    frame_count: int

    def frames(self, every: int) -> Iterator[tuple[int, np.ndarray]]:
        """Yield ``(index, gray)`` for every ``every``-th frame; gray (H, W) uint8.

        Raises
        ------
        ValueError
            Naming the file that cannot be decoded.
        """
        if self.path.is_file():
            for index, image in decode_frames(self.path, every):
                yield index, cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            return
        for index, path in enumerate(_images(self.path)):
            if index % every == 0:
                gray = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
                if gray is None:
                    raise ValueError(f"{path}: not a readable image")
                yield index, gray

    def frame(self, index: int) -> np.ndarray:
        """Frame ``index`` as gray (H, W) uint8 (a video is decoded up to it).

        Raises
        ------
        ValueError
            Naming the file when the frame cannot be read or is not there.
        """
        if self.path.is_file():
            earlier = frozenset(range(index))
            for found, image in decode_frames(self.path, skip=earlier):
                if found == index:
                    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        else:
            images = _images(self.path)
            if index < len(images):
                gray = cv2.imread(str(images[index]), cv2.IMREAD_GRAYSCALE)
                if gray is not None:
                    return gray
                raise ValueError(f"{images[index]}: not a readable image")
        raise ValueError(f"{self.path}: has no frame {index}")


def _images(folder: Path) -> list[Path]:
    return sorted((p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")),
                  key=lambda p: natural_key(p.name))


def find_sources(folder: str | Path, videos: bool) -> list[CameraSource]:
    """The cameras of a recording folder, in natural name order.

    Parameters
    ----------
    folder : str or Path
        Holds one video file per camera (``videos``) or one image folder per camera.
    videos : bool

    Raises
    ------
    FileNotFoundError, ValueError
        When the folder is missing, holds an unreadable video, an image folder
        without images, or fewer than two cameras.
    """
    folder = Path(folder)
    if videos:
        sources = [CameraSource(v.view, v.path, v.n_frames) for v in find_view_videos(folder)]
        what = "video file"
    else:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder}: image folder not found")
        sources = [CameraSource(p.name, p, len(_images(p)))
                   for p in sorted(folder.iterdir(), key=lambda p: natural_key(p.name))
                   if p.is_dir() and not p.name.startswith(".")]
        what = "image folder"
        for source in sources:
            if source.frame_count == 0:
                raise ValueError(f"{source.path}: no images ({', '.join(IMAGE_SUFFIXES)})")
    if len(sources) < 2:
        raise ValueError(f"{folder}: a rig needs one {what} per camera and at least 2 cameras; found {len(sources)}")
    return sources


def default_every(sources: list[CameraSource], frames_per_camera: int = DEFAULT_FRAMES_PER_CAMERA) -> int:
    """The frame step that examines about ``frames_per_camera`` frames of the longest camera."""
    longest = max(source.frame_count for source in sources)
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
    total = sum(math.ceil(source.frame_count / every) for source in sources)
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
