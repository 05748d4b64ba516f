"""Step 1 of synchronization: view offsets from the correlation of the views' motion.

The motion of every view (:mod:`analysis.geometry.sync_signals`) is compared
with every other view's over a range of lags; each pair's best lag enters a
robust least-squares fit of one offset per view, the reference's fixed at 0.
Each pair weighs by its correlation and how clearly its peak stands out, and
a soft L1 loss keeps the few pairs that lined up the wrong people or a wrong
peak from pulling the others.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.optimize import least_squares

from analysis.geometry.sync_result import (
    CORRELATING,
    DEFAULT_MAX_OFFSET,
    MEASURING,
    Progress,
    SyncResult,
    ViewSync,
    check_cancel,
)
from analysis.geometry.sync_signals import (
    LagPeak,
    ViewPair,
    compare_views,
    view_signals,
)

#: Scale of the robust loss: pairs that disagree with the fit by more than this weigh less, frames.
_OUTLIER_FRAMES = 1.5


def _fit_offsets(n_views: int, reference: int, peaks: dict[tuple[int, int], LagPeak]) -> np.ndarray:
    """Offsets ``(V,)`` (float) that best explain the pairwise lags, the reference's fixed at 0 (see the module)."""
    pairs = [pair for pair, peak in peaks.items() if peak.correlation > 0]
    first = np.array([i for i, _ in pairs])
    second = np.array([j for _, j in pairs])
    lags = np.array([peaks[pair].lag for pair in pairs], dtype=float)
    weights = np.sqrt([peaks[pair].correlation * (0.05 + peaks[pair].quality) for pair in pairs])
    free = [v for v in range(n_views) if v != reference]

    def offsets_of(x: np.ndarray) -> np.ndarray:
        offsets = np.zeros(n_views)
        offsets[free] = x
        return offsets

    def residuals(x: np.ndarray) -> np.ndarray:
        offsets = offsets_of(x)
        return weights * (offsets[second] - offsets[first] - lags)

    start = np.zeros(len(free))
    for k, v in enumerate(free):
        direct = [peaks[pair].lag * (1 if pair[0] == reference else -1)
                  for pair in pairs if set(pair) == {reference, v}]
        start[k] = direct[0] if direct else 0.0
    fitted = least_squares(residuals, start, loss="soft_l1", f_scale=_OUTLIER_FRAMES * float(np.median(weights)))
    return offsets_of(fitted.x)


def correlate_views(view_names: Sequence[str], people: list[list[np.ndarray]], reference: str | None = None,
                    max_offset: int = DEFAULT_MAX_OFFSET, flip: np.ndarray | None = None,
                    progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> SyncResult:
    """Offsets from the correlation of the views' motion (step 1 of the module's method).

    Parameters
    ----------
    view_names : sequence of str, length V
    people : list (V) of list (T) of ndarray (P, J, 3)
        Everyone detected, per view and frame (x, y pixels, confidence).
    reference : str, optional
        The view the others are measured against (default: the first).
    max_offset : int
        Largest offset looked for, frames.
    flip : ndarray (J,), optional
        The skeleton's left/right permutation (makes the motion blind to side swaps).

    Raises
    ------
    ValueError
        For fewer than two views, an unknown reference, or a view whose motion
        matches no other view's.
    """
    names = list(view_names)
    if len(names) < 2:
        raise ValueError("synchronization needs at least two views")
    reference = names[0] if reference is None else reference
    if reference not in names:
        raise ValueError(f"no view named {reference!r}; views are {', '.join(names)}")
    signals = []
    for index, frames in enumerate(people):
        check_cancel(cancelled)
        signals.append(view_signals(frames, flip))
        if progress is not None:
            progress(MEASURING, index + 1, len(people))
    n_pairs = len(names) * (len(names) - 1) // 2
    pairs: dict[tuple[int, int], ViewPair] = {}
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            check_cancel(cancelled)
            pairs[i, j] = compare_views(signals[i], signals[j], max_offset)
            if progress is not None:
                progress(CORRELATING, len(pairs), n_pairs)
    peaks = {pair: compared.peak for pair, compared in pairs.items() if compared.peak is not None}
    linked = {index for pair in peaks for index in pair if peaks[pair].correlation > 0}
    unlinked = [names[v] for v in range(len(names)) if v not in linked]
    if unlinked:
        raise ValueError(f"{', '.join(unlinked)}: no motion in common with any other view within "
                         f"±{max_offset} frames; check the keypoints, or raise the largest offset")
    ref = names.index(reference)
    offsets = np.rint(_fit_offsets(len(names), ref, peaks)).astype(int)
    views = {}
    for v, name in enumerate(names):
        if v == ref:
            views[name] = ViewSync(0)
            continue
        pair, sign = ((ref, v), 1) if ref < v else ((v, ref), -1)
        lag = sign * int(offsets[v])
        curve = pairs[pair].correlation
        correlation = float(curve[lag + max_offset]) if abs(lag) <= max_offset else float("nan")
        quality = peaks[pair].quality if pair in peaks else 0.0
        views[name] = ViewSync(int(offsets[v]), None if np.isnan(correlation) else correlation, quality)
    return SyncResult(reference, views)
