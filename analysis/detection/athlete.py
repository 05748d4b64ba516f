"""Picking the athlete among everyone detected, the same person in every view and frame.

Frame by frame, :func:`analysis.geometry.person_selection.select_people`
finds the person the calibrated views agree on. Tracks then make the choice
consistent in time: a track belongs to the athlete when that selection chose
it in more than half of the frames where it was seen, and the athlete of a
view at a frame is the detection of such a track (the selected one if two
are seen at once). A frame where the selection wavered, or left a view
empty, keeps the athlete that the view's track follows; a bystander the
selection picked now and then is not taken.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from analysis.geometry.cameras import Camera
from analysis.geometry.person_selection import DEFAULT_GATE_PX, select_people

#: A track is the athlete's when the selection chose it in more than this share of its frames.
ATHLETE_SHARE = 0.5


def _chosen_index(candidates: np.ndarray, chosen: np.ndarray) -> int | None:
    """Which of ``candidates`` (P, J, 3) ``select_people`` returned as ``chosen`` (J, 3), or None."""
    if not np.isfinite(chosen[:, :2]).any():
        return None
    same = [np.array_equal(c.astype(np.float32), chosen, equal_nan=True) for c in candidates]
    return same.index(True) if any(same) else None


def pick_athlete(cameras: list[Camera], people: list[list[np.ndarray]], ids: list[list[np.ndarray]],
                 gate_px: float = DEFAULT_GATE_PX,
                 progress: Callable[[int, int], None] | None = None) -> list[list[int | None]]:
    """Index of the athlete among each view's detections at each frame.

    Parameters
    ----------
    cameras : list of Camera, length V
    people : list (V) of list (T) of ndarray (P, J, 3)
        Everyone detected: x, y pixels (NaN where missing) and confidence.
    ids : list (V) of list (T) of ndarray (P,) int
        Track id of each detection, per view.
    gate_px : float
        See :func:`analysis.geometry.person_selection.select_person`.
    progress : callable, optional
        Called with (frames done, frames in all) during the selection.

    Returns
    -------
    list (V) of list (T) of int or None
        None where the athlete is not seen in that view.
    """
    selected = select_people(cameras, people, gate_px, progress)          # (V, T, J, 3)
    picks: list[list[int | None]] = []
    for v, (frames, frame_ids) in enumerate(zip(people, ids)):
        chosen = [_chosen_index(candidates, selected[v, t]) for t, candidates in enumerate(frames)]
        seen = Counter(int(i) for track_ids in frame_ids for i in track_ids)
        votes = Counter(int(frame_ids[t][c]) for t, c in enumerate(chosen) if c is not None)
        athlete = {track for track, count in votes.items() if count > ATHLETE_SHARE * seen[track]}
        view_picks: list[int | None] = []
        for t, track_ids in enumerate(frame_ids):
            mine = [i for i, track in enumerate(track_ids.tolist()) if track in athlete]
            if chosen[t] in mine or not mine:
                view_picks.append(chosen[t] if chosen[t] in mine else None)
            else:
                view_picks.append(max(mine, key=lambda i: votes[int(track_ids[i])] / seen[int(track_ids[i])]))
        picks.append(view_picks)
    return picks
