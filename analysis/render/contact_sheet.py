"""A contact sheet: view images tiled in a grid, each labelled in its corner."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np


def contact_sheet(images: Sequence[np.ndarray], labels: Sequence[str], columns: int = 4) -> np.ndarray:
    """Tile view images in a grid, each labelled in its top-left corner.

    Parameters
    ----------
    images : sequence of ndarray, each (H, W, 3) uint8
        Resized to the first image's size when they differ.
    labels : sequence of str
        One per image, e.g. ``"cam3"``.
    columns : int

    Returns
    -------
    ndarray, shape (rows * H, columns * W, 3), uint8
        ``rows = ceil(len(images) / columns)``; empty tiles are black.
    """
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if not images:
        raise ValueError("no images to tile")
    height, width = images[0].shape[:2]
    rows = -(-len(images) // columns)
    sheet = np.zeros((rows * height, columns * width, 3), np.uint8)
    for index, (image, label) in enumerate(zip(images, labels)):
        tile = image if image.shape[:2] == (height, width) else cv2.resize(image, (width, height))
        tile = tile.copy()
        for color, thickness in (((0, 0, 0), 4), ((255, 255, 255), 1)):
            cv2.putText(tile, label, (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, color, thickness, cv2.LINE_AA)
        row, column = divmod(index, columns)
        sheet[row * height:(row + 1) * height, column * width:(column + 1) * width] = tile
    return sheet
