"""Choosing one person per view when a detector reports several.

The athlete is the person that the views agree on: every pair of candidate
detections from two different views is triangulated, reprojected into all
views, and scored by how well each view's closest candidate matches it. Two
real people are both consistent across views, so the score also counts the
distance from the athlete's previous position (the first frame with one
person per view starts the track). The best hypothesis fixes the person in
every view; a view whose closest candidate is still far from it (someone
else, with the athlete missed) is left empty for that frame.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations

import numpy as np

from analysis.geometry.cameras import Camera, project_all
from analysis.geometry.triangulation import triangulate_dlt

#: Median joint distance (pixels) beyond which a view's closest candidate is not the athlete.
DEFAULT_GATE_PX = 50.0
#: Score, in pixels, of one metre between a hypothesis and the athlete's previous position.
_PX_PER_METRE_MOVED = 200.0


def median_distance(projected: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Median over joints of the pixel distance, shape (H, P), inf where nothing overlaps.

    ``projected`` is (H, J, 2) and ``candidates`` (P, J, 3).
    """
    distance = np.sort(np.linalg.norm(projected[:, None] - candidates[None, :, :, :2], axis=-1), axis=-1)  # (H, P, J)
    count = np.isfinite(distance).sum(axis=-1, keepdims=True)     # NaN sorts last: the finite ones come first
    low = np.take_along_axis(distance, np.maximum(count - 1, 0) // 2, axis=-1)[..., 0]
    high = np.take_along_axis(distance, np.minimum(count // 2, distance.shape[-1] - 1), axis=-1)[..., 0]
    return np.where(count[..., 0] > 0, (low + high) / 2, np.inf)


def _centre(points: np.ndarray) -> np.ndarray:
    """Mean of the finite points ``(..., J, 3)`` over joints, ``(..., 3)``; NaN if none."""
    finite = np.isfinite(points).all(axis=-1)
    count = finite.sum(axis=-1)[..., None]
    total = np.where(finite[..., None], points, 0.0).sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _locate(cameras: list[Camera], chosen: np.ndarray) -> np.ndarray | None:
    """Centre (3,) of the person chosen in every view ``(V, J, 3)``, or None if it cannot be triangulated."""
    points = triangulate_dlt(cameras, chosen[:, None, :, :2], chosen[:, None, :, 2])[0]
    centre = _centre(points)
    return centre if np.isfinite(centre).all() else None


def _views_agree(cameras: list[Camera], chosen: np.ndarray, gate_px: float) -> bool:
    """Whether one person per view ``(V, J, 3)`` reprojects within ``gate_px`` (median) in every view."""
    points = triangulate_dlt(cameras, chosen[:, None, :, :2], chosen[:, None, :, 2])
    if not np.isfinite(points).any():
        return True
    projected = project_all(cameras, points)[:, 0]
    return all(median_distance(projected[v][None], chosen[v][None])[0, 0] <= gate_px
               for v in range(len(cameras)) if np.isfinite(chosen[v, :, :2]).any())


def select_person(cameras: list[Camera], people: list[np.ndarray], gate_px: float = DEFAULT_GATE_PX,
                  previous: np.ndarray | None = None) -> np.ndarray:
    """One detection per view for one frame.

    Parameters
    ----------
    cameras : list of Camera, length V
    people : list (V) of ndarray (P_v, J, 3)
        Candidates per view: x, y pixels (NaN where missing) and confidence.
    previous : ndarray, shape (3,), optional
        Where the athlete was last seen (world, metres): breaks ties between
        people who are all consistent across views.
    gate_px : float
        A view whose best candidate is further than this (median over joints)
        from the agreed person is left empty.

    Returns
    -------
    ndarray, shape (V, J, 3)
        x, y, confidence; NaN x, y and confidence 0 for empty views.
    """
    n_joints = next(p.shape[1] for p in people)
    out = np.full((len(cameras), n_joints, 3), np.nan)
    out[..., 2] = 0.0
    counts = [p.shape[0] for p in people]
    if max(counts) <= 1:
        for v, candidates in enumerate(people):
            if candidates.shape[0]:
                out[v] = candidates[0]
        if _views_agree(cameras, out, gate_px):
            return out
        out[..., :2], out[..., 2] = np.nan, 0.0
    seen = [v for v, count in enumerate(counts) if count]
    best_score, best_points = np.inf, None
    for a, b in combinations(seen, 2):
        pairs = [(i, j) for i in range(counts[a]) for j in range(counts[b])]
        pixels = np.stack([np.stack([people[a][i] for i, _ in pairs]), np.stack([people[b][j] for _, j in pairs])])
        points = triangulate_dlt([cameras[a], cameras[b]], pixels[..., :2], pixels[..., 2])  # (H, J, 3)
        projected = project_all(cameras, points)
        score = np.zeros(len(pairs))
        for v in seen:
            score += np.minimum(median_distance(projected[v], people[v]).min(axis=1), 10 * gate_px)
        if previous is not None:
            moved = np.linalg.norm(_centre(points) - previous, axis=-1)
            score += _PX_PER_METRE_MOVED * np.nan_to_num(moved, nan=10.0)
        index = int(np.argmin(score))
        if score[index] < best_score:
            best_score, best_points = score[index], points[index]
    if best_points is None:
        v = seen[0]
        out[v] = people[v][int(np.argmax(people[v][..., 2].mean(axis=1)))]
        return out
    projected = project_all(cameras, best_points[None])[:, 0]
    for v in seen:
        distance = median_distance(projected[v][None], people[v])[0]
        choice = int(np.argmin(distance))
        if distance[choice] <= gate_px:
            out[v] = people[v][choice]
    return out


def select_people(
    cameras: list[Camera],
    people: list[list[np.ndarray]],
    gate_px: float = DEFAULT_GATE_PX,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """One detection per view and frame: ``pose2d`` of shape (V, T, J, 3), float32.

    Parameters
    ----------
    cameras : list of Camera, length V
    people : list (V) of list (T) of ndarray (P, J, 3)
    gate_px : float
        See :func:`select_person`.
    progress : callable, optional
        Called with (frames done, frames in all).
    """
    n_frames = len(people[0])
    previous = None
    for t in range(n_frames):
        frame = [view[t] for view in people]
        if max(p.shape[0] for p in frame) == 1:
            previous = _locate(cameras, select_person(cameras, frame, gate_px))
            if previous is not None:
                break
    frames = []
    for t in range(n_frames):
        chosen = select_person(cameras, [view[t] for view in people], gate_px, previous)
        frames.append(chosen)
        located = _locate(cameras, chosen)
        if located is not None:
            previous = located
        if progress is not None:
            progress(t + 1, n_frames)
    return np.stack(frames, axis=1).astype(np.float32)
