"""Writing MP4 video through PyAV: H.264 (libx264, the default) or MPEG-4 Part 2.

PyAV's wheels carry FFmpeg with libx264, so an H.264 MP4 that plays everywhere
(browsers, phones, presentation software) is written without OpenCV's codec
lottery. Frames are given as BGR images (OpenCV's order) and converted to
``yuv420p``, the pixel format every player decodes; the two encoders need even
dimensions, so an odd width or height is padded by one edge pixel. The
``moov`` atom is moved to the front (``+faststart``) so the clip starts
playing before it is fully downloaded. PyAV is imported when a file is
written, so the command-line parser can read :data:`VIDEO_CODECS` cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class VideoCodec:
    """One way of encoding the clip.

    Attributes
    ----------
    name : str
        What ``--codec`` and the export dialog call it.
    encoder : str
        FFmpeg encoder.
    label : str
        For people (the export dialog, the command's summary line).
    options : dict of str to str
        Encoder options.
    bits_per_pixel : float or None
        Target bit rate per pixel per frame, for encoders without a quality mode.
    """

    name: str
    encoder: str
    label: str
    options: dict[str, str]
    bits_per_pixel: float | None = None


#: The codecs a clip can be written with, the default first. CRF 20 keeps skeleton lines
#: and text crisp at a few Mbit/s; on a rendered 8-view mosaic ``veryfast`` encoded 2.5 times
#: faster than ``fast`` here (24 against 10 frames/s on two busy cores) at the same size.
VIDEO_CODECS: dict[str, VideoCodec] = {
    "h264": VideoCodec("h264", "libx264", "H.264 (plays everywhere)", {"crf": "20", "preset": "veryfast"}),
    "mp4v": VideoCodec("mp4v", "mpeg4", "MPEG-4 Part 2 (older players)", {}, bits_per_pixel=0.2),
}
DEFAULT_CODEC = "h264"
PIXEL_FORMAT = "yuv420p"


def video_codec(name: str) -> VideoCodec:
    """The :data:`VIDEO_CODECS` entry called ``name``.

    Raises
    ------
    ValueError
        If ``name`` is not one of them.
    """
    if name not in VIDEO_CODECS:
        raise ValueError(f"unknown video codec {name!r}; expected one of {', '.join(VIDEO_CODECS)}")
    return VIDEO_CODECS[name]


def frame_rate(fps: float) -> Fraction:
    """``fps`` as the exact fraction FFmpeg wants (29.97 -> 30000/1001)."""
    if not fps > 0:
        raise ValueError(f"the frame rate must be positive, got {fps}")
    return Fraction(float(fps)).limit_denominator(1001)


class Mp4Writer:
    """An MP4 file being written, one BGR frame at a time; use it as a context manager.

    Parameters
    ----------
    path : path
        The file to write (its name need not end in ``.mp4``: the container is chosen here).
    fps : float
        Frames per second.
    size : (int, int)
        (width, height) of every frame given, pixels.
    codec : str
        A key of :data:`VIDEO_CODECS`.
    """

    def __init__(self, path: str | Path, fps: float, size: tuple[int, int], codec: str = DEFAULT_CODEC) -> None:
        import av

        chosen = video_codec(codec)
        width, height = (int(v) for v in size)
        if width < 2 or height < 2:
            raise ValueError(f"{Path(path).name}: a video frame must be at least 2 x 2 pixels, got {width} x {height}")
        self.path = Path(path)
        self.codec = chosen
        self.size = (width, height)
        self.frames_written = 0
        self._container = av.open(str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"})
        try:
            stream = self._container.add_stream(chosen.encoder, rate=frame_rate(fps))
            stream.width, stream.height = width + width % 2, height + height % 2
            stream.pix_fmt = PIXEL_FORMAT
            stream.options = dict(chosen.options)
            if chosen.bits_per_pixel is not None:
                stream.bit_rate = int(chosen.bits_per_pixel * stream.width * stream.height * float(fps))
        except BaseException:
            self._container.close()
            raise
        self._stream = stream

    def write(self, image: np.ndarray) -> None:
        """Encode one frame ``(height, width, 3)`` uint8, BGR."""
        if image.shape != (self.size[1], self.size[0], 3) or image.dtype != np.uint8:
            raise ValueError(f"{self.path.name}: frames must be {self.size[1]} x {self.size[0]} x 3 uint8, "
                             f"got {image.shape} {image.dtype}")
        pad = ((0, self._stream.height - self.size[1]), (0, self._stream.width - self.size[0]), (0, 0))
        if any(after for _, after in pad):
            image = np.pad(image, pad, mode="edge")
        from av import VideoFrame

        frame = VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        self._container.mux(self._stream.encode(frame))
        self.frames_written += 1

    def close(self) -> None:
        """Flush the encoder and finish the file."""
        if self._container is None:
            return
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
            self._container = None

    def __enter__(self) -> "Mp4Writer":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
