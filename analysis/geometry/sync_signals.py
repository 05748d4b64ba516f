"""Motion signals of each view's 2D keypoints, and the frame lag that best lines two of them up.

Every view's people are followed through its frames
(:class:`analysis.detection.tracking.PoseTracker`). A person's *motion
energy* at frame ``t`` is how much its body moved since frame ``t - 1``:
the median over its confident joints of the joint displacement once the
whole body's displacement (their median) is taken off, divided by the
person's size in the image (so near and far cameras agree). The body's
travel is left out because how fast it crosses the image depends on where
the camera stands (someone walking towards a camera hardly moves in its
image), while limbs swinging and bending show in every view at the same
moments. Joints that swap sides between two frames (a detector's left/right
confusion) count with the smaller of the two displacements, so a swap is not
mistaken for motion. The signal is then turned into ranks (robust to the few
large errors left) and normalised.

Two views filmed the same motion, so the energies of the same person rise and
fall together in both; for two views, every pair of people (one from each)
is correlated (Pearson, over the frames both cover) at every lag, and the
pair whose peak is most significant (Fisher's z times the square root of the
frames compared) gives the lag between the views' clocks. Which person is
which need not be known: the athlete in one view matches the athlete in the
other far better than anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import rankdata

from analysis.detection.tracking import PoseTracker

#: Joints below this confidence are not used.
MIN_CONFIDENCE = 0.3
#: Joints two detections must share to compare them.
MIN_SHARED_JOINTS = 4
#: Frames a person may go unseen and still be followed.
MAX_TRACK_GAP = 5
#: People per view whose motion is compared (the ones seen longest).
MAX_TRACKS = 4
#: Fewest frames two views must both cover at a lag for that lag to count.
MIN_OVERLAP_FRAMES = 20
#: Peaks closer than this to the best one belong to it when the second best is looked for, frames.
PEAK_HALF_WIDTH = 3


def _size(person: np.ndarray, usable: np.ndarray) -> float:
    """Diagonal of the bounding box of a person's usable joints ``(J, 3)``, pixels."""
    points = person[usable, :2]
    return float(np.linalg.norm(points.max(axis=0) - points.min(axis=0)))


def _displacement(previous: np.ndarray, current: np.ndarray, flip: np.ndarray | None) -> np.ndarray:
    """Per-joint displacement ``(J,)`` px between two detections ``(J, 3)``; NaN where not shared.

    With ``flip`` (the skeleton's left/right permutation), each joint takes the
    smaller of its displacement and that of its mirror twin's new position.
    """
    shared = (previous[:, 2] >= MIN_CONFIDENCE) & (current[:, 2] >= MIN_CONFIDENCE)
    if shared.sum() < MIN_SHARED_JOINTS:
        return np.full(len(previous), np.nan)
    travel = np.median(current[shared, :2] - previous[shared, :2], axis=0)   # the whole body's move
    moved = np.linalg.norm(current[:, :2] - travel - previous[:, :2], axis=1)
    if flip is not None:
        swapped = (previous[:, 2] >= MIN_CONFIDENCE) & (current[flip, 2] >= MIN_CONFIDENCE)
        moved_swapped = np.linalg.norm(current[flip, :2] - travel - previous[:, :2], axis=1)
        moved = np.where(swapped, np.fmin(np.where(shared, moved, np.nan), moved_swapped), moved)
        shared = shared | swapped
    return np.where(shared, moved, np.nan)


def _person_step(previous: np.ndarray, current: np.ndarray, flip: np.ndarray | None) -> float:
    """How far a person moved between two frames, in units of its size; NaN if not comparable."""
    displacement = _displacement(previous, current, flip)
    finite = np.isfinite(displacement)
    if finite.sum() < MIN_SHARED_JOINTS:
        return np.nan
    size = _size(current, current[:, 2] >= MIN_CONFIDENCE)
    if size <= 0:
        return np.nan
    return float(np.median(displacement[finite]) / size)


def track_people(frames: list[np.ndarray], max_gap: int = MAX_TRACK_GAP) -> list[dict[int, np.ndarray]]:
    """The people of one view followed through its frames: one ``{frame: keypoints (J, 3)}`` per track."""
    tracker = PoseTracker(max_gap=max_gap)
    tracks: dict[int, dict[int, np.ndarray]] = {}
    for t, people in enumerate(frames):
        for track_id, person in zip(tracker.update(t, people).tolist(), people):
            tracks.setdefault(track_id, {})[t] = person
    return list(tracks.values())


def motion_energy(track: dict[int, np.ndarray], n_frames: int, flip: np.ndarray | None = None) -> np.ndarray:
    """Motion energy ``(T,)`` of one tracked person; NaN where it was not seen in this frame and the one before.

    Parameters
    ----------
    track : dict of frame to ndarray (J, 3)
        The person's keypoints: x, y pixels and confidence.
    n_frames : int
        T.
    flip : ndarray (J,) int, optional
        Left/right permutation of the joints (:meth:`Skeleton.flip_permutation`).
    """
    energy = np.full(n_frames, np.nan)
    for t, person in track.items():
        before = track.get(t - 1)
        if before is not None:
            energy[t] = _person_step(before, person, flip)
    return energy


