"""Where the video grid puts each view's tile: the plain grid, one view enlarged, one view alone.

Every layout is chosen for the views' own aspect ratios (width / height), so
that the camera images, letterboxed into their tiles, come out as large as the
widget allows: four portrait cameras side by side in a wide widget, eight
landscape ones in two rows of four.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from PySide6.QtCore import QRectF

TILE_GAP = 4
#: An enlarged view leaves at most this share of the widget to the strip of the other views.
MAX_STRIP_SHARE = 0.3


def grid_rects(aspects: Sequence[float], width: float, height: float, enlarged: int | None = None,
               single: int | None = None, gap: float = TILE_GAP) -> list[QRectF]:
    """Tile rectangles of the views, in view order, in a ``width`` x ``height`` area (pixels).

    Parameters
    ----------
    aspects : sequence of float, length V
        Each view's image width / height.
    enlarged : int, optional
        Index of a view shown large, the others in a strip beside it (to the
        right or below, whichever leaves the large image bigger).
    single : int, optional
        Index of the only view shown (filling the area); the others get empty rectangles.
    """
    n_views = len(aspects)
    if n_views == 0:
        return []
    if single is not None:
        return [QRectF(gap, gap, width - 2 * gap, height - 2 * gap) if view == single else QRectF()
                for view in range(n_views)]
    if enlarged is None or n_views == 1:
        return _plain_grid(aspects, width, height, gap)
    return _enlarged_layout(aspects, width, height, enlarged, gap)


def letterboxed_area(aspect: float, width: float, height: float) -> float:
    """Area of an image of ``aspect`` fitted, whole, in a ``width`` x ``height`` box (pixels²)."""
    width, height = max(width, 0.0), max(height, 0.0)
    image_width = min(width, height * aspect)
    return image_width * image_width / aspect


def _cells(rows: int, columns: int, x: float, y: float, width: float, height: float, gap: float) -> list[QRectF]:
    """The cells of a ``rows`` x ``columns`` grid filling the box at ``(x, y)``, row by row."""
    cell_w = (width - gap * (columns - 1)) / columns
    cell_h = (height - gap * (rows - 1)) / rows
    return [QRectF(x + column * (cell_w + gap), y + row * (cell_h + gap), cell_w, cell_h)
            for row in range(rows) for column in range(columns)]


def _plain_grid(aspects: Sequence[float], width: float, height: float, gap: float) -> list[QRectF]:
    """The rows x columns grid with the largest total image area (ties: fewer empty cells)."""
    n_views = len(aspects)
    best: tuple[float, int] | None = None
    chosen: list[QRectF] = []
    for rows in range(1, n_views + 1):
        columns = math.ceil(n_views / rows)
        if (rows - 1) * columns >= n_views:
            continue                                   # a row would stay empty
        cells = _cells(rows, columns, gap, gap, width - 2 * gap, height - 2 * gap, gap)[:n_views]
        area = sum(letterboxed_area(a, c.width(), c.height()) for a, c in zip(aspects, cells))
        score = (round(area, 3), -(rows * columns - n_views))
        if best is None or score > best:
            best, chosen = score, cells
    return chosen


def _enlarged_layout(aspects: Sequence[float], width: float, height: float, enlarged: int,
                     gap: float) -> list[QRectF]:
    """The enlarged view large, the others in one strip to its right or below it."""
    others = [view for view in range(len(aspects)) if view != enlarged]
    other_aspect = sorted(aspects[view] for view in others)[len(others) // 2]
    inner_w, inner_h = width - 2 * gap, height - 2 * gap
    n = len(others)
    # right: the others stacked in a column as wide as their images; below: side by side in a row
    column_w = min((inner_h - gap * (n - 1)) / n * other_aspect, MAX_STRIP_SHARE * inner_w)
    row_h = min((inner_w - gap * (n - 1)) / n / other_aspect, MAX_STRIP_SHARE * inner_h)
    right = letterboxed_area(aspects[enlarged], inner_w - column_w - gap, inner_h)
    below = letterboxed_area(aspects[enlarged], inner_w, inner_h - row_h - gap)
    if right >= below:
        large = QRectF(gap, gap, inner_w - column_w - gap, inner_h)
        small = _cells(n, 1, gap + large.width() + gap, gap, column_w, inner_h, gap)
    else:
        large = QRectF(gap, gap, inner_w, inner_h - row_h - gap)
        small = _cells(1, n, gap, gap + large.height() + gap, inner_w, row_h, gap)
    rects = [QRectF()] * len(aspects)
    rects[enlarged] = large
    for view, rect in zip(others, small):
        rects[view] = rect
    return rects
