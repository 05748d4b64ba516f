"""The board recording's pictures: the detected corners drawn on a frame, and the corners' coverage of the image."""

from __future__ import annotations

import numpy as np

from analysis.geometry.board import BoardView
from analysis.render.board_preview import (
    CORNER_COLOUR,
    EMPTY_CELL,
    best_frame,
    coverage_counts,
    coverage_fraction,
    draw_coverage,
    draw_detection,
)


def _view(pixels) -> BoardView:
    pixels = np.asarray(pixels, dtype=np.float64)
    return BoardView(np.arange(len(pixels)), pixels)


def test_the_best_frame_shows_the_most_corners_and_the_earliest_of_equals():
    views = {4: _view([[1, 1]] * 6), 9: _view([[1, 1]] * 8), 12: _view([[1, 1]] * 8)}
    assert best_frame(views) == 9


def test_corners_are_drawn_where_they_were_found_also_on_a_smaller_picture():
    gray = np.full((300, 400), 90, np.uint8)
    view = _view([[100.0, 80.0], [300.0, 200.0], [200.0, 150.0]])
    full = draw_detection(gray, view)
    assert full.shape == (300, 400, 3) and full[150, 200].tolist() == [90, 90, 90]   # a ring, not a disc
    assert full[80, 100].tolist() == list(CORNER_COLOUR)                            # the first corner: a dot
    ring = np.abs(full.astype(int) - 90).sum(axis=2) > 60
    assert ring[140:161, 190:211].any() and not ring[0:60, 0:60].any()
    half = draw_detection(gray, view, width=200)
    assert half.shape == (150, 200, 3) and half[40, 50].tolist() == list(CORNER_COLOUR)
    assert half[40, 150].tolist() == [90, 90, 90]


def test_coverage_counts_the_corners_in_each_cell_of_the_image():
    views = [_view([[10, 10], [15, 12], [390, 290]]), _view([[205, 5]])]
    counts = coverage_counts((400, 300), views, grid=(4, 3))
    assert counts.shape == (3, 4)
    assert counts[0, 0] == 2 and counts[2, 3] == 1 and counts[0, 2] == 1 and counts.sum() == 4
    assert coverage_fraction(counts) == 3 / 12
    assert not coverage_counts((400, 300), [], grid=(4, 3)).any()


def test_the_coverage_map_shows_uncovered_cells_dark_and_more_corners_brighter():
    counts = np.array([[0, 1], [5, 50]])
    image = draw_coverage(counts, 200)
    assert image.shape == (200, 200, 3) and image.dtype == np.uint8
    assert image[50, 50].tolist() == list(EMPTY_CELL)
    brightness = [int(image[y, x].sum()) for y, x in ((50, 150), (150, 50), (150, 150))]
    assert brightness == sorted(brightness) and brightness[0] < brightness[2]
    assert image[100, 50].sum() < image[120, 50].sum()                                 # cell borders darkened
