"""Synchronizing the views of a recording from their 2D keypoints.

Each view's clock may start at another moment: what the reference view sees
at its frame ``n`` another view sees at its frame ``n + offset``.
:func:`synchronize` estimates the offsets in two steps: the correlation of
the views' motion (:mod:`analysis.geometry.sync_correlation`), then, when the
cameras are known, the offsets near those that triangulate best
(:mod:`analysis.geometry.sync_refine`). The result, the views put on one
clock and the file are in :mod:`analysis.geometry.sync_result`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from analysis.geometry.cameras import Camera
from analysis.geometry.keypoints_io import KeypointViews
from analysis.geometry.sync_correlation import correlate_views
from analysis.geometry.sync_refine import refine_with_calibration
from analysis.geometry.sync_result import (
    DEFAULT_MAX_OFFSET,
    DEFAULT_SEARCH,
    Progress,
    SyncResult,
)


def synchronize(keypoints: KeypointViews, cameras: Sequence[Camera] | None = None, reference: str | None = None,
                max_offset: int = DEFAULT_MAX_OFFSET, search: int = DEFAULT_SEARCH, flip: np.ndarray | None = None,
                progress: Progress | None = None, cancelled: Callable[[], bool] | None = None) -> SyncResult:
    """Estimate every view's offset: correlation, then (with ``cameras``) the calibration's refinement.

    Parameters
    ----------
    keypoints : KeypointViews
        Everyone detected, per view and frame, on the views' own clocks.
    cameras : sequence of Camera, optional
        The views' cameras, in ``keypoints.view_names`` order.
    reference : str, optional
        The view the others are measured against (default: the first).
    max_offset : int
        Largest offset looked for, frames.
    search : int
        Candidates tried on each side of the correlation's offsets, frames.
    flip : ndarray (J,), optional
        The skeleton's left/right permutation.
    progress : callable, optional
        ``progress(stage, done, total)``.
    cancelled : callable, optional
        Returns True to stop: :class:`analysis.geometry.sync_result.SyncCancelled` is raised.

    Raises
    ------
    ValueError
        See :func:`analysis.geometry.sync_correlation.correlate_views`.
    """
    result = correlate_views(keypoints.view_names, keypoints.people, reference, max_offset, flip, progress, cancelled)
    if cameras is None:
        return result
    return refine_with_calibration(result, cameras, keypoints.people, search, progress=progress, cancelled=cancelled)
