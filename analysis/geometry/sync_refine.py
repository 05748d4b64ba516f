"""Step 2 of synchronization: the calibration chooses among the offsets near the correlation's.

At the correlation's offsets the athlete is picked in every view
(:func:`analysis.geometry.person_selection.select_people`) on up to
``samples`` frames spread over the recording. Then, view by view, each
candidate offset within ``search`` frames is scored by how well the view's
detections at that offset (the person nearest the one picked) agree with the
3D triangulated from the other views: the median reprojection error, pixels,
through the :class:`analysis.geometry.rig.CameraRig`. The best candidate is
kept, and the pass is repeated once with the improved offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np

from analysis.geometry.cameras import Camera, project_all
from analysis.geometry.person_selection import median_distance, select_people
from analysis.geometry.rig import CameraRig
from analysis.geometry.sync_result import (
    DEFAULT_SEARCH,
    REFINING,
    SELECTING,
    Progress,
    SyncResult,
    check_cancel,
    shift_people,
)
from analysis.geometry.triangulation import reprojection_errors

#: Frames the athlete is picked in and the candidates are compared on.
DEFAULT_SAMPLES = 80
#: Passes over the views.
_PASSES = 2


def _sample_frames(n_frames: int, margin: int, samples: int) -> np.ndarray:
    """Up to ``samples`` frame indices spread evenly over ``margin .. n_frames - margin - 1``."""
    first, last = margin, n_frames - margin - 1
    if last < first:
        raise ValueError(f"the views share only {n_frames} frames, too few to compare offsets ±{margin} frames apart")
    return np.unique(np.linspace(first, last, min(samples, last - first + 1)).round().astype(int))


def _nearest(people: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """The person of ``people`` ``(P, J, 3)`` nearest ``anchor`` ``(J, 3)`` (median joint distance), or all NaN."""
    if people.shape[0] == 0 or not np.isfinite(anchor[:, 0]).any():
        empty = np.full(anchor.shape, np.nan)
        empty[:, 2] = 0.0
        return empty
    return people[int(np.argmin(median_distance(anchor[None, :, :2], people)[0]))]


def _median_error(camera: Camera, points: np.ndarray, detections: np.ndarray, min_confidence: float) -> float:
    """Median distance (px) between ``detections`` ``(S, J, 3)`` and ``points`` ``(S, J, 3)`` seen by ``camera``."""
    errors = reprojection_errors(project_all([camera], points), detections[None, ..., :2])[0]
    usable = np.isfinite(errors) & (detections[..., 2] >= min_confidence)
    return float(np.median(errors[usable])) if usable.any() else float("inf")


def _candidate_misfits(rig: CameraRig, pose2d: np.ndarray, view: int,
                       candidates: dict[int, np.ndarray]) -> dict[int, float]:
    """How well each candidate ``(S, J, 3)`` of ``view`` fits the other views of ``pose2d`` ``(V, S, J, 3)``.

    The median reprojection error, pixels, of the view's detections against
    the points triangulated without it. With only two views there is nothing
    to triangulate without it: each candidate is triangulated with the other
    view and the mean of both views' median errors is taken.
    """
    if len(rig.cameras) >= 3:
        points = rig.triangulate(pose2d, excluded_views=[rig.view_names[view]]).points
        return {delta: _median_error(rig.cameras[view], points, detections, rig.min_confidence)
                for delta, detections in candidates.items()}
    misfits = {}
    for delta, detections in candidates.items():
        trial = pose2d.copy()
        trial[view] = detections
        points = rig.triangulate(trial).points
        misfits[delta] = float(np.mean([_median_error(camera, points, trial[v], rig.min_confidence)
                                        for v, camera in enumerate(rig.cameras)]))
    return misfits


def refine_with_calibration(result: SyncResult, cameras: Sequence[Camera], people: list[list[np.ndarray]],
                            search: int = DEFAULT_SEARCH, samples: int = DEFAULT_SAMPLES,
                            progress: Progress | None = None,
                            cancelled: Callable[[], bool] | None = None) -> SyncResult:
    """The candidate offsets near ``result``'s that triangulate best (see the module).

    Parameters
    ----------
    result : SyncResult
        From :func:`analysis.geometry.sync_correlation.correlate_views`, for the same views.
    cameras : sequence of Camera, length V
        The camera of each view, in ``result.views`` order.
    people : list (V) of list (T) of ndarray (P, J, 3)
        Everyone detected, per view and frame, on the views' own clocks.
    search : int
        Candidates ``offset - search .. offset + search`` are tried per view.
    samples : int
        Frames the candidates are compared on.
    """
    names = list(result.views)
    shifted = shift_people(people, [result.views[name].offset for name in names]).people
    n_frames = len(shifted[0])
    frames = _sample_frames(n_frames, search, samples)

    def selecting(done: int, total: int) -> None:
        check_cancel(cancelled)
        if progress is not None:
            progress(SELECTING, done, total)

    picked = select_people(list(cameras), [[view[t] for t in frames] for view in shifted],
                           progress=selecting).astype(np.float64)

    def detections(view: int, delta: int) -> np.ndarray:
        """The view's athlete ``(S, J, 3)`` when its clock is moved by ``delta`` frames."""
        return np.stack([_nearest(shifted[view][t + delta], picked[view, s]) for s, t in enumerate(frames)])

    rig = CameraRig(cameras, source="synchronization")
    ref = names.index(result.reference)
    current = picked.copy()
    deltas = np.zeros(len(names), dtype=int)
    misfits = np.full(len(names), np.inf)
    steps = _PASSES * len(names)
    for step in range(steps):
        view = step % len(names)
        check_cancel(cancelled)
        tried = [0] if view == ref else range(-search, search + 1)
        candidates = {delta: detections(view, delta) for delta in tried}
        scores = _candidate_misfits(rig, current, view, candidates)
        best = min(scores, key=lambda delta: (scores[delta], abs(delta)))
        deltas[view], misfits[view], current[view] = best, scores[best], candidates[best]
        if progress is not None:
            progress(REFINING, step + 1, steps)
    views = {name: replace(sync, offset=sync.offset + int(deltas[v]),
                           reprojection_px=float(misfits[v]) if np.isfinite(misfits[v]) else None)
             for v, (name, sync) in enumerate(result.views.items())}
    return SyncResult(result.reference, views, refined=True)
