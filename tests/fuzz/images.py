"""Bad encoded frames for the fuzz corpus: junk, truncations, lying headers, decompression bombs."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np

#: Width and height a lying header claims (60000 x 60000 x 3 bytes = 10.8 GB decoded).
CLAIMED_SIDE = 60000


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_claiming(width: int, height: int, rows: int = 1) -> bytes:
    """A PNG whose header states ``width`` x ``height`` RGB but which holds only ``rows`` zero rows."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * ((3 * width + 1) * rows))
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def png_bomb(side: int) -> bytes:
    """A valid grey PNG of ``side`` x ``side`` zero pixels: small on disk, ``side**2`` bytes decoded."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side + 1)
    parts = [compressor.compress(row) for _ in range(side)]
    parts.append(compressor.flush())
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", b"".join(parts))
            + _png_chunk(b"IEND", b""))


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose start-of-frame marker is rewritten to state ``width`` x ``height``."""
    data = bytearray(cv2.imencode(".jpg", np.full((16, 16, 3), 128, np.uint8))[1].tobytes())
    at = data.find(b"\xff\xc0")
    data[at + 5:at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def bad_frame(rng: np.random.Generator, good: bytes) -> tuple[str, bytes]:
    """One bad replacement for the encoded frame ``good``, with its description."""
    kinds = {
        "random bytes": lambda: rng.integers(0, 256, int(rng.integers(1, 4096)), dtype=np.uint8).tobytes(),
        "truncated": lambda: good[:int(rng.integers(1, max(2, len(good) - 1)))],
        "empty": lambda: b"",
        "PNG header claiming 60000x60000": lambda: png_claiming(CLAIMED_SIDE, CLAIMED_SIDE),
        "JPEG header claiming 60000x60000": lambda: jpeg_claiming(CLAIMED_SIDE, CLAIMED_SIDE),
        "PNG bomb 12000x12000": lambda: png_bomb(12000),
        "flipped bytes": lambda: _flipped(rng, good),
    }
    name = str(rng.choice(sorted(kinds)))
    return name, kinds[name]()


def _flipped(rng: np.random.Generator, data: bytes) -> bytes:
    flipped = bytearray(data)
    for offset in rng.integers(0, len(flipped), size=4):
        flipped[offset] ^= 1 << int(rng.integers(0, 8))
    return bytes(flipped)
