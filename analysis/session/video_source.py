"""Decoding the JPEG or PNG frames embedded in a session, refusing junk without raising.

Only JPEG and PNG (the contract's two codecs) reach OpenCV, and only once
their header states a plausible size: a header claiming 60000x60000 pixels
would otherwise make ``cv2.imdecode`` raise, or allocate gigabytes and spend
seconds decoding garbage.
"""

from __future__ import annotations

import zlib

import cv2
import numpy as np

#: Largest frame decoded, in pixels (above 8K: 8192x4320 is 35.4 million).
MAX_FRAME_PIXELS = 40_000_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_START = b"\xff\xd8"
#: JPEG start-of-frame markers (SOF0..SOF15 without DHT C4, JPG C8 and DAC CC): they carry the size.
_JPEG_FRAME_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
#: JPEG markers without a length field: TEM and the restart markers RST0..RST7.
_JPEG_BARE_MARKERS = frozenset({0x01, *range(0xD0, 0xD8)})
_JPEG_SCAN_OR_END = frozenset({0xDA, 0xD9})
#: OpenCV's read flag for each size reduction (a JPEG is decoded scaled, by its DCT).
_REDUCED_READS = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
                  8: cv2.IMREAD_REDUCED_COLOR_8}


def encoded_image_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` stated by a PNG or JPEG header, or None if ``data`` is neither."""
    if data.startswith(_PNG_SIGNATURE):
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith(_JPEG_START):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Walk the JPEG marker segments up to the frame header; None if there is none before the scan."""
    position = len(_JPEG_START)
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker in _JPEG_BARE_MARKERS:
            position += 2
            continue
        if marker in _JPEG_SCAN_OR_END:
            return None
        if marker in _JPEG_FRAME_MARKERS:
            if position + 9 > len(data):
                return None
            height = int.from_bytes(data[position + 5:position + 7], "big")
            width = int.from_bytes(data[position + 7:position + 9], "big")
            return width, height
        position += 2 + int.from_bytes(data[position + 2:position + 4], "big")
    return None


def png_chunks_intact(data: bytes) -> bool:
    """Whether every chunk of PNG ``data`` is whole and matches its CRC, up to IEND (libpng would
    otherwise print its complaints about a damaged file to the terminal before refusing it)."""
    position = len(_PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        end = position + 8 + length
        if end + 4 > len(data):
            return False
        if zlib.crc32(data[position + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
            return False
        if data[position + 4:position + 8] == b"IEND":
            return True
        position = end + 4
    return False


def decode_image(encoded: np.ndarray | bytes | None, at_least: tuple[int, int] | None = None) -> np.ndarray | None:
    """Decode JPEG/PNG bytes ``(n,)`` uint8 into BGR ``(H, W, 3)`` uint8.

    Returns None for anything that is not a decodable JPEG or PNG of at most
    :data:`MAX_FRAME_PIXELS` pixels: empty or random bytes, other image
    formats, truncated files, PNG chunks that fail their CRC, absurd sizes.
    Never raises on bad data.

    Parameters
    ----------
    encoded : ndarray (n,) uint8 or bytes or None
    at_least : (width, height), optional
        Pixels the image will be shown at: it is then decoded at 1/2, 1/4 or 1/8
        of its size, the smallest that still covers ``at_least`` (a JPEG decodes
        several times faster so). Without it, at full size.
    """
    if encoded is None:
        return None
    data = np.asarray(encoded, dtype=np.uint8).reshape(-1)
    size = encoded_image_size(data.tobytes())
    if size is None or not 0 < size[0] * size[1] <= MAX_FRAME_PIXELS:
        return None
    if data[:len(_PNG_SIGNATURE)].tobytes() == _PNG_SIGNATURE and not png_chunks_intact(data.tobytes()):
        return None
    reduction = 1 if at_least is None else decode_reduction(size, at_least)
    try:
        return cv2.imdecode(data, _REDUCED_READS[reduction])
    except cv2.error:
        return None


def decode_reduction(size: tuple[int, int], at_least: tuple[int, int]) -> int:
    """The largest of 1, 2, 4 and 8 by which ``size`` (width, height) can be divided and still cover ``at_least``."""
    reduction = 1
    while (2 * reduction in _REDUCED_READS and size[0] // (2 * reduction) >= at_least[0]
           and size[1] // (2 * reduction) >= at_least[1]):
        reduction *= 2
    return reduction
