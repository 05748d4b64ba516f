"""Following people through the frames of one view: a track id for every detection.

Each track predicts its keypoints at the new frame from its last two sightings
(constant velocity); detections are matched to tracks by keypoint similarity
(OKS-like: exp(-d^2 / (2 (k s)^2)) averaged over the joints both have, with s
the longest side of the box around the track's keypoints) with the Hungarian method
(scipy). Unmatched detections start new tracks; a track unseen for more than
``max_gap`` frames ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment

#: Keypoints below this confidence do not count for matching.
MIN_CONFIDENCE = 0.3
#: Similarity below which a detection is not the same person as a track.
MIN_SIMILARITY = 0.1
#: Frames a track survives unseen.
MAX_GAP = 30
_FALLOFF = 0.2


@dataclass
class _Track:
    track_id: int
    keypoints: np.ndarray          # (J, 3)
    velocity: np.ndarray           # (J, 2) pixels per frame
    frame: int

    def predicted(self, frame: int) -> np.ndarray:
        """(J, 2) expected positions at ``frame``, NaN where unknown."""
        return self.keypoints[:, :2] + self.velocity * (frame - self.frame)


def _confident(keypoints: np.ndarray) -> np.ndarray:
    return (keypoints[..., 2] >= MIN_CONFIDENCE) & np.isfinite(keypoints[..., :2]).all(axis=-1)


def _size(keypoints: np.ndarray) -> float:
    """Longest side (pixels, at least 1) of the box around the confident keypoints (J, 3)."""
    points = keypoints[_confident(keypoints), :2]
    if len(points) < 2:
        return 1.0
    return max(float((points.max(axis=0) - points.min(axis=0)).max()), 1.0)


def similarity(track: _Track, keypoints: np.ndarray, frame: int) -> float:
    """How much detection ``keypoints`` (J, 3) looks like ``track`` at ``frame``, in [0, 1]."""
    both = _confident(track.keypoints) & _confident(keypoints)
    if not both.any():
        return 0.0
    predicted = track.predicted(frame)[both]
    squared = ((predicted - keypoints[both, :2]) ** 2).sum(axis=-1)
    spread = (_FALLOFF * _size(track.keypoints)) ** 2
    return float(np.mean(np.exp(-squared / (2 * spread))))


class PoseTracker:
    """Track ids for the people of one view, frame after frame (frames in increasing order).

    Parameters
    ----------
    max_gap : int
        Frames a track may go unseen and still be continued.
    min_similarity : float
        Below this a detection starts a new track.
    """

    def __init__(self, max_gap: int = MAX_GAP, min_similarity: float = MIN_SIMILARITY):
        self.max_gap = max_gap
        self.min_similarity = min_similarity
        self._tracks: list[_Track] = []
        self._next_id = 0

    def update(self, frame: int, people: np.ndarray) -> np.ndarray:
        """Track ids (P,) int for the detections ``people`` (P, J, 3) of ``frame``."""
        self._tracks = [t for t in self._tracks if frame - t.frame <= self.max_gap]
        ids = np.full(len(people), -1, dtype=np.int64)
        if self._tracks and len(people):
            score = np.array([[similarity(t, p, frame) for p in people] for t in self._tracks])
            rows, cols = linear_sum_assignment(-score)
            for row, col in zip(rows, cols):
                if score[row, col] >= self.min_similarity:
                    ids[col] = self._tracks[row].track_id
        for index in np.flatnonzero(ids < 0):
            ids[index] = self._next_id
            self._next_id += 1
        self._observe(frame, people, ids)
        return ids

    def restore(self, frame: int, people: np.ndarray, ids: np.ndarray) -> None:
        """Take detections whose ids are already known (frames written by an earlier run)."""
        self._tracks = [t for t in self._tracks if frame - t.frame <= self.max_gap]
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids):
            self._next_id = max(self._next_id, int(ids.max()) + 1)
        self._observe(frame, people, ids)

    def _observe(self, frame: int, people: np.ndarray, ids: np.ndarray) -> None:
        by_id = {t.track_id: t for t in self._tracks}
        for keypoints, track_id in zip(people, ids.tolist()):
            track = by_id.get(track_id)
            if track is None:
                by_id[track_id] = _Track(track_id, keypoints.copy(), np.zeros((len(keypoints), 2)), frame)
                continue
            step = max(frame - track.frame, 1)
            moved = (keypoints[:, :2] - track.keypoints[:, :2]) / step
            seen = _confident(keypoints) & _confident(track.keypoints)
            track.velocity = np.where(seen[:, None], moved, 0.0)
            track.keypoints, track.frame = keypoints.copy(), frame
        self._tracks = list(by_id.values())
