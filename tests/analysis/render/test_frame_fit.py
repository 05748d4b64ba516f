"""Fitting a decoded frame to the pixels it is shown at: its size, its format, and the picture where it was."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.render.frame_fit import display_size, fit_bgrx


def quadrants(width: int, height: int) -> np.ndarray:
    """A BGR frame ``(height, width, 3)``: blue top-left, green top-right, red bottom-left, white bottom-right."""
    image = np.zeros((height, width, 3), np.uint8)
    image[: height // 2, : width // 2] = (255, 0, 0)
    image[: height // 2, width // 2:] = (0, 255, 0)
    image[height // 2:, : width // 2] = (0, 0, 255)
    image[height // 2:, width // 2:] = (255, 255, 255)
    return image


def test_only_a_smaller_area_asks_for_a_smaller_frame():
    assert display_size((640, 360), (300, 169)) == (300, 169)
    assert display_size((640, 360), (640, 360)) is None     # the frame as it is
    assert display_size((640, 360), (629, 354)) is None     # nearly: Qt scales it while painting
    assert display_size((640, 360), (560, 315)) == (560, 315)
    assert display_size((640, 360), (800, 450)) is None     # Qt scales it up
    assert display_size((640, 360), (0, 0)) is None


@pytest.mark.parametrize("size", [(629, 354), (300, 169), (97, 55)])
def test_a_fitted_frame_keeps_its_picture_in_place(size):
    fitted = fit_bgrx(quadrants(640, 360), size)
    assert fitted.shape == (size[1], size[0], 4) and fitted.dtype == np.uint8
    assert np.all(fitted[..., 3] == 255)                     # BGRX: painted as Format_RGB32
    width, height = size
    inset_x, inset_y = width // 8, height // 8
    expected = quadrants(width, height)
    for y, x in ((inset_y, inset_x), (inset_y, width - inset_x), (height - inset_y, inset_x),
                 (height - inset_y, width - inset_x), (height // 4, width // 2 - 3), (height // 2 + 3, width // 4)):
        np.testing.assert_array_equal(fitted[y - 1 if y == height else y, x - 1 if x == width else x, :3],
                                      expected[y - 1 if y == height else y, x - 1 if x == width else x])


def test_no_size_keeps_the_frame_as_it_is():
    frame = quadrants(160, 90)
    fitted = fit_bgrx(frame, None)
    np.testing.assert_array_equal(fitted[..., :3], frame)
