"""Framing the athlete in one camera view: the part of the image a zoomed tile shows.

The window keeps one size for the whole take (so the zoom does not pump) and
follows the athlete: at each frame it is centred on the union of the athlete's
2D boxes over the frames around it. Its size holds the largest such union of the
take with a margin on every side, at the tile's aspect ratio, so the whole body
(head and feet in a handstand, the stretched body in flight) stays in the tile at
every phase. The window may reach past the image's edges; a tile shows no picture
there.
"""

from __future__ import annotations

import numpy as np

#: The framed box is enlarged by this factor in width and height (15 % of its size on every side).
ATHLETE_MARGIN = 1.3
#: The window is at least this fraction of the camera image's height, however small the detections.
MIN_WINDOW_FRACTION = 0.25
#: The box framed at a frame is the union of the athlete's boxes this many frames either side of it.
FRAMING_HALF_WINDOW = 8


def athlete_boxes(pose2d: np.ndarray, half_window: int = FRAMING_HALF_WINDOW) -> np.ndarray:
    """Per frame, the union of the detections' bounding boxes over the frames ``t - h .. t + h``.

    Parameters
    ----------
    pose2d : ndarray (T, J, 2 or 3)
        One view's detections: x, y in pixels (confidence ignored); NaN where not detected.
    half_window : int
        ``h``, frames either side.

    Returns
    -------
    ndarray (T, 4) float64
        ``x0, y0, x1, y1`` in pixels; NaN at frames with no detection in their window.
    """
    points = np.asarray(pose2d, dtype=np.float64)[..., :2]
    seen = np.isfinite(points).all(axis=-1, keepdims=True)
    low = np.where(seen, points, np.inf).min(axis=1)
    high = np.where(seen, points, -np.inf).max(axis=1)
    from scipy.ndimage import maximum_filter1d, minimum_filter1d   # 0.4 s to import: not at start-up

    size = 2 * int(half_window) + 1
    boxes = np.concatenate([minimum_filter1d(low, size, axis=0, mode="nearest"),
                            maximum_filter1d(high, size, axis=0, mode="nearest")], axis=1)
    boxes[~np.isfinite(boxes).all(axis=1)] = np.nan
    return boxes


def athlete_window(boxes: np.ndarray, frame: int, width: int, height: int, aspect: float,
                   margin: float = ATHLETE_MARGIN) -> tuple[float, float, float, float]:
    """The part of a camera image that frames the athlete at ``frame``, camera pixels.

    Parameters
    ----------
    boxes : ndarray (T, 4)
        :func:`athlete_boxes` of the view.
    frame : int
        Frame shown.
    width, height : int
        Camera image size, pixels.
    aspect : float
        Width / height of the tile the window is shown in.
    margin : float
        Factor by which the largest box of the take is enlarged in width and height.

    Returns
    -------
    (left, top, window width, window height) : tuple of float, pixels
        Of ``aspect`` width / height; the whole image, centred, when nothing was detected.
    """
    if not aspect > 0:
        raise ValueError(f"the tile's aspect ratio must be positive, got {aspect}")
    found = np.flatnonzero(np.isfinite(boxes[:, 0]))
    if len(found) == 0:
        window_h = max(float(height), width / aspect)
        centre = (width / 2.0, height / 2.0)
    else:
        sizes = boxes[found, 2:] - boxes[found, :2]
        need_w, need_h = margin * sizes.max(axis=0)
        window_h = max(need_h, need_w / aspect, MIN_WINDOW_FRACTION * height)
        nearest = found[np.argmin(np.abs(found - frame))]
        centre = 0.5 * (boxes[nearest, :2] + boxes[nearest, 2:])
    window_w = window_h * aspect
    return float(centre[0] - window_w / 2), float(centre[1] - window_h / 2), float(window_w), float(window_h)
