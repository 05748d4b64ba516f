"""A contact sheet: view images tiled in a grid, each labelled in its corner."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from analysis.render.drawing import MUTED_TEXT, put_text

#: Grey of a tile whose view has no image.
MISSING_TILE = 40


def contact_sheet(images: Sequence[np.ndarray | None], labels: Sequence[str], columns: int = 4) -> np.ndarray:
    """Tile view images in a grid, each labelled in its top-left corner.

    Parameters
    ----------
    images : sequence of ndarray (H, W, 3) uint8, or None
        Resized to the first image's size when they differ; None (a frame that
        did not decode) gives a grey tile saying so.
    labels : sequence of str
        One per image, e.g. ``"cam3"``.
    columns : int

    Returns
    -------
    ndarray, shape (rows * H, columns * W, 3), uint8
        ``rows = ceil(len(images) / columns)``; empty tiles are black.

    Raises
    ------
    ValueError
        Without any image to tile.
    """
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    present = [image for image in images if image is not None]
    if not present:
        raise ValueError("no image to tile")
    height, width = present[0].shape[:2]
    rows = -(-len(images) // columns)
    sheet = np.zeros((rows * height, columns * width, 3), np.uint8)
    for index, (image, label) in enumerate(zip(images, labels)):
        if image is None:
            tile = np.full((height, width, 3), MISSING_TILE, np.uint8)
            put_text(tile, "frame does not decode", (8, 52), 0.6, MUTED_TEXT)
        else:
            tile = image.copy() if image.shape[:2] == (height, width) else cv2.resize(image, (width, height))
        for color, thickness in (((0, 0, 0), 4), ((255, 255, 255), 1)):
            put_text(tile, label, (8, 24), 0.7, color, thickness)
        row, column = divmod(index, columns)
        sheet[row * height:(row + 1) * height, column * width:(column + 1) * width] = tile
    return sheet
