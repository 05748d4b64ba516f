"""The coach's drawings and markers burned into exported frames, with OpenCV.

Drawings (``drawings`` of the annotations file, :mod:`analysis.annotations.items`)
are stored in camera image pixels of one view and show on a range of frames;
:func:`draw_drawings` draws those of a view and frame onto its picture, scaled
as the picture is. Each stroke has a dark outline so it reads on any background,
as in the workstation. A marker's note is written over the video for
:data:`MARKER_CAPTION_SECONDS` from its frame (:func:`draw_marker_caption`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from analysis.annotations.items import Drawing, Marker
from analysis.annotations.measure import included_angle_deg
from analysis.render import palette
from analysis.render.drawing import LABEL_BOX, SUBPIXEL, SUBPIXEL_SHIFT, put_label

OUTLINE = palette.bgr(palette.OUTLINE)
ARROW_HEAD_FRACTION = 0.18
ARROW_HEAD_MAX = 22.0
ANGLE_ARC_RADIUS = 30.0
MARKER_CAPTION_SECONDS = 2.0
MARKER_COLOUR = palette.bgr(palette.MARKER)


def _fixed(points: np.ndarray) -> np.ndarray:
    return np.round(points * SUBPIXEL).astype(np.int32)


def _stroke(image: np.ndarray, lines: list[np.ndarray], colour, thickness: int, closed: bool = False) -> None:
    """Polylines (picture pixels) with a dark outline under the coloured stroke."""
    fixed = [_fixed(line) for line in lines]
    cv2.polylines(image, fixed, closed, OUTLINE, thickness + 2, cv2.LINE_AA, SUBPIXEL_SHIFT)
    cv2.polylines(image, fixed, closed, colour, thickness, cv2.LINE_AA, SUBPIXEL_SHIFT)


def _arrow_barbs(start: np.ndarray, end: np.ndarray) -> list[np.ndarray]:
    direction = start - end
    length = float(np.hypot(*direction))
    if length == 0:
        return []
    size = min(ARROW_HEAD_MAX, ARROW_HEAD_FRACTION * length * 2)
    barbs = []
    for sign in (-1, 1):
        turn = math.radians(sign * 28.0)
        rotation = np.array([[math.cos(turn), -math.sin(turn)], [math.sin(turn), math.cos(turn)]])
        barbs.append(np.stack([end, end + rotation @ direction / length * size]))
    return barbs


def _arc(vertex: np.ndarray, end_a: np.ndarray, end_b: np.ndarray, radius: float) -> np.ndarray:
    """Points of the arc at ``vertex`` from the arm towards ``end_a`` to the one towards ``end_b`` (the inner angle)."""
    start = math.atan2(*(end_a - vertex)[::-1])
    sweep = math.atan2(*(end_b - vertex)[::-1]) - start
    sweep = (sweep + math.pi) % (2 * math.pi) - math.pi
    angles = start + np.linspace(0.0, sweep, 24)
    return vertex + radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def draw_drawings(picture: np.ndarray, drawings: Sequence[Drawing], view: str, frame: int, scale: float,
                  offset: tuple[float, float] = (0.0, 0.0), text_scale: float = 0.5) -> None:
    """Draw the drawings of ``view`` visible at ``frame`` onto ``picture``.

    Parameters
    ----------
    picture : ndarray (H, W, 3) uint8
        Drawn on in place.
    drawings : sequence of Drawing
    scale : float
        Picture pixels per camera image pixel.
    offset : (float, float)
        Where the camera image's origin lies in ``picture``, pixels.
    """
    thickness = max(2, int(round(2.5 * max(scale, 0.8))))
    for drawing in drawings:
        if drawing.view != view or not drawing.visible_at(frame):
            continue
        colour = palette.bgr(drawing.colour)
        points = np.asarray(drawing.points, dtype=np.float64) * scale + offset
        if drawing.shape in ("line", "arrow", "freehand"):
            lines = [points] + (_arrow_barbs(points[0], points[1]) if drawing.shape == "arrow" else [])
            _stroke(picture, lines, colour, thickness)
        elif drawing.shape == "circle":
            radius = float(np.hypot(*(points[1] - points[0])))
            rim = points[0] + radius * np.stack([np.cos(t := np.linspace(0, 2 * np.pi, 72)), np.sin(t)], axis=1)
            _stroke(picture, [rim], colour, thickness, closed=True)
        elif drawing.shape == "text":
            for k, line in enumerate((drawing.text or " ").split("\n")):
                put_label(picture, line, (int(points[0][0]), int(points[0][1] + k * 26 * text_scale / 0.5)),
                          text_scale, colour, LABEL_BOX)
        elif drawing.shape == "angle":
            end_a, vertex, end_b = points
            _stroke(picture, [np.stack([end_a, vertex, end_b])], colour, thickness)
            radius = min(ANGLE_ARC_RADIUS * max(scale, 0.8), 0.45 * min(np.hypot(*(end_a - vertex)),
                                                                         np.hypot(*(end_b - vertex))))
            if radius > 2:
                _stroke(picture, [_arc(vertex, end_a, end_b, radius)], colour, max(1, thickness - 1))
            degrees = float(included_angle_deg(end_a, vertex, end_b))
            if np.isfinite(degrees):
                middle = (end_a - vertex) / max(np.hypot(*(end_a - vertex)), 1e-9) \
                    + (end_b - vertex) / max(np.hypot(*(end_b - vertex)), 1e-9)
                norm = np.hypot(*middle)
                place = vertex + (middle / norm if norm > 1e-6 else np.array([1.0, 0.0])) * (radius + 18)
                put_label(picture, f"{degrees:.0f}°", (int(place[0]) - 14, int(place[1]) - 10), text_scale, colour)


def active_marker(markers: Sequence[Marker], frame: int, fps: float) -> tuple[int, Marker] | None:
    """The marker whose caption shows at ``frame`` (the latest one begun within :data:`MARKER_CAPTION_SECONDS`),
    with its 1-based number in frame order; None."""
    ordered = sorted(markers, key=lambda marker: marker.frame)
    shown = None
    for number, marker in enumerate(ordered, start=1):
        if marker.frame <= frame < marker.frame + MARKER_CAPTION_SECONDS * fps:
            shown = (number, marker)
    return shown


def draw_marker_caption(image: np.ndarray, markers: Sequence[Marker], frame: int, fps: float, bottom: int,
                        text_scale: float = 0.55) -> None:
    """Write the note of the marker active at ``frame`` at the bottom left of the video area (above ``bottom``)."""
    shown = active_marker(markers, frame, fps)
    if shown is None:
        return
    number, marker = shown
    text = f"M{number}  {marker.note}" if marker.note else f"M{number}"
    height = int(34 * text_scale / 0.55)
    put_label(image, text, (8, bottom - height), text_scale, MARKER_COLOUR)
