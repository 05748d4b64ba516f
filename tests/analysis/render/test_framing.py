"""Framing the athlete in a zoomed tile: the whole body at every phase, one zoom for the take."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.render.framing import athlete_boxes, athlete_window

WIDTH, HEIGHT = 640, 360


def round_off_in_the_image(n_frames: int = 150) -> np.ndarray:
    """2D detections ``(T, 17, 3)`` of a 150 px tall figure that runs, turns over through a handstand, flies
    and lands, moving across the image; a few frames and joints undetected."""
    rng = np.random.default_rng(5)
    standing = np.column_stack([rng.uniform(-25, 25, 17), np.linspace(-150, 0, 17)])   # head up, feet at y = 0
    t = np.linspace(0.0, 1.0, n_frames)
    turn = 2 * np.pi * np.clip((t - 0.3) / 0.5, 0, 1)                   # one full turn, handstand half-way
    rotation = np.stack([np.stack([np.cos(turn), -np.sin(turn)], 1), np.stack([np.sin(turn), np.cos(turn)], 1)], 1)
    hips = np.column_stack([100 + 420 * t, 300 - 90 * np.sin(np.pi * np.clip((t - 0.5) / 0.3, 0, 1))])
    points = np.einsum("tij,kj->tki", rotation, standing - (0, -75)) + hips[:, None, :]
    pose = np.concatenate([points, np.full((n_frames, 17, 1), 0.9)], axis=2)
    pose[40:43] = np.nan
    pose[::7, 3] = np.nan
    return pose


@pytest.mark.parametrize("aspect", [0.6, 16 / 9, 4.0])
def test_the_whole_body_is_in_the_window_with_a_margin_at_every_frame(aspect):
    pose = round_off_in_the_image()
    boxes = athlete_boxes(pose)
    sizes = set()
    for frame in range(len(pose)):
        left, top, width, height = athlete_window(boxes, frame, WIDTH, HEIGHT, aspect)
        assert width / height == pytest.approx(aspect)
        sizes.add((round(width, 6), round(height, 6)))
        seen = pose[frame, np.isfinite(pose[frame, :, 0]), :2]
        if not len(seen):
            continue
        low, high = seen.min(axis=0), seen.max(axis=0)
        margin = 0.1 * (high - low).max()
        assert left + margin <= low[0] and high[0] <= left + width - margin, frame
        assert top + margin <= low[1] and high[1] <= top + height - margin, frame
    assert len(sizes) == 1                                                # one zoom for the take: no pumping


def test_a_view_without_detections_shows_the_whole_image():
    boxes = athlete_boxes(np.full((20, 17, 3), np.nan))
    assert np.isnan(boxes).all()
    left, top, width, height = athlete_window(boxes, 5, WIDTH, HEIGHT, 3.0)
    assert (left, top) == (pytest.approx(-(1080 - WIDTH) / 2), pytest.approx(0.0)) and height == HEIGHT
    left, top, width, height = athlete_window(boxes, 5, WIDTH, HEIGHT, 1.0)
    assert (left, top, width, height) == (0.0, pytest.approx(-(WIDTH - HEIGHT) / 2), WIDTH, WIDTH)
