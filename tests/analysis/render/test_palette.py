"""The one palette: the same side colours for every drawing library, and its ramps."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.motion.skeleton import CENTRE, LEFT, RIGHT
from analysis.render import palette


def test_each_library_gets_the_same_colour_in_its_own_form():
    assert palette.rgb255(palette.LEFT_SIDE) == (63, 169, 255)
    assert palette.bgr(palette.LEFT_SIDE) == (255, 169, 63)
    np.testing.assert_allclose(palette.rgba(palette.LEFT_SIDE, 0.5), (63 / 255, 169 / 255, 1.0, 0.5))
    assert palette.SIDE_COLOURS[LEFT] == palette.LEFT_SIDE and palette.SIDE_COLOURS[RIGHT] == palette.RIGHT_SIDE
    assert palette.SIDE_COLOURS[CENTRE] == palette.SIDE_BY_NAME[None]
    with pytest.raises(ValueError, match="#rrggbb"):
        palette.rgb255("blue")


def test_ramps_run_from_bad_to_good_and_from_low_to_high():
    red, yellow, green = (palette.confidence_rgb(c) for c in (0.0, 0.5, 1.0))
    assert red[0] == 1.0 and red[1] < 0.2 and yellow[0] == yellow[1] == 1.0 and green[1] == 1.0 and green[0] < 0.2
    assert palette.probability_bar(0.9) != palette.probability_bar(0.3) != palette.probability_bar(0.1)
    np.testing.assert_allclose(palette.responsibility_rgba(np.array([0.0, 1.0])),
                               [palette.rgba(palette.RESPONSIBLE_LOW), palette.rgba(palette.RESPONSIBLE_HIGH)])
