"""Pictures of a board recording's detections: one frame's corners, and where the corners fell over the recording.

The wizard shows them per camera so a coach sees that the board was found and
which parts of each camera's field of view it never reached (the lens model is
extrapolated there). Images are BGR uint8, OpenCV's order.
"""

from __future__ import annotations

from collections.abc import Iterable

import cv2
import numpy as np

from analysis.geometry.board import BoardView
from analysis.render import palette
from analysis.render.drawing import SUBPIXEL, SUBPIXEL_SHIFT

#: Cells of the coverage grid across the image's width and height.
COVERAGE_GRID = (16, 12)
#: Colour of a detected corner and of a coverage cell no corner fell in, BGR.
CORNER_COLOUR = palette.bgr(palette.GREEN)
EMPTY_CELL = (40, 36, 34)


def best_frame(views: dict[int, BoardView]) -> int:
    """The frame whose view shows the most corners (the earliest of equals).

    Parameters
    ----------
    views : dict of int to BoardView
        Frame index to the board found there; not empty.
    """
    return max(views, key=lambda frame: (views[frame].ids.size, -frame))


def draw_detection(gray: np.ndarray, view: BoardView, width: int | None = None) -> np.ndarray:
    """``gray`` (H, W) uint8 as BGR uint8 with ``view``'s corners ringed and the first one marked.

    Parameters
    ----------
    gray : ndarray, shape (H, W), uint8
    view : BoardView
        Corners in ``gray``'s pixels.
    width : int, optional
        Scale the picture to this width (keeping its aspect); the full size without it.

    Returns
    -------
    ndarray, shape (h, w, 3), uint8
        The rings' radius is about 1/150 of the width (2 pixels at least); the
        corner with the lowest id gets a filled dot, so the board's orientation shows.
    """
    scale = 1.0 if width is None else width / gray.shape[1]
    if scale != 1.0:
        gray = cv2.resize(gray, (width, max(1, round(gray.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    image = cv2.cvtColor(gray, cv2.COLOR_GRAY2BGR)
    radius = max(2, round(image.shape[1] / 150))
    centres = np.rint(((view.pixels + 0.5) * scale - 0.5) * SUBPIXEL).astype(np.int32)
    for index, (x, y) in enumerate(centres):
        cv2.circle(image, (int(x), int(y)), radius * SUBPIXEL, CORNER_COLOUR, -1 if index == 0 else 1,
                   cv2.LINE_AA, SUBPIXEL_SHIFT)
    return image


def coverage_counts(size: tuple[int, int], views: Iterable[BoardView],
                    grid: tuple[int, int] = COVERAGE_GRID) -> np.ndarray:
    """Corners found in each cell of a grid laid over the image, shape (grid rows, grid cols), int.

    Parameters
    ----------
    size : (int, int)
        Image width and height, pixels.
    views : iterable of BoardView
    grid : (int, int)
        Cells across the width and the height.
    """
    width, height = size
    columns, rows = grid
    pixels = [view.pixels for view in views]
    if not pixels:
        return np.zeros((rows, columns), dtype=np.int64)
    points = np.concatenate(pixels)
    counts, _, _ = np.histogram2d(points[:, 1], points[:, 0], bins=(rows, columns), range=((0, height), (0, width)))
    return counts.astype(np.int64)


def coverage_fraction(counts: np.ndarray) -> float:
    """The share of the grid's cells at least one corner fell in, 0 to 1."""
    return float(np.count_nonzero(counts)) / counts.size


def draw_coverage(counts: np.ndarray, width: int) -> np.ndarray:
    """A heat map of ``counts`` (rows, cols), BGR (H, ``width``, 3) uint8, with the image's aspect of the grid's cells.

    Cells no corner fell in are dark grey; the others go from dark blue (few
    corners) to yellow (the most, on a logarithmic scale), cell borders drawn
    thin. The height is ``width * rows / cols`` rounded, each cell square.
    """
    rows, columns = counts.shape
    height = max(1, round(width * rows / columns))
    levels = np.log1p(counts) / max(np.log1p(counts.max()), 1e-9)
    coloured = cv2.applyColorMap(np.rint(40 + 215 * levels).astype(np.uint8), cv2.COLORMAP_VIRIDIS)
    coloured[counts == 0] = EMPTY_CELL
    image = cv2.resize(coloured, (width, height), interpolation=cv2.INTER_NEAREST)
    for column in range(1, columns):
        x = round(column * width / columns)
        image[:, x] = image[:, x] // 2
    for row in range(1, rows):
        y = round(row * height / rows)
        image[y] = image[y] // 2
    return image
