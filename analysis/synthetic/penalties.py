"""Injecting the penalty catalogue's faults into synthetic takes: which faults a
take gets, and how each shows in its kinematics.

Each item (:mod:`analysis.catalogue.penalties`) names the joints concerned, the
phase kinds where it can occur and an ``effect`` that the synthesis applies
inside one such phase:

- ``offset``: joint-angle tracks move away from the clean value (degrees,
  ``tracks`` maps track to gain) with a smooth rise and fall over the phase;
  ``only_if_below`` restricts it to phases where the clean tracks stay below
  that many degrees (straight knees, legs together, ...);
- ``wobble``: the tracks oscillate at ``frequency_hz``;
- ``amplitude``: the flight loses a fraction of its rise (shorter, lower);
- ``pause``: the motion stops for some seconds (the take gets longer);
- ``steps``: the pelvis travels after touch-down, a leg lifting per step.

Severities are 0.1, 0.3, 0.5 and 1.0 (light to heavy); each maps to a
magnitude in the effect's unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from analysis.catalogue.penalties import SEVERITIES, PenaltyItem
from analysis.synthetic.athletes import Athlete
from analysis.synthetic.body import TRACK_INDEX
from analysis.synthetic.primitives import PhaseSpan, Timeline

_SEVERITY_ODDS = np.array([0.5, 0.28, 0.15, 0.07])


def sample_faults(action: Any, athlete: Athlete, rng: np.random.Generator) -> list[tuple[str, float]]:
    """Faults for one take: 0..5 distinct items of ``action.penalties`` with severities.

    A less skilled athlete commits more faults and heavier ones; light
    severities are always the most likely.

    Returns
    -------
    list of (code, severity)
    """
    items = list(action.penalties)
    chance = 0.08 + 0.5 * (1.0 - athlete.skill)
    chosen = [code for code in items if rng.random() < chance]
    odds = _SEVERITY_ODDS * np.array([1.0, 1.0, 1.0 + (1.0 - athlete.skill), 1.0 + 2.0 * (1.0 - athlete.skill)])
    odds = odds / odds.sum()
    return [(code, float(rng.choice(SEVERITIES, p=odds))) for code in chosen[:5]]


def eligible_phases(item: PenaltyItem, timeline: Timeline) -> list[int]:
    """Indices of ``timeline.phases`` where ``item`` can be injected."""
    effect = item.effect
    out = []
    for index, phase in enumerate(timeline.phases):
        if phase.name not in item.phases or phase.t1 <= phase.t0:
            continue
        keys = [k for k in timeline.keys if phase.t0 - 1e-9 <= k.t <= phase.t1 + 1e-9]
        if effect["kind"] == "pause" and all(k.mode == "flight" for k in keys[:-1]):
            continue
        limit = effect.get("only_if_below")
        if limit is not None:
            columns = [TRACK_INDEX[name] for name in effect["tracks"]]
            if max(abs(k.values[c]) for k in keys for c in columns) >= limit:
                continue
        out.append(index)
    return out


def _warp_times(timeline: Timeline, warp) -> None:
    for key in timeline.keys:
        key.t = warp(key.t)
    timeline.phases[:] = [PhaseSpan(p.name, warp(p.t0), warp(p.t1)) for p in timeline.phases]


def apply_timing(item: PenaltyItem, magnitude: float, phase: PhaseSpan, timeline: Timeline) -> None:
    """Apply a ``pause`` or ``amplitude`` fault to the keys of ``timeline`` (in place)."""
    kind = item.effect["kind"]
    if kind == "pause":
        inside = [i for i, k in enumerate(timeline.keys) if phase.t0 - 1e-9 <= k.t < phase.t1 - 1e-9 and k.mode != "flight"]
        index = inside[len(inside) // 2]
        t_pause = timeline.keys[index].t
        _warp_times(timeline, lambda t: t + magnitude if t > t_pause + 1e-9 else t)
        held = timeline.keys[index]
        timeline.keys.insert(index + 1, type(held)(t_pause + magnitude, held.values.copy(), held.mode,
                                                   held.support, held.anchor))
    elif kind == "amplitude":
        t0, t1 = phase.t0, phase.t1
        scale = float(np.sqrt(1.0 - magnitude))
        shift = (t1 - t0) * (scale - 1.0)
        _warp_times(timeline, lambda t: t if t <= t0 else (t0 + (t - t0) * scale if t <= t1 + 1e-9 else t + shift))


def _window(n: int) -> np.ndarray:
    """Smooth 0..1..0 weights ``(n,)``: raised-cosine ramps over a quarter each side."""
    i = np.arange(n, dtype=np.float64)
    ramp = max(2.0, n / 4.0)
    u = np.clip(np.minimum((i + 1) / ramp, (n - i) / ramp), 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * u)


def apply_tracks(item: PenaltyItem, magnitude: float, span: tuple[int, int], tracks: np.ndarray, fps: float) -> None:
    """Apply an ``offset``, ``wobble`` or ``steps`` fault to frame tracks ``(T, N)`` in place.

    ``span`` is the (start, end) frame range of the phase; offsets and
    wobbles vanish at its ends, steps leave the athlete where they got to.
    """
    start, end = span
    effect = item.effect
    kind = effect["kind"]
    weight = _window(end - start)
    if kind == "offset":
        for name, gain in effect["tracks"].items():
            tracks[start:end, TRACK_INDEX[name]] += gain * magnitude * weight
    elif kind == "wobble":
        phase = 2 * np.pi * effect["frequency_hz"] * np.arange(end - start) / fps
        for name, gain in effect["tracks"].items():
            tracks[start:end, TRACK_INDEX[name]] += gain * magnitude * weight * np.sin(phase)
    elif kind == "steps":
        heading = np.deg2rad(tracks[start, TRACK_INDEX["heading"]] + tracks[start, TRACK_INDEX["twist"]])
        n_steps = 1 if magnitude < 0.5 else 2
        u = np.linspace(0.0, 1.0, end - start)
        travel = 0.5 - 0.5 * np.cos(np.pi * u)
        tracks[start:end, TRACK_INDEX["x"]] += magnitude * np.cos(heading) * travel
        tracks[start:end, TRACK_INDEX["y"]] += magnitude * np.sin(heading) * travel
        tracks[end:, TRACK_INDEX["x"]] += magnitude * np.cos(heading)
        tracks[end:, TRACK_INDEX["y"]] += magnitude * np.sin(heading)
        lift = np.sin(np.pi * np.clip(u * n_steps, 0.0, n_steps)) ** 2
        leg = np.where((u * n_steps).astype(int) % 2 == 0, "l", "r")
        for side in ("l", "r"):
            mask = (leg == side) * lift
            tracks[start:end, TRACK_INDEX[f"hip_flex_{side}"]] += 40.0 * mask
            tracks[start:end, TRACK_INDEX[f"knee_{side}"]] += 50.0 * mask
            tracks[start:end, TRACK_INDEX[f"sh_abd_{side}"]] += 60.0 * lift * min(1.0, magnitude * 2)
    else:
        raise ValueError(f"penalty {item.code}: effect {kind!r} is not applied to frame tracks")
