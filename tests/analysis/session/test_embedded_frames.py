"""Embedded JPEG/PNG frames: decoded as before, and junk gives None instead of an error or a huge image."""

from __future__ import annotations

import shutil

import cv2
import h5py
import numpy as np
import pytest

from analysis.session.reader import Session
from analysis.session.video_source import decode_image, encoded_image_size

_IMAGE = np.random.default_rng(3).integers(0, 255, (90, 160, 3), np.uint8)
_JPEG = cv2.imencode(".jpg", _IMAGE)[1].tobytes()
_PNG = cv2.imencode(".png", _IMAGE)[1].tobytes()


def _jpeg_claiming(width: int, height: int) -> bytes:
    """The test JPEG with its frame header (SOF0) rewritten to state another size."""
    header = _JPEG.index(b"\xff\xc0")
    data = bytearray(_JPEG)
    data[header + 5:header + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def _png_claiming(width: int, height: int) -> bytes:
    data = bytearray(_PNG)
    data[16:24] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    return bytes(data)


JUNK = {
    "empty": b"",
    "random bytes": np.random.default_rng(4).integers(0, 256, 5000, np.uint8).tobytes(),
    "truncated JPEG": _JPEG[: len(_JPEG) // 2],
    "JPEG header only": _JPEG[:20],
    "truncated PNG": _PNG[: len(_PNG) // 2],
    "JPEG claiming 60000x60000": _jpeg_claiming(60000, 60000),
    "JPEG claiming 20000x20000": _jpeg_claiming(20000, 20000),
    "JPEG claiming 0x0": _jpeg_claiming(0, 0),
    "PNG claiming 60000x60000": _png_claiming(60000, 60000),
    "BMP (not a contract codec)": cv2.imencode(".bmp", _IMAGE)[1].tobytes(),
}


@pytest.mark.parametrize("name", sorted(JUNK))
def test_junk_decodes_to_none(name):
    assert decode_image(np.frombuffer(JUNK[name], np.uint8)) is None


def test_jpeg_and_png_decode_as_before():
    np.testing.assert_array_equal(decode_image(np.frombuffer(_PNG, np.uint8)), _IMAGE)
    jpeg = np.frombuffer(_JPEG, np.uint8)
    np.testing.assert_array_equal(decode_image(jpeg), cv2.imdecode(jpeg, cv2.IMREAD_COLOR))
    assert encoded_image_size(_JPEG) == encoded_image_size(_PNG) == (160, 90)
    assert decode_image(None) is None


def test_junk_frames_in_a_session_show_as_missing_frames(session_file, tmp_path):
    broken = tmp_path / "broken.h5"
    shutil.copy(session_file, broken)
    with h5py.File(broken, "r+") as f:
        f["/takes/take1/video/cam1"][3] = np.frombuffer(JUNK["JPEG claiming 60000x60000"], np.uint8)
        f["/takes/take1/video/cam1"][4] = np.frombuffer(JUNK["random bytes"], np.uint8)
    with Session.open(broken) as session:
        assert session.frame("take1", "cam1", 3) is None and session.frame("take1", "cam1", 4) is None
        assert session.frame("take1", "cam1", 5) is not None


def test_a_png_with_a_flipped_bit_is_refused_before_libpng_complains(capfd):
    damaged = bytearray(_PNG)
    damaged[len(damaged) // 2] ^= 0x10            # inside the image data: its chunk's CRC no longer matches
    assert decode_image(np.frombuffer(bytes(damaged), np.uint8)) is None
    assert "libpng" not in capfd.readouterr().err  # nothing printed on the terminal beside our own message


@pytest.mark.parametrize(("at_least", "reduction"), [((160, 90), 1), ((100, 40), 1), ((80, 45), 2), ((40, 22), 4),
                                                      ((1, 1), 8)])
def test_a_frame_shown_small_is_decoded_at_the_smallest_reduction_that_covers_it(at_least, reduction):
    for encoded in (_JPEG, _PNG):
        image = decode_image(np.frombuffer(encoded, np.uint8), at_least)
        assert image.shape[0] in (90 // reduction, -(-90 // reduction))     # rounded down or up by the codec
        assert image.shape[1] in (160 // reduction, -(-160 // reduction))
        assert image.shape[1] >= at_least[0] and image.shape[0] >= at_least[1]
