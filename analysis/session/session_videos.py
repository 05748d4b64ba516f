"""A session's camera files, referenced in place: where they are, what they hold, their frames.

The reader hands every scalar ``video/<view>`` entry to :class:`SessionVideos`
while it opens a session. Paths are checked at once (a stat, nothing is
read); the files' headers are read only when their description or the
warnings about them are asked for, and frames only when they are asked for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.session.video_file import (
    VideoFileFrames,
    VideoInfo,
    VideoUnreadable,
    probe_video,
)
from analysis.session.video_paths import (
    VideoFileMissing,
    VideoPathRefused,
    locate_video,
)

ViewKey = tuple[str, str]
#: Clocks that drift apart by this many frames over a take are reported.
_DRIFT_REPORTED_FRAMES = 0.5


@dataclass(frozen=True)
class VideoReference:
    """What a session says about one view's camera file.

    Attributes
    ----------
    take_id, view : str
    entry : str
        The dataset inside the session file, e.g. ``/takes/t1/video/cam1``.
    relative : str
        The stored path, relative to the session's folder.
    frame_offset : int
        Frame ``i`` of the take is frame ``frame_offset + i`` of the file.
    n_frames : int
        Frames in the take.
    camera_size : tuple of int
        ``(width, height)`` in pixels the camera is calibrated for.
    """

    take_id: str
    view: str
    entry: str
    relative: str
    frame_offset: int
    n_frames: int
    camera_size: tuple[int, int]


class SessionVideos:
    """The referenced camera files of one open session; thread-safe.

    Parameters
    ----------
    session_path : Path
        The ``.h5`` file; stored paths resolve inside its folder.
    fps : float
        The session's frame rate, which the files are compared with.
    video_root : Path, optional
        A folder chosen by the user where the files are looked for instead
        (see :func:`analysis.session.video_paths.locate_video`).
    """

    def __init__(self, session_path: Path, fps: float, video_root: Path | None = None) -> None:
        self._session_path = session_path
        self._folder = session_path.absolute().parent
        self._fps = fps
        self._video_root = None if video_root is None else Path(video_root).absolute()
        self._lock = threading.Lock()
        self._references: dict[ViewKey, VideoReference] = {}
        self._paths: dict[ViewKey, Path] = {}
        self._missing: dict[ViewKey, Path] = {}
        self._refused: dict[ViewKey, str] = {}
        self._probed: dict[Path, VideoInfo | str] = {}
        self._decoders: dict[Path, VideoFileFrames] = {}
        self._file_warnings: list[str] | None = None

    def add(self, reference: VideoReference) -> str | None:
        """Record a view's file reference; returns a warning when its file is missing or refused."""
        key = (reference.take_id, reference.view)
        self._references[key] = reference
        try:
            self._paths[key] = locate_video(reference.relative, self._folder, self._video_root)
        except VideoFileMissing as missing:
            self._missing[key] = missing.looked_for
            return self._warning(reference, f"video file not found: {missing.looked_for}; showing poses only")
        except VideoPathRefused as refused:
            self._refused[key] = str(refused)
            return self._warning(reference, f"video path {reference.relative!r} refused: {refused}; showing poses only")
        return None

    def __contains__(self, key: ViewKey) -> bool:
        return key in self._references

    def missing(self) -> dict[ViewKey, Path]:
        """``(take_id, view) -> path looked for`` of every file that was not found."""
        return dict(self._missing)

    def refused(self) -> dict[ViewKey, str]:
        """``(take_id, view) -> reason`` of every stored path that was refused."""
        return dict(self._refused)

    def info(self, key: ViewKey) -> VideoInfo | None:
        """The header of the view's file; None when it is missing, refused or unreadable."""
        path = self._paths.get(key)
        if path is None:
            return None
        probed = self._probe(path)
        return probed if isinstance(probed, VideoInfo) else None

    def frame(self, key: ViewKey, index: int) -> np.ndarray | None:
        """Frame ``index`` of the take from the view's file, BGR uint8 ``(H, W, 3)``.

        None when the view has no usable file or the file ends before that frame.
        """
        path = self._paths.get(key)
        if path is None:
            return None
        with self._lock:
            decoder = self._decoders.get(path)
            if decoder is None:
                decoder = self._decoders[path] = VideoFileFrames(path)
        return decoder.decode(self._references[key].frame_offset + index)

    def file_warnings(self) -> list[str]:
        """How the found files disagree with the session (read from their headers once)."""
        if self._file_warnings is None:
            warnings = []
            for key, path in self._paths.items():
                warnings.extend(self._compare(self._references[key], path))
            self._file_warnings = warnings
        return list(self._file_warnings)

    def close(self) -> None:
        """Close every open file."""
        with self._lock:
            for decoder in self._decoders.values():
                decoder.close()
            self._decoders.clear()

    # ---------------------------------------------------------------- private
    def _probe(self, path: Path) -> VideoInfo | str:
        """The file's header, or why it cannot be read; read once (outside the lock: it may take a while)."""
        probed = self._probed.get(path)
        if probed is None:
            try:
                probed = probe_video(path)
            except VideoUnreadable as error:
                probed = str(error)
            self._probed[path] = probed
        return probed

    def _warning(self, reference: VideoReference, problem: str) -> str:
        return f"{self._session_path}: {reference.entry}: {problem}"

    def _compare(self, reference: VideoReference, path: Path) -> list[str]:
        """Warnings about one file: unreadable, another frame rate, too short, another size."""
        info = self._probe(path)
        if not isinstance(info, VideoInfo):
            return [self._warning(reference, f"{path} cannot be read as video ({info}); showing poses only")]
        problems = []
        last = reference.n_frames - 1
        drift_s = last * abs(1.0 / info.frame_rate - 1.0 / self._fps) if np.isfinite(info.frame_rate) else 0.0
        if drift_s * self._fps >= _DRIFT_REPORTED_FRAMES:
            problems.append(f"{path} runs at {info.frame_rate:g} fps but the session at {self._fps:g} fps: frames are "
                            f"paired by index, so at the take's last frame video and poses are {drift_s:.2f} s apart")
        needed = reference.frame_offset + reference.n_frames
        if info.frame_count < needed:
            without = reference.n_frames - max(0, info.frame_count - reference.frame_offset)
            problems.append(f"{path} has {info.frame_count} frames but the take needs {needed} (frame_offset "
                            f"{reference.frame_offset} + {reference.n_frames} frames): the last {without} show poses only")
        if (info.width, info.height) != reference.camera_size:
            width, height = reference.camera_size
            problems.append(f"{path} is {info.width}x{info.height} pixels but camera {reference.view!r} is calibrated "
                            f"for {width}x{height}: the 2D overlays will not line up")
        return [self._warning(reference, problem) for problem in problems]
