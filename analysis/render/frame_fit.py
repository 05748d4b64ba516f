"""Fitting a decoded camera frame to the pixels it is shown at, off the GUI thread.

The video grid shows each camera image letterboxed in its tile, usually smaller
than the camera's frame. Scaling it here, on a decode thread (OpenCV releases
the GIL), lets the GUI thread copy the image 1:1 instead of scaling 8 images
on every paint, and gives a smooth picture while playing too.
"""

from __future__ import annotations

import cv2
import numpy as np

#: The size asked for a view that is not shown (another view fills the grid): it is not decoded.
NOT_SHOWN = (0, 0)
#: An image area at least this share of the frame (per side) gets the whole frame: scaling it down so little
#: costs a decode thread more than it saves the GUI thread.
FULL_SIZE_FROM = 0.9
#: Below this ratio of shown to decoded pixels (per side) area averaging replaces bilinear interpolation.
AREA_BELOW = 0.5


def display_size(camera_size: tuple[int, int], shown: tuple[int, int]) -> tuple[int, int] | None:
    """The size to decode a camera frame at for an image area of ``shown`` pixels.

    Parameters
    ----------
    camera_size, shown : (width, height)
        The camera's frame and the area it is shown in, device pixels.

    Returns
    -------
    (width, height) or None
        ``shown``, or None (full size) where the frame is not at least
        ``1 - FULL_SIZE_FROM`` smaller on both sides (Qt then scales it while painting).
    """
    if (shown[0] >= FULL_SIZE_FROM * camera_size[0] or shown[1] >= FULL_SIZE_FROM * camera_size[1]
            or min(shown) <= 0):
        return None
    return int(shown[0]), int(shown[1])


def fit_bgrx(image: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """A BGR frame ``(H, W, 3)`` uint8 resized to ``size`` (width, height), as BGRX ``(h, w, 4)`` uint8.

    ``size`` None keeps the frame's size. Shrinking by up to half a side is
    bilinear (the picture Qt's smooth scaling gave), more is area averaging, so
    no detail aliases into the smaller picture. The fourth byte is 255: the
    memory layout of ``QImage.Format_RGB32``, which Qt paints fastest.
    """
    height, width = image.shape[:2]
    if size is not None and size != (width, height):
        shrink = min(size[0] / width, size[1] / height)
        interpolation = cv2.INTER_AREA if shrink < AREA_BELOW else cv2.INTER_LINEAR
        image = cv2.resize(image, size, interpolation=interpolation)
    return cv2.cvtColor(image, cv2.COLOR_BGR2BGRA)
