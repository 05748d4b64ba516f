"""Simulated judges: several annotators score each take with noise."""

from __future__ import annotations

import numpy as np

JUDGE_COUNT = 5
JUDGE_BIAS_STD = 0.08
JUDGE_NOISE_STD = 0.12
SCORE_STEP = 0.05


def judge_scores(clean_score: float, judge_bias: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scores given by each judge to one take.

    Parameters
    ----------
    clean_score : float
        10 minus the sum of the take's penalty values, in points.
    judge_bias : ndarray, shape (A,)
        Each judge's constant leniency (+) or severity (-), points.
    rng : numpy Generator

    Returns
    -------
    ndarray, shape (A,), float32
        Points on a 0.05 grid, within [0, 10].
    """
    noisy = clean_score + judge_bias + rng.normal(0.0, JUDGE_NOISE_STD, judge_bias.shape)
    return np.clip(np.round(noisy / SCORE_STEP) * SCORE_STEP, 0.0, 10.0).astype(np.float32)


def judge_panel(rng: np.random.Generator, count: int = JUDGE_COUNT) -> np.ndarray:
    """A panel's constant biases ``(count,)`` in points."""
    return rng.normal(0.0, JUDGE_BIAS_STD, count)
