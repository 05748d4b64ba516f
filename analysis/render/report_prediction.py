"""The model's verdict as a take's report shows it (Qt-free, torch-free)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ReportPrediction:
    """The model's verdict on the take.

    Attributes
    ----------
    score : float
    penalty_codes : tuple of str
        The P items of the model's heads.
    probabilities : ndarray (P,)
    heatmap : ndarray (P, T)
    model : str
        Which model (name and version).
    exemplars : tuple of str
        The exemplars it compared the take with, for people.
    interval : (float, float) or None
        The score interval (low, high) at ``interval_coverage``; None for a model without calibration.
    interval_coverage : float or None
        Its nominal coverage, e.g. 0.9.
    """

    score: float
    penalty_codes: tuple[str, ...]
    probabilities: np.ndarray
    heatmap: np.ndarray
    model: str
    exemplars: tuple[str, ...] = ()
    interval: tuple[float, float] | None = None
    interval_coverage: float | None = None
