"""Training augmentation: backbone inputs replayed at a randomly varying pace."""

from __future__ import annotations

import numpy as np
import torch

#: Points of a warp's pace profile (linearly interpolated between them).
PACE_KNOTS = 4


def random_paces(rng: np.random.Generator, count: int, n_steps: int, strength: float) -> np.ndarray:
    """Per take, the source steps each output step advances by: ``(count, n_steps - 1)``, positive,
    summing to ``n_steps - 1`` (the take keeps its length and ends where it ended).

    The log pace is Gaussian with standard deviation ``strength`` at :data:`PACE_KNOTS`
    points spread over the take, linear in between.
    """
    knots = rng.normal(0.0, strength, size=(count, PACE_KNOTS))
    where = np.linspace(0.0, PACE_KNOTS - 1.0, n_steps - 1)
    pace = np.exp(np.stack([np.interp(where, np.arange(PACE_KNOTS), row) for row in knots]))
    return pace * (n_steps - 1) / pace.sum(axis=1, keepdims=True)


def time_warp(features: torch.Tensor, pace: torch.Tensor, n_coordinates: int) -> torch.Tensor:
    """Backbone inputs resampled along time at the given pace.

    Parameters
    ----------
    features : torch.Tensor, shape (M, D, S, J)
        As made by :func:`models.features.pose_features` (positions, velocities per
        frame, travel, duration, angles).
    pace : torch.Tensor, shape (M, S - 1)
        Source steps per output step (:func:`random_paces`); all ones leaves a take as it is.
    n_coordinates : int
        C; the velocity channels (C to 2 C) are scaled by the local pace, the motion
        per frame of a faster replay.

    Returns
    -------
    torch.Tensor, shape (M, D, S, J)
    """
    m, d, s, j = features.shape
    pace = pace.to(features.dtype)
    source = torch.cat([torch.zeros(m, 1, dtype=pace.dtype, device=pace.device), pace.cumsum(dim=1)], dim=1)
    source = source.clamp(0.0, s - 1.0)
    low = source.floor().long().clamp(max=s - 2)
    fraction = (source - low)[:, None, :, None]
    below = features.gather(2, low[:, None, :, None].expand(m, d, s, j))
    above = features.gather(2, (low + 1)[:, None, :, None].expand(m, d, s, j))
    warped = below * (1.0 - fraction) + above * fraction
    local = torch.cat([pace[:, :1], 0.5 * (pace[:, 1:] + pace[:, :-1]), pace[:, -1:]], dim=1)
    scale = torch.ones(m, d, s, 1, dtype=features.dtype, device=features.device)
    scale[:, n_coordinates:2 * n_coordinates] = local[:, None, :, None]
    return warped * scale
