"""Frames of a camera file read in place with PyAV (FFmpeg), frame-accurate.

Frame ``k`` of a file is the ``k``-th frame in presentation order. On first
use the file's packets are read once (demuxed, not decoded) to list their
presentation timestamps; frame ``k`` is then the frame with the ``k``-th
smallest timestamp, which holds for variable frame rates and B-frames alike.
A random access seeks to the keyframe at or before the wanted frame and
decodes forward to its exact timestamp; a read of the next frame (or of a
frame a little further on, before the next keyframe) continues decoding
without seeking. Streams whose packets carry no timestamps (raw ``.h264``
files) are counted frame by frame from the start instead.

Only container formats that hold their own frames are opened, and only
through FFmpeg's ``file`` protocol: playlists (HLS), concat lists and image
sequences, which would make FFmpeg read other files, are refused.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from analysis.session.video_source import MAX_FRAME_PIXELS

log = logging.getLogger(__name__)

#: FFmpeg demuxers allowed to open camera files: containers and raw streams, no playlists or lists.
ALLOWED_DEMUXERS = (
    "mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm", "avi", "mpegts", "mpeg", "mxf", "flv",
    "asf", "nut", "dv", "ogg", "ivf", "h264", "hevc", "mjpeg", "m4v", "mpegvideo",
)
_CONTAINER_OPTIONS = {"format_whitelist": ",".join(ALLOWED_DEMUXERS), "protocol_whitelist": "file"}
_DECODE_ERRORS = (av.FFmpegError, OSError, ValueError)
#: FFmpeg threads per file: the views of a session decode side by side, so more would only buffer more frames.
_DECODE_THREADS = min(4, os.cpu_count() or 1)


class _LandedPast(Exception):
    """Seeking to keyframe ``key`` went past the wanted frame."""

    def __init__(self, key: int) -> None:
        super().__init__(key)
        self.key = key


class VideoUnreadable(Exception):
    """A camera file that cannot be read as video; the message says why."""


@dataclass(frozen=True)
class VideoInfo:
    """What a camera file's header says about its video stream.

    Attributes
    ----------
    codec : str
        FFmpeg's decoder name (``h264``, ``hevc``, ``prores``, ``mjpeg``...).
    width, height : int
        Frame size in pixels.
    frame_rate : float
        Average frames per second; NaN when the file does not say.
    frame_count : int
        Frames in the file (from its header; counted when the header lacks it).
    """

    codec: str
    width: int
    height: int
    frame_rate: float
    frame_count: int


def open_video(path: Path) -> tuple[av.container.InputContainer, av.video.stream.VideoStream]:
    """Open ``path`` with the allowed demuxers only and return it with its first video stream.

    Raises
    ------
    VideoUnreadable
        If FFmpeg cannot open it, it has no video stream, or its frames exceed
        :data:`~analysis.session.video_source.MAX_FRAME_PIXELS`.
    """
    try:
        container = av.open(str(path), container_options=_CONTAINER_OPTIONS)
    except _DECODE_ERRORS as error:
        raise VideoUnreadable(f"FFmpeg cannot open it: {error}") from None
    if not container.streams.video:
        container.close()
        raise VideoUnreadable("it holds no video stream")
    stream = container.streams.video[0]
    if not 0 < stream.width * stream.height <= MAX_FRAME_PIXELS:
        container.close()
        raise VideoUnreadable(f"frames of {stream.width}x{stream.height} pixels are outside 1..{MAX_FRAME_PIXELS}")
    stream.codec_context.options = {"max_pixels": str(MAX_FRAME_PIXELS)}
    stream.thread_type = "AUTO"
    stream.codec_context.thread_count = _DECODE_THREADS
    return container, stream


def probe_video(path: Path) -> VideoInfo:
    """Read a camera file's header (and count its packets when the header has no frame count).

    Raises
    ------
    VideoUnreadable
    """
    container, stream = open_video(path)
    try:
        count = stream.frames or sum(1 for packet in container.demux(stream) if packet.size)
        rate = stream.average_rate or stream.guessed_rate
        return VideoInfo(stream.codec_context.name, stream.width, stream.height,
                         float(rate) if rate else float("nan"), int(count))
    except _DECODE_ERRORS as error:
        raise VideoUnreadable(f"its packets cannot be read: {error}") from None
    finally:
        container.close()


@dataclass(frozen=True)
class _FrameIndex:
    """Presentation timestamps ``(N,)`` int64, sorted, or None when the stream has none,
    and the presentation ranks of the keyframes ``(K,)`` int64, sorted, starting with 0."""

    count: int
    pts: np.ndarray | None
    key_ranks: np.ndarray

    @classmethod
    def build(cls, container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> "_FrameIndex":
        packets = []
        try:
            packets.extend((packet.pts, packet.is_keyframe) for packet in container.demux(stream) if packet.size)
        except _DECODE_ERRORS as error:  # a damaged file: the frames after the damage count as past its end
            log.warning("%s: frames after the %d-th cannot be read (%s)", container.name, len(packets), error)
        if not packets or any(pts is None for pts, _ in packets):
            return cls(len(packets), None, np.zeros(1, np.int64))
        pts = np.sort(np.array([pts for pts, _ in packets], np.int64))
        key_ranks = np.searchsorted(pts, [pts for pts, key in packets if key])
        return cls(len(packets), pts, np.union1d([0], key_ranks).astype(np.int64))

    def rank_of(self, pts: int) -> int:
        """Presentation rank of the frame with timestamp ``pts``."""
        return int(np.searchsorted(self.pts, pts))

    def keyframe_before(self, rank: int) -> int:
        """Position in ``key_ranks`` of the last keyframe at or before frame ``rank``."""
        return int(np.searchsorted(self.key_ranks, rank, side="right")) - 1


class VideoFileFrames:
    """Decoded frames of one camera file; thread-safe (one lock per file).

    Parameters
    ----------
    path : Path
        A file already checked by :func:`analysis.session.video_paths.locate_video`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._container: av.container.InputContainer | None = None
        self._stream: av.video.stream.VideoStream | None = None
        self._index: _FrameIndex | None = None
        self._frames = None
        self._next_rank = -1
        self._seek_key = 0
        self._end = 0
        self._unreadable = False
        self._damaged = False

    def decode(self, rank: int) -> np.ndarray | None:
        """Frame ``rank`` of the file (0-based, presentation order) as BGR uint8 ``(H, W, 3)``.

        None past the end of the file, when the file cannot be opened, and for
        a frame that cannot be decoded (the first problem is logged).
        """
        with self._lock:
            if self._unreadable or rank < 0:
                return None
            try:
                return self._decode(rank)
            except VideoUnreadable as error:
                self._unreadable = True
                log.warning("%s cannot be read as video (%s); showing poses only", self.path, error)
            except _DECODE_ERRORS as error:  # a damaged stretch: this frame is lost, the next read reopens the file
                if not self._damaged:
                    log.warning("%s: frame %d cannot be decoded (%s); showing poses only there", self.path, rank, error)
                self._damaged = True
            self._close()
            return None

    def close(self) -> None:
        with self._lock:
            self._close()

    # ---------------------------------------------------------------- private
    def _close(self) -> None:
        if self._container is not None:
            self._container.close()
        self._container = self._stream = self._frames = None
        self._next_rank = -1

    def _restart(self) -> None:
        """Reopen the file at its start (and index it on the first opening)."""
        self._close()
        self._container, self._stream = open_video(self.path)
        if self._index is None:
            self._index = _FrameIndex.build(self._container, self._stream)
            self._end = self._index.count
            self._close()
            self._container, self._stream = open_video(self.path)
        self._frames = self._container.decode(self._stream)
        self._next_rank = 0

    def _decode(self, rank: int) -> np.ndarray | None:
        if self._container is None:
            self._restart()
        index = self._index
        if rank >= self._end:
            return None
        if index.pts is None:
            if not 0 <= self._next_rank <= rank:
                self._restart()
        elif not 0 <= self._next_rank <= rank or index.key_ranks[index.keyframe_before(rank)] > self._next_rank:
            self._seek(index.keyframe_before(rank))
        while True:
            try:
                return self._decode_forward(rank)
            except _LandedPast as landed:  # seeking found a later keyframe: try the one before, at last the start
                if landed.key > 0:
                    self._seek(landed.key - 1)
                else:
                    self._restart()

    def _seek(self, key: int) -> None:
        """Seek to keyframe ``key`` (by its presentation timestamp, as FFmpeg's demuxers index them)."""
        target = int(self._index.pts[self._index.key_ranks[key]])
        self._container.seek(target, backward=True, any_frame=False, stream=self._stream)
        self._frames = self._container.decode(self._stream)
        self._next_rank = -1
        self._seek_key = key

    def _decode_forward(self, rank: int) -> np.ndarray | None:
        """Decode until frame ``rank`` comes out; None if the stream skips it.

        Raises
        ------
        _LandedPast
            If the first frame after a seek already comes after ``rank``.
        """
        for frame in self._frames:
            if self._index.pts is None:
                current = self._next_rank
            elif frame.pts is None:
                continue
            else:
                current = self._index.rank_of(frame.pts)
            after_seek = self._next_rank < 0
            self._next_rank = current + 1
            if current == rank:
                return frame.to_ndarray(format="bgr24")
            if current > rank:
                if after_seek:
                    raise _LandedPast(self._seek_key)
                return None
        self._end = min(self._end, self._next_rank if self._next_rank >= 0 else rank)  # the file ends early
        self._next_rank = -1
        return None
