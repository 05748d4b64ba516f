"""The report's pictures, drawn with OpenCV on light paper: kinematic curves and key frames.

:func:`curve_figure` stacks the curve groups of the workstation's Kinematics
panel (:data:`analysis.motion.kinematics.CURVE_GROUPS`) over a shared time axis,
with each penalty's frame span shaded and numbered and each marker drawn as a
vertical line. :func:`key_frame_picture` shows one view of one frame cut
down to the athlete, with the skeleton, angles and blurred face drawn as in
the clips (:func:`analysis.render.layouts.render_tile`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
import pandas as pd

from analysis.geometry.cameras import Camera
from analysis.motion.kinematics import CURVE_GROUP_BY_NAME, column_side
from analysis.render import palette
from analysis.render.drawing import SUBPIXEL, SUBPIXEL_SHIFT, put_text, text_width
from analysis.render.layouts import Tile, even, render_tile
from analysis.render.overlays import TakeOverlays

PAPER = palette.bgr(palette.REPORT_PAPER)
INK = palette.bgr(palette.REPORT_INK)
MUTED = palette.bgr(palette.REPORT_MUTED)
GRID = palette.bgr(palette.REPORT_GRID)
AXIS = palette.bgr(palette.REPORT_AXIS)
SPAN = palette.bgr(palette.PENALTY_SPAN)
MARKER = palette.bgr(palette.REPORT_MARKER)
SIDE_CURVES = {"left": palette.bgr(palette.LEFT_SIDE), "right": palette.bgr(palette.RIGHT_SIDE),
               None: palette.bgr(palette.REPORT_CENTRE_CURVE)}
LEFT_MARGIN, RIGHT_MARGIN, TITLE_HEIGHT, AXIS_HEIGHT = 62, 14, 24, 30
TEXT_SCALE = 0.45
KEY_FRAME_HEIGHT = 320


@dataclass(frozen=True)
class FigureSpan:
    """A shaded frame span: ``label`` (a penalty's number) over frames ``start`` .. ``end`` (exclusive)."""

    label: str
    start: int
    end: int


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """About ``count`` round tick values (1, 2 or 5 times a power of ten apart) inside ``[low, high]``."""
    if not np.isfinite(low) or not np.isfinite(high) or high <= low:
        return np.array([low]) if np.isfinite(low) else np.empty(0)
    raw = (high - low) / max(count, 1)
    power = 10.0 ** np.floor(np.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return np.arange(np.ceil(low / step) * step, high + step * 1e-9, step)


def tick_labels(ticks: np.ndarray) -> list[str]:
    """Tick values written with as many decimals as their spacing needs (never ``-0``)."""
    step = float(np.min(np.diff(ticks))) if len(ticks) > 1 else 1.0
    decimals = max(0, int(-np.floor(np.log10(step) + 1e-9))) if step > 0 else 0
    return [f"{round(float(value), decimals) + 0.0:.{decimals}f}" for value in ticks]


def _polyline(image: np.ndarray, xs: np.ndarray, ys: np.ndarray, colour, thickness: int) -> None:
    """Anti-aliased line through the finite points, broken where a value is missing."""
    finite = np.isfinite(ys)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(np.int8), [0]])))
    points = np.round(np.stack([xs, np.nan_to_num(ys)], axis=1) * SUBPIXEL).astype(np.int32)
    pieces = [points[start:stop] for start, stop in zip(edges[::2], edges[1::2]) if stop - start >= 2]
    if pieces:
        cv2.polylines(image, pieces, False, colour, thickness, cv2.LINE_AA, SUBPIXEL_SHIFT)


def _dashed_vertical(image: np.ndarray, x: int, top: int, bottom: int, colour, dash: int = 5) -> None:
    for y in range(top, bottom, 2 * dash):
        cv2.line(image, (x, y), (x, min(y + dash, bottom)), colour, 1, cv2.LINE_AA)


def _shade(image: np.ndarray, left: int, right: int, top: int, bottom: int) -> None:
    region = image[top:bottom, max(left, 0):max(right, left + 1)]
    region[:] = (region * (1 - palette.REPORT_SPAN_ALPHA) + np.array(SPAN) * palette.REPORT_SPAN_ALPHA).astype(np.uint8)


