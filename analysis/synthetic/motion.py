"""Synthesis of one take: an action performed by an athlete, with injected faults.

The clean take is built from the action's primitives with natural variation
drawn from ``seed``; faults then change it inside one applicable phase each.
The same seed with ``faults=[]`` gives the clean twin of the very same take.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator

from analysis.catalogue.apparatus import Apparatus
from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.synthetic.actions import Action, build_timeline
from analysis.synthetic.athletes import Athlete
from analysis.synthetic.body import TRACK_INDEX, body_offsets
from analysis.synthetic.contact import contact_pads, grip_root, ground_height
from analysis.synthetic.penalties import apply_timing, apply_tracks, eligible_phases
from analysis.synthetic.primitives import G, Timeline

_NATURAL_STREAM = 0
_FAULT_STREAM = 1


@dataclass(frozen=True)
class Phase:
    """A named phase of a take, frames ``[start, end)``."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class InjectedPenalty:
    """A fault put into a take: item code, severity, frame span ``[start, end)``."""

    code: str
    value: float
    start: int
    end: int


@dataclass
class Motion:
    """A synthesised take.

    Attributes
    ----------
    pose3d : ndarray (T, 17, 3) float64
        COCO-17 joints, world metres.
    fps : float
    phases : list of Phase
    penalties : list of InjectedPenalty
    clean_score : float
        10 minus the sum of the injected penalty values, floored at 0.
    """

    pose3d: np.ndarray
    fps: float
    phases: list[Phase]
    penalties: list[InjectedPenalty]
    clean_score: float


def _frame(t: float, fps: float) -> int:
    """First frame at or after time ``t`` seconds."""
    return int(np.ceil(t * fps - 1e-6))


def _frame_tracks(timeline: Timeline, n_frames: int, fps: float) -> tuple[np.ndarray, np.ndarray]:
    """Interpolated tracks ``(T, N)`` and the key index governing each frame ``(T,)``."""
    times = np.array([k.t for k in timeline.keys])
    if np.any(np.diff(times) <= 1e-4):
        raise ValueError("keyframes must be strictly increasing in time")
    values = np.stack([k.values for k in timeline.keys])
    t = np.arange(n_frames) / fps
    tracks = PchipInterpolator(times, values, axis=0, extrapolate=True)(t)
    segment = np.clip(np.searchsorted(times, t + 1e-9, side="right") - 1, 0, len(times) - 1)
    return tracks, segment


def _resolve_root(timeline: Timeline, segment: np.ndarray, tracks: np.ndarray, offsets: np.ndarray,
                  pads: np.ndarray, fps: float) -> np.ndarray:
    """Root positions ``(T, 3)`` from the contact of every frame."""
    keys = timeline.keys
    modes = np.array([keys[s].mode for s in segment])
    root = np.zeros((len(segment), 3))
    root[:, 0] = tracks[:, TRACK_INDEX["x"]]
    root[:, 1] = tracks[:, TRACK_INDEX["y"]]
    ground = modes == "ground"
    support = np.array([keys[s].support for s in segment])
    root[ground, 2] = ground_height(offsets[ground], support[ground], pads)
    grip = modes == "grip"
    if grip.any():
        anchors = np.stack([keys[s].anchor for s in segment[grip]])
        root[grip] = grip_root(offsets[grip], anchors)
    flight = np.flatnonzero(modes == "flight")
    if flight.size:
        breaks = np.flatnonzero(np.diff(flight) > 1)
        for run_start, run_end in zip(np.r_[flight[0], flight[breaks + 1]], np.r_[flight[breaks], flight[-1]]):
            i0, i1 = run_start - 1, run_end + 1
            if i0 < 0 or i1 >= len(segment):
                raise ValueError("a take must start and end in contact, not in flight")
            duration = (i1 - i0) / fps
            tau = (np.arange(i0 + 1, i1) - i0) / fps
            z0, z1 = root[i0, 2], root[i1, 2]
            v0 = (z1 - z0) / duration + 0.5 * G * duration
            root[i0 + 1:i1, 2] = z0 + v0 * tau - 0.5 * G * tau ** 2
            root[i0 + 1:i1, :2] = root[i0, :2] + np.outer(tau / duration, root[i1, :2] - root[i0, :2])
    return root


def synthesize_take(action: Action, athlete: Athlete, apparatus: Apparatus, faults: list[tuple[str, float]],
                    seed: int, fps: float = 30.0) -> Motion:
    """One take of ``action`` by ``athlete`` on ``apparatus`` with ``faults`` injected.

    Parameters
    ----------
    action : Action
    athlete : Athlete
    apparatus : Apparatus
        Of the action's event.
    faults : list of (code, severity)
        Distinct penalty item codes listed by the action, severities in
        {0.1, 0.3, 0.5, 1.0}.
    seed : int
        Fixes all natural variation; ``faults=[]`` with the same seed gives
        the clean twin.
    fps : float
        Frame rate, frames per second.

    Returns
    -------
    Motion
    """
    if apparatus.event != action.event:
        raise ValueError(f"action {action.code} is for {action.event}, apparatus is {apparatus.event}")
    catalogue = load_penalty_catalogue()
    codes = [code for code, _ in faults]
    if len(set(codes)) != len(codes):
        raise ValueError(f"faults must be distinct items, got {codes}")
    timeline = build_timeline(action, athlete, apparatus, np.random.default_rng([seed, _NATURAL_STREAM]))
    fault_rng = np.random.default_rng([seed, _FAULT_STREAM])

    chosen = []
    for code, value in faults:
        if code not in action.penalties:
            raise ValueError(f"penalty {code!r} is not applicable to action {action.code}")
        item = catalogue[code]
        candidates = eligible_phases(item, timeline)
        if not candidates:
            raise ValueError(f"action {action.code} has no phase where {code} can occur")
        chosen.append((item, value, int(fault_rng.choice(candidates))))
    for item, value, index in chosen:  # timing faults first: they move keys and phases
        apply_timing(item, item.magnitude(value), timeline.phases[index], timeline)

    n_frames = _frame(timeline.keys[-1].t, fps) + 1
    tracks, segment = _frame_tracks(timeline, n_frames, fps)
    spans = [(min(_frame(p.t0, fps), n_frames - 1), min(max(_frame(p.t1, fps), _frame(p.t0, fps) + 1), n_frames))
             for p in timeline.phases]
    for item, value, index in chosen:
        if item.effect["kind"] not in ("pause", "amplitude"):
            apply_tracks(item, item.magnitude(value), spans[index], tracks, fps)

    offsets = body_offsets(tracks, athlete.segments)
    root = _resolve_root(timeline, segment, tracks, offsets, contact_pads(athlete.segments), fps)
    pose = root[:, None, :] + offsets
    pose[:, :, 2] += np.maximum(0.0, -pose[:, :, 2].min(axis=1))[:, None]

    penalties = [InjectedPenalty(item.code, float(value), *spans[index])
                 for item, value, index in chosen]
    return Motion(
        pose3d=pose,
        fps=float(fps),
        phases=[Phase(p.name, start, end) for p, (start, end) in zip(timeline.phases, spans)],
        penalties=penalties,
        clean_score=max(0.0, 10.0 - sum(value for _, value in faults)),
    )
