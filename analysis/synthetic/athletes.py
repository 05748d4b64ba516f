"""Synthetic athletes: identity, body proportions, tempo, skill and colours.

Segment lengths follow stature with anthropometric fractions (Drillis and
Contini) and a small per-athlete proportion variation, so that no two athletes
have the same build.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FEMALE_NAMES = ("Ana", "Lena", "Mia", "Sofia", "Yuki", "Chloe", "Ines", "Nadia", "Olga", "Zoe", "Lucia", "Hana")
_MALE_NAMES = ("Ivan", "Kenji", "Marco", "Lukas", "Diego", "Tomas", "Ahmed", "Pavel", "Leo", "Wei", "Samir", "Nils")
_SURNAME_INITIALS = "ABCDEFGHJKLMNOPRSTVWZ"
_LEOTARDS = ((160, 30, 30), (40, 40, 180), (120, 40, 140), (30, 120, 30), (20, 20, 20),
             (180, 120, 20), (60, 60, 200), (200, 200, 200), (30, 150, 220), (140, 0, 90))
_SKINS = ((170, 200, 240), (140, 175, 220), (110, 150, 200), (80, 115, 165), (55, 80, 120))
_HAIRS = ((20, 20, 25), (30, 50, 90), (60, 110, 170), (20, 35, 60), (110, 170, 215))

# Segment length as a fraction of stature.
_FRACTIONS = {
    "pelvis_width": 0.118,    # distance between the hip joint keypoints
    "shoulder_width": 0.225,  # distance between the shoulder keypoints
    "torso": 0.288,           # hip line to shoulder line
    "neck": 0.098,            # shoulder line to the head centre (ear level)
    "upper_arm": 0.186,
    "forearm": 0.146,
    "thigh": 0.245,
    "shank": 0.246,
    "ankle_height": 0.039,    # ankle joint above the sole
    "head": 0.060,            # head centre to nose
}


@dataclass(frozen=True)
class Segments:
    """Segment lengths of one athlete, metres."""

    pelvis_width: float
    shoulder_width: float
    torso: float
    neck: float
    upper_arm: float
    forearm: float
    thigh: float
    shank: float
    ankle_height: float
    head: float

    @property
    def leg(self) -> float:
        """Hip joint to ankle joint with the knee straight, metres."""
        return self.thigh + self.shank

    @property
    def arm(self) -> float:
        """Shoulder to wrist with the elbow straight, metres."""
        return self.upper_arm + self.forearm


@dataclass(frozen=True)
class Athlete:
    """One synthetic gymnast.

    Attributes
    ----------
    athlete_id : str
        ``A01``, ``A02``, ...
    name : str
        Display name.
    sex : str
        ``"M"`` or ``"F"``; men perform the men's events, women the women's.
    stature : float
        Standing height, metres.
    segments : Segments
        Segment lengths derived from the stature, metres.
    tempo : float
        Speed factor of the ground and swing phases (~0.9 slow .. 1.15 fast).
    skill : float
        In [0, 1]; higher skill means fewer and lighter faults.
    leotard_bgr, skin_bgr, hair_bgr : tuple of int
        Colours for rendering, BGR 0..255.
    """

    athlete_id: str
    name: str
    sex: str
    stature: float
    segments: Segments
    tempo: float
    skill: float
    leotard_bgr: tuple[int, int, int]
    skin_bgr: tuple[int, int, int]
    hair_bgr: tuple[int, int, int]


def make_segments(stature: float, rng: np.random.Generator) -> Segments:
    """Segment lengths for ``stature`` (metres) with ~2.5 % proportion variation."""
    return Segments(**{
        name: float(stature * fraction * (1.0 + rng.normal(0.0, 0.025)))
        for name, fraction in _FRACTIONS.items()
    })


def _colour(palette: tuple[tuple[int, int, int], ...], rng: np.random.Generator) -> tuple[int, int, int]:
    return tuple(int(c) for c in palette[int(rng.integers(len(palette)))])


def make_athletes(n: int, rng: np.random.Generator) -> list[Athlete]:
    """``n`` athletes with alternating sexes (F, M, F, ...), deterministic for ``rng``.

    Parameters
    ----------
    n : int
        Number of athletes, >= 0.
    rng : numpy Generator

    Returns
    -------
    list of Athlete, ids ``A01`` .. ``A{n}``.
    """
    if n < 0:
        raise ValueError(f"number of athletes must be >= 0, got {n}")
    athletes = []
    for index in range(n):
        sex = "F" if index % 2 == 0 else "M"
        names = _FEMALE_NAMES if sex == "F" else _MALE_NAMES
        stature = float(np.clip(rng.normal(1.58 if sex == "F" else 1.70, 0.06), 1.42, 1.86))
        first = names[int(rng.integers(len(names)))]
        initial = _SURNAME_INITIALS[int(rng.integers(len(_SURNAME_INITIALS)))]
        athletes.append(Athlete(
            athlete_id=f"A{index + 1:02d}",
            name=f"{first} {initial}.",
            sex=sex,
            stature=stature,
            segments=make_segments(stature, rng),
            tempo=float(rng.uniform(0.9, 1.15)),
            skill=float(rng.beta(2.5, 2.0)),
            leotard_bgr=_colour(_LEOTARDS, rng),
            skin_bgr=_colour(_SKINS, rng),
            hair_bgr=_colour(_HAIRS, rng),
        ))
    return athletes