def curve_figure(kinematics: pd.DataFrame, groups: Sequence[str], fps: float, spans: Sequence[FigureSpan] = (),
                 markers: Sequence[tuple[str, int]] = (), width: int = 960, plot_height: int = 150) -> np.ndarray:
    """Stacked plots of kinematic curve groups against time, with penalty spans and markers.

    Parameters
    ----------
    kinematics : DataFrame
        One row per frame (:func:`analysis.motion.kinematics.take_kinematics`).
    groups : sequence of str
        Keys of :data:`analysis.motion.kinematics.CURVE_GROUP_BY_NAME`, top to bottom.
    fps : float
        Frames per second (the time axis is in seconds).
    spans : sequence of FigureSpan
        Shaded in every plot and labelled at the top of the first.
    markers : sequence of (label, frame)
        Drawn as dashed vertical lines, labelled under the last plot.

    Returns
    -------
    ndarray (H, width, 3) uint8, BGR
    """
    n_frames = len(kinematics)
    height = len(groups) * (plot_height + TITLE_HEIGHT) + AXIS_HEIGHT
    image = np.empty((height, width, 3), np.uint8)
    image[:] = PAPER
    right = width - RIGHT_MARGIN
    last = max(n_frames - 1, 1)

    def x_of(frame: float) -> float:
        return LEFT_MARGIN + (right - LEFT_MARGIN) * frame / last

    time_ticks = nice_ticks(0.0, last / fps, 8)
    for row, name in enumerate(groups):
        group = CURVE_GROUP_BY_NAME[name]
        top = row * (plot_height + TITLE_HEIGHT) + TITLE_HEIGHT
        bottom = top + plot_height
        put_text(image, f"{group.title} ({group.unit})", (LEFT_MARGIN, top - 7), TEXT_SCALE + 0.05, INK)
        columns = [column for column in group.columns if column in kinematics]
        values = kinematics[columns].to_numpy(dtype=np.float64) if columns else np.empty((n_frames, 0))
        finite = values[np.isfinite(values)]
        low, high = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
        pad = max(0.06 * (high - low), 1e-3)
        low, high = low - pad, high + pad

        def y_of(value: np.ndarray, low=low, high=high, top=top, bottom=bottom) -> np.ndarray:
            return bottom - (bottom - top) * (value - low) / (high - low)

        for span in spans:
            _shade(image, int(x_of(span.start)), int(x_of(max(span.end - 1, span.start))) + 1, top, bottom)
        value_ticks = nice_ticks(low, high, 4)
        for tick, text in zip(value_ticks, tick_labels(value_ticks)):
            y = int(round(y_of(tick)))
            cv2.line(image, (LEFT_MARGIN, y), (right, y), GRID, 1)
            put_text(image, text, (LEFT_MARGIN - 6 - text_width(text, TEXT_SCALE), y + 5), TEXT_SCALE, MUTED)
        for tick in time_ticks:
            cv2.line(image, (int(round(x_of(tick * fps))), top), (int(round(x_of(tick * fps))), bottom), GRID, 1)
        cv2.rectangle(image, (LEFT_MARGIN, top), (right, bottom), AXIS, 1)
        frames = np.arange(n_frames)
        for column in columns:
            _polyline(image, x_of(frames), y_of(kinematics[column].to_numpy(dtype=np.float64)),
                      SIDE_CURVES[column_side(column)], 2)
        legend_x = right
        for side in ("right", "left"):
            if any(column_side(c) == side for c in columns):
                legend_x -= text_width(side, TEXT_SCALE) + 30
                cv2.line(image, (legend_x, top - 11), (legend_x + 18, top - 11), SIDE_CURVES[side], 2, cv2.LINE_AA)
                put_text(image, side, (legend_x + 22, top - 7), TEXT_SCALE, MUTED)
        for label, frame in markers:
            _dashed_vertical(image, int(round(x_of(frame))), top, bottom, MARKER)
        if row == 0:
            taken = LEFT_MARGIN   # labels of spans starting together go side by side
            for span in sorted(spans, key=lambda s: s.start):
                x = max(int(x_of(span.start)) + 3, taken)
                put_text(image, span.label, (x, top + 15), TEXT_SCALE, SPAN, 1)
                taken = x + text_width(span.label, TEXT_SCALE) + 6
    axis_top = len(groups) * (plot_height + TITLE_HEIGHT)
    for tick, label in zip(time_ticks, tick_labels(time_ticks)):
        text = f"{label} s"
        put_text(image, text, (int(x_of(tick * fps)) - text_width(text, TEXT_SCALE) // 2, axis_top + 16),
                 TEXT_SCALE, MUTED)
    for label, frame in markers:
        put_text(image, label, (int(round(x_of(frame))) - text_width(label, TEXT_SCALE) // 2, axis_top + 28),
                 TEXT_SCALE, MARKER)
    return image


def athlete_box(points: np.ndarray, width: int, height: int, margin: float = 0.3, aspect: float = 4 / 3,
                min_fraction: float = 0.35) -> tuple[int, int, int, int]:
    """The part of a camera image around the athlete: the 2D box of ``points`` grown by ``margin`` per side.

    Parameters
    ----------
    points : ndarray (J, 2)
        The athlete's joints, camera pixels; NaN where missing (none present: the whole image).
    width, height : int
        The camera image's size, pixels.
    aspect : float
        Width / height of the box, which also keeps at least ``min_fraction`` of the image's height.

    Returns
    -------
    (left, top, width, height) : int, camera pixels, inside the image.
    """
    present = points[np.isfinite(points).all(axis=1)]
    if len(present) == 0:
        return 0, 0, width, height
    low, high = present.min(axis=0), present.max(axis=0)
    box_w, box_h = (high - low) * (1 + 2 * margin)
    crop_h = min(max(box_h, box_w / aspect, min_fraction * height), height)
    crop_w = min(crop_h * aspect, width)
    centre = (low + high) / 2
    left = int(np.clip(centre[0] - crop_w / 2, 0, width - crop_w))
    top = int(np.clip(centre[1] - crop_h / 2, 0, height - crop_h))
    return left, top, max(int(crop_w), 2), max(int(crop_h), 2)


def key_frame_picture(camera: Camera, image: np.ndarray | None, take: TakeOverlays, view: int, frame: int,
                      title: str, height: int = KEY_FRAME_HEIGHT) -> np.ndarray:
    """One view of one frame cut down to the athlete and enlarged, with the take's overlays drawn at that size.

    Parameters
    ----------
    camera : Camera
        The view's camera.
    image : ndarray (camera.height, camera.width, 3) uint8 or None
        The decoded frame; None draws the skeleton on a neutral background.
    take : TakeOverlays
        Skeleton points, angles and faces of every view; ``view`` indexes them.
    title : str
        Written in the top-left corner.
    height : int
        Output height, pixels.

    Returns
    -------
    ndarray (height, W, 3) uint8, BGR; W keeps the box's aspect (even).
    """
    points = take.points[view, frame] if take.points is not None else np.full((take.skeleton.n_joints, 2), np.nan)
    left, top, box_w, box_h = athlete_box(points, camera.width, camera.height)
    offset = np.array([left, top], dtype=np.float64)
    shifted_k = camera.K.copy()
    shifted_k[:2, 2] -= offset
    box_camera = replace(camera, K=shifted_k, width=box_w, height=box_h)
    one = take.in_view(view)
    faces = None if one.faces is None else np.concatenate([one.faces[..., :2] - offset, one.faces[..., 2:]], axis=-1)
    shifted = replace(one, points=None if one.points is None else one.points - offset, faces=faces)
    crop = None if image is None else np.ascontiguousarray(image[top:top + box_h, left:left + box_w])
    canvas = np.empty((height, even(height * box_w / box_h), 3), np.uint8)
    render_tile(canvas, Tile(0, 0, canvas.shape[1], height, box_camera), crop, shifted, 0, frame, title)
    return canvas