def view_signals(frames: list[np.ndarray], flip: np.ndarray | None = None,
                 max_tracks: int = MAX_TRACKS) -> list[np.ndarray]:
    """The normalised motion energy of the people one view saw longest, ``max_tracks`` signals ``(T,)`` at most."""
    signals = [normalise(motion_energy(track, len(frames), flip)) for track in track_people(frames)]
    signals = [signal for signal in signals if np.isfinite(signal).sum() >= MIN_OVERLAP_FRAMES]
    signals.sort(key=lambda signal: -np.isfinite(signal).sum())
    return signals[:max_tracks]


def normalise(signal: np.ndarray) -> np.ndarray:
    """Ranks of the finite samples, centred and scaled to unit variance; NaN stays NaN."""
    out = np.full(signal.shape, np.nan)
    finite = np.isfinite(signal)
    if finite.sum() < 2:
        return out
    ranks = rankdata(signal[finite])
    spread = ranks.std()
    out[finite] = (ranks - ranks.mean()) / (spread if spread > 0 else 1.0)
    return out


def lag_correlations(reference: np.ndarray, other: np.ndarray, max_lag: int) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlation of ``other`` shifted by each lag ``-max_lag..max_lag``, and the samples it used.

    At lag ``L`` sample ``t`` of ``reference`` is paired with sample ``t + L``
    of ``other``; only pairs where both are finite count, and a lag with fewer
    than :data:`MIN_OVERLAP_FRAMES` such pairs is NaN.

    Returns
    -------
    correlation : ndarray (2 * max_lag + 1,)
    count : ndarray (2 * max_lag + 1,) int
    """
    n = len(reference)
    correlation = np.full(2 * max_lag + 1, np.nan)
    count = np.zeros(2 * max_lag + 1, dtype=int)
    for index, lag in enumerate(range(-max_lag, max_lag + 1)):
        start, stop = max(0, -lag), min(n, len(other) - lag)
        if stop - start < MIN_OVERLAP_FRAMES:
            continue
        a, b = reference[start:stop], other[start + lag:stop + lag]
        both = np.isfinite(a) & np.isfinite(b)
        count[index] = both.sum()
        if count[index] < MIN_OVERLAP_FRAMES:
            continue
        a, b = a[both] - a[both].mean(), b[both] - b[both].mean()
        norm = np.sqrt((a * a).sum() * (b * b).sum())
        correlation[index] = (a * b).sum() / norm if norm > 0 else np.nan
    return correlation, count


@dataclass(frozen=True)
class LagPeak:
    """The best lag between two views.

    Attributes
    ----------
    lag : int
        Frames: what one view sees at frame ``t`` the other sees at ``t + lag``.
    correlation : float
        The highest correlation of two people's motions at that lag, in [-1, 1].
    quality : float
        How clearly the peak stands out, in [0, 1]: 1 minus the ratio of the
        best evidence more than :data:`PEAK_HALF_WIDTH` frames away to the peak's.
    """

    lag: int
    correlation: float
    quality: float


def _significance(correlation: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Fisher's z of each positive correlation times the square root of its samples; 0 elsewhere."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.arctanh(np.clip(correlation, 0.0, 0.999)) * np.sqrt(np.maximum(count - 3, 0))
    return np.nan_to_num(z, nan=0.0)


@dataclass(frozen=True)
class ViewPair:
    """How two views' motions line up.

    Attributes
    ----------
    correlation : ndarray (2 * max_lag + 1,)
        At each lag, the highest correlation of a person's motion in one view
        with a person's in the other (NaN where none could be measured).
    peak : LagPeak or None
        The best lag; None when no lag could be measured.
    """

    correlation: np.ndarray
    peak: LagPeak | None


def compare_views(first: list[np.ndarray], second: list[np.ndarray], max_lag: int) -> ViewPair:
    """Line up two views' :func:`view_signals`.

    Every pair of people (one per view) is correlated at every lag; the
    evidence for a lag is the sum over the pairs of their positive
    correlations' significance (Fisher's z times the square root of the frames
    compared). The same people in both views agree on the true lag, whatever
    the others do, so their evidence adds up there, while chance matches
    between different people fall at scattered lags.
    """
    evidence = np.zeros(2 * max_lag + 1)
    correlation = np.full(2 * max_lag + 1, np.nan)
    for a in first:
        for b in second:
            r, count = lag_correlations(a, b, max_lag)
            evidence += _significance(r, count)
            correlation = np.fmax(correlation, r)
    if not evidence.any():
        return ViewPair(correlation, None)
    index = int(np.argmax(evidence))
    away = evidence.copy()
    away[max(0, index - PEAK_HALF_WIDTH):index + PEAK_HALF_WIDTH + 1] = 0.0
    quality = 1.0 - float(away.max()) / float(evidence[index])
    return ViewPair(correlation, LagPeak(index - max_lag, float(correlation[index]), quality))
