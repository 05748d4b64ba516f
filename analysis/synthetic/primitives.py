"""Motion primitives: keyframed joint angles, root tracks, contact modes, phases.

A :class:`Timeline` collects keyframes. Each key fixes every track of
``body.TRACKS`` at a time (seconds) and the contact mode of the segment that
starts at it:

- ``"ground"``: the body rests on a support of height ``support`` (floor 0,
  beam top, springboard); the root follows the keyed x, y and its height is
  solved so that the lowest contact point touches the support.
- ``"grip"``: the hands hold ``anchor`` (bar, rail pair, vault table); the
  root is placed so that the wrists' midpoint lies on it.
- ``"flight"``: no contact; the pelvis follows a ballistic parabola between
  the neighbouring contacts. Flight durations follow from the rise and drop of
  the pelvis under gravity, not from the athlete's tempo.

Primitives append keys and named phases (``stand``, ``run``, ``take-off``,
``flight``, ``landing``, ``hold``, ``turn``, ``roll``, ``support``, ``hang``,
``swing``, ``circle``, ``contact``, ``step``, ``balance``) to a timeline. The
action catalogue composes them by name through :data:`PRIMITIVES`.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

import numpy as np

from analysis.synthetic.athletes import Segments
from analysis.synthetic.body import TRACK_INDEX, TRACKS
from analysis.synthetic.contact import pelvis_height

G = 9.81
"""Gravity, m/s^2."""


def _posture(spine=0.0, lean=0.0, neck=0.0, sh_flex=0.0, sh_abd=8.0, elbow=8.0,
             hip_flex=0.0, hip_abd=0.0, knee=0.0, **sided: float) -> dict[str, float]:
    """A full set of joint angles (degrees): symmetric values, then per-side overrides."""
    values = {"spine_flex": spine, "spine_lean": lean, "neck_flex": neck}
    for side in ("l", "r"):
        values.update({f"sh_flex_{side}": sh_flex, f"sh_abd_{side}": sh_abd, f"elbow_{side}": elbow,
                       f"hip_flex_{side}": hip_flex, f"hip_abd_{side}": hip_abd, f"knee_{side}": knee})
    values.update(sided)
    return values


POSTURES: dict[str, dict[str, float]] = {
    "stand": _posture(),
    "salute": _posture(spine=-4, neck=-8, sh_flex=160, sh_abd=28, elbow=0),
    "arms_up": _posture(sh_flex=176, sh_abd=6, elbow=0),
    "arms_side": _posture(sh_abd=85, elbow=5),
    "beam_stand": _posture(sh_abd=80, elbow=5, hip_abd=-5),
    "preload": _posture(spine=28, neck=5, sh_flex=-45, elbow=10, hip_flex=60, knee=75),
    "extend": _posture(spine=-4, sh_flex=176, sh_abd=6, elbow=0),
    "touchdown": _posture(spine=10, sh_flex=110, sh_abd=25, elbow=0, hip_flex=20, knee=20),
    "land": _posture(spine=22, sh_flex=80, sh_abd=30, elbow=5, hip_flex=55, knee=70),
    "tuck": _posture(spine=35, neck=20, sh_flex=45, sh_abd=12, elbow=95, hip_flex=125, knee=135),
    "pike": _posture(spine=22, neck=15, sh_flex=80, sh_abd=8, elbow=0, hip_flex=120),
    "straddle": _posture(spine=15, neck=5, sh_flex=95, sh_abd=35, elbow=0, hip_flex=95, hip_abd=45),
    "layout": _posture(spine=-6, neck=-5, sh_flex=176, sh_abd=6, elbow=0),
    "layout_twist": _posture(sh_flex=20, sh_abd=-5, elbow=100),
    "split": _posture(spine=-6, neck=-8, sh_flex=70, sh_abd=65, elbow=0,
                      hip_flex_l=85, hip_flex_r=-80),
    "stag": _posture(spine=-6, neck=-8, sh_flex=70, sh_abd=65, elbow=0,
                     hip_flex_l=80, knee_l=95, hip_flex_r=-80),
    "passe": _posture(sh_flex=170, sh_abd=10, elbow=5, hip_flex_r=75, hip_abd_r=50, knee_r=135),
    "lunge": _posture(spine=5, sh_flex=176, sh_abd=6, elbow=0, hip_flex_l=65, knee_l=70, hip_flex_r=-20),
    "step": _posture(sh_abd=80, elbow=5, hip_abd=-5, hip_flex_l=30, hip_flex_r=-15, knee_r=10),
    "run": _posture(spine=10, elbow=90, sh_flex_l=-45, sh_flex_r=55, sh_abd=10,
                    hip_flex_l=70, knee_l=85, hip_flex_r=-25, knee_r=25),
    "handstand": _posture(sh_flex=180, sh_abd=5, elbow=0),
    "handstand_split": _posture(spine=-15, neck=-10, sh_flex=180, sh_abd=5, elbow=0,
                                hip_flex_l=80, hip_flex_r=-70),
    "handstand_straddle": _posture(sh_flex=180, sh_abd=25, elbow=0, hip_abd=45),
    "bridge": _posture(spine=-40, neck=-30, sh_flex=180, sh_abd=8, elbow=0, hip_flex=-30, knee=35),
    "roll_tuck": _posture(spine=45, neck=40, sh_flex=60, elbow=60, hip_flex=130, knee=135),
    "sit_pike": _posture(spine=15, sh_flex=60, elbow=0, hip_flex=95),
    "hang": _posture(sh_flex=178, sh_abd=12, elbow=0),
    "hollow": _posture(spine=8, neck=5, sh_flex=178, sh_abd=12, elbow=0, hip_flex=12),
    "arch": _posture(spine=-14, neck=-10, sh_flex=178, sh_abd=12, elbow=0, hip_flex=-12),
    "kip_pike": _posture(spine=20, sh_flex=150, sh_abd=12, elbow=0, hip_flex=145),
    "support": _posture(sh_abd=4, elbow=0),
    "front_support": _posture(spine=4, sh_flex=18, sh_abd=10, elbow=0),
    "l_sit": _posture(spine=5, sh_abd=4, elbow=0, hip_flex=92),
    "squat_through": _posture(spine=30, neck=10, sh_flex=100, sh_abd=10, elbow=0, hip_flex=120, knee=130),
}
"""Named postures: every joint track of ``body.JOINT_TRACKS`` in degrees."""

_MIRROR = {f"{base}_l": f"{base}_r" for base in ("sh_flex", "sh_abd", "elbow", "hip_flex", "hip_abd", "knee")}
_MIRROR.update({right: left for left, right in _MIRROR.items()})


@dataclass
class Key:
    """One keyframe.

    Attributes
    ----------
    t : float
        Time, seconds from the start of the take.
    values : ndarray (len(TRACKS),)
        Every track, in ``body.TRACKS`` order (degrees, metres).
    mode : str
        Contact of the segment starting here: ``ground``, ``grip`` or ``flight``.
    support : float
        Support height for ``ground``, metres.
    anchor : ndarray (3,) or None
        Grip point for ``grip``, metres.
    """

    t: float
    values: np.ndarray
    mode: str
    support: float
    anchor: np.ndarray | None


@dataclass
class PhaseSpan:
    """A named phase between two times, seconds (end exclusive)."""

    name: str
    t0: float
    t1: float


@dataclass
class Timeline:
    """Keyframes and phases of one take under construction.

    Parameters
    ----------
    rng : numpy Generator
        Natural variation: timing jitter (~5 %) and amplitude (~4 %).
    tempo : float
        The athlete's tempo; ground and swing durations are divided by it.
    segments : Segments
        The athlete's segment lengths (flight times depend on pelvis heights).
    apparatus_anchors : dict of str to ndarray (3,)
        The apparatus's named contact points.
    """

    rng: np.random.Generator
    tempo: float
    segments: Segments
    apparatus_anchors: dict[str, np.ndarray]
    keys: list[Key] = field(default_factory=list)
    phases: list[PhaseSpan] = field(default_factory=list)
    amplitude: float = 1.0

    def start(self, posture: str, *, mode: str = "ground", support: float = 0.0,
              anchor: np.ndarray | None = None, **fields: float) -> None:
        """The first key, at t = 0."""
        self.amplitude = float(self.rng.uniform(0.96, 1.04))
        values = np.zeros(len(TRACKS))
        self.keys.append(Key(0.0, values, mode, support, anchor))
        self._set(values, posture, False, fields)

    @property
    def t(self) -> float:
        return self.keys[-1].t

    @property
    def last(self) -> Key:
        return self.keys[-1]

    def get(self, name: str) -> float:
        """Current value of a track."""
        return float(self.last.values[TRACK_INDEX[name]])

    def anchor(self, name: str) -> np.ndarray:
        """A named apparatus anchor, (3,) metres."""
        return np.asarray(self.apparatus_anchors[name], dtype=np.float64)

    def forward_sign(self) -> float:
        """Pitch sign of a forward rotation: +1 facing the heading, -1 after a half twist."""
        return 1.0 if np.cos(np.deg2rad(self.get("twist"))) >= 0 else -1.0

    def facing_x(self) -> float:
        """World x component of the direction the athlete faces while upright."""
        return float(np.cos(np.deg2rad(self.get("heading") + self.get("twist"))))

    def _set(self, values: np.ndarray, posture: str | None, mirror: bool, fields: dict[str, float]) -> None:
        if posture is not None:
            for name, value in POSTURES[posture].items():
                name = _MIRROR.get(name, name) if mirror else name
                values[TRACK_INDEX[name]] = value * self.amplitude
        for name, value in fields.items():
            if name.startswith("d_"):
                values[TRACK_INDEX[name[2:]]] += value
            else:
                values[TRACK_INDEX[name]] = value

    def key(self, dt: float, posture: str | None = None, *, mirror: bool = False, mode: str | None = None,
            support: float | None = None, anchor: np.ndarray | None = None, timed: bool = True,
            **fields: float) -> None:
        """Append a key ``dt`` seconds after the last one.

        ``posture`` replaces every joint angle (mirrored left/right if asked);
        keyword tracks set values, ``d_<track>`` adds to the current value.
        ``timed`` durations are scaled by tempo and jittered; flight keys are not.
        """
        if timed:
            dt = dt / self.tempo * float(self.rng.uniform(0.95, 1.05))
        prev = self.last
        values = prev.values.copy()
        self._set(values, posture, mirror, fields)
        self.keys.append(Key(
            prev.t + dt, values,
            mode if mode is not None else ("ground" if prev.mode == "flight" else prev.mode),
            prev.support if support is None else support,
            prev.anchor if anchor is None else anchor,
        ))

    def flight(self, rise: float, shapes: list[tuple[float, str | None, dict[str, float]]],
               land_posture: str, *, land_mode: str = "ground", land_support: float | None = None,
               land_anchor: np.ndarray | None = None, **land_fields: float) -> None:
        """A ballistic flight from the last key to a landing key.

        Parameters
        ----------
        rise : float
            Apex of the pelvis above the higher of its take-off and landing
            heights, metres (> 0); with them it fixes the flight time.
        shapes : list of (fraction, posture, fields)
            In-flight keys at fractions (0, 1) of the flight time.
        land_posture : str
            Posture at touch-down; ``land_fields`` set its tracks.
        """
        take_off = self.last
        z0 = pelvis_height(take_off.values, take_off.mode, take_off.support, take_off.anchor, self.segments)
        take_off.mode = "flight"
        landing = Key(take_off.t, take_off.values.copy(), land_mode,
                      take_off.support if land_support is None else land_support,
                      take_off.anchor if land_anchor is None else land_anchor)
        self._set(landing.values, land_posture, False, land_fields)
        z1 = pelvis_height(landing.values, land_mode, landing.support, landing.anchor, self.segments)
        apex = max(z0, z1) + max(rise, 0.02) * float(self.rng.uniform(0.95, 1.05))
        duration = float(np.sqrt(2 * (apex - z0) / G) + np.sqrt(2 * (apex - z1) / G))
        for fraction, posture, fields in shapes:
            self.key(take_off.t + fraction * duration - self.t, posture, mode="flight", timed=False, **fields)
        landing.t = take_off.t + duration
        self.keys.append(landing)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Record the keys appended inside the block as phase ``name``."""
        t0 = self.t
        yield
        self.phases.append(PhaseSpan(name, t0, self.t))


# --------------------------------------------------------------------- ground
def stand(tl: Timeline, duration: float = 0.8, salute: bool = False) -> None:
    """Stand still; with ``salute`` raise the arms to the judges and lower them."""
    rest = "beam_stand" if tl.last.support > 0.5 else "stand"
    with tl.phase("stand"):
        if salute:
            tl.key(0.45, "salute")
            tl.key(0.35, "salute", spine_flex=-2)
        tl.key(0.45, rest)
        tl.key(duration, rest)


def run(tl: Timeline, steps: int = 4, speed: float = 5.0) -> None:
    """Run-up: ``steps`` alternating strides at ``speed`` m/s along the facing direction."""
    stride = 0.28 * speed
    with tl.phase("run"):
        for i in range(steps):
            tl.key(stride / speed, "run", mirror=bool(i % 2), d_x=stride * tl.facing_x())


def _take_off(tl: Timeline, arms_up: bool = True) -> None:
    with tl.phase("take-off"):
        tl.key(0.3, "preload")
        tl.key(0.16, "extend" if arms_up else "layout_twist", hip_abd_l=0, hip_abd_r=0)


def _landing(tl: Timeline, recover: float = 0.5) -> None:
    rest = "beam_stand" if tl.last.support > 0.5 else "stand"
    with tl.phase("landing"):
        tl.key(0.22, "land")
        tl.key(recover, "salute")
        tl.key(0.4, rest)


_JUMP_SHAPES = {"straight": "extend", "tuck": "tuck", "pike": "pike", "straddle": "straddle",
                "split": "split", "stag": "stag"}


def jump(tl: Timeline, shape: str = "straight", turn: float = 0.0, rise: float = 0.4, travel: float = 0.0) -> None:
    """Two-foot jump: preload, flight in ``shape`` with a ``turn`` (degrees), landing."""
    _take_off(tl)
    heading = tl.get("heading")
    land_x = tl.get("x") + travel * tl.facing_x()
    with tl.phase("flight"):
        tl.flight(rise, [
            (0.25, "extend", {"heading": heading + 0.3 * turn}),
            (0.5, _JUMP_SHAPES[shape], {"heading": heading + 0.55 * turn}),
            (0.8, "extend", {"heading": heading + 0.9 * turn}),
        ], "touchdown", heading=heading + turn, x=land_x)
    _landing(tl)


def leap(tl: Timeline, kind: str = "split", rise: float = 0.35, travel: float = 1.4) -> None:
    """Running leap from one foot into a ``split`` or ``stag`` position, landing on the front leg."""
    fx = tl.facing_x()
    with tl.phase("run"):
        tl.key(0.3, "step", d_x=0.5 * fx, sh_abd_l=40, sh_abd_r=40)
        tl.key(0.25, "lunge", mirror=True, d_x=0.4 * fx, sh_flex_l=40, sh_flex_r=40)
    with tl.phase("flight"):
        tl.flight(rise, [(0.2, "split", {}), (0.5, kind, {}), (0.75, kind, {})],
                  "lunge", x=tl.get("x") + travel * fx, sh_flex_l=80, sh_flex_r=80, sh_abd_l=60, sh_abd_r=60)
    rest = "beam_stand" if tl.last.support > 0.5 else "stand"
    with tl.phase("landing"):
        tl.key(0.3, "step", d_x=0.3 * fx)
        tl.key(0.35, rest, d_x=0.2 * fx)


def turn(tl: Timeline, degrees: float = 360.0, posture: str = "passe") -> None:
    """Pirouette on one foot in ``posture``, turning ``degrees`` about the vertical."""
    heading = tl.get("heading")
    rest = "beam_stand" if tl.last.support > 0.5 else "stand"
    with tl.phase("take-off"):
        tl.key(0.35, "lunge", sh_flex_l=90, sh_flex_r=90, sh_abd_l=40, sh_abd_r=40)
    with tl.phase("turn"):
        tl.key(0.25, posture, heading=heading + 0.1 * degrees)
        n = max(2, int(abs(degrees) // 90))
        for i in range(1, n + 1):
            tl.key(0.16, posture, heading=heading + (0.1 + 0.9 * i / n) * degrees)
    with tl.phase("balance"):
        tl.key(0.35, rest)
        tl.key(0.35, rest)


def roll(tl: Timeline, direction: str = "forward") -> None:
    """Tucked forward or backward roll along the facing direction."""
    sign = tl.forward_sign() * (1.0 if direction == "forward" else -1.0)
    fx = tl.facing_x() * (1.0 if direction == "forward" else -1.0)
    pitch = tl.get("pitch")
    with tl.phase("roll"):
        tl.key(0.35, "preload", sh_flex_l=90, sh_flex_r=90)
        for i, (fraction, dt) in enumerate(((0.2, 0.25), (0.45, 0.22), (0.7, 0.22), (0.9, 0.22))):
            tl.key(dt, "roll_tuck", pitch=pitch + sign * 360 * fraction, d_x=0.32 * fx)
        tl.key(0.25, "preload", pitch=pitch + sign * 360, d_x=0.15 * fx, sh_flex_l=90, sh_flex_r=90)
    stand(tl, 0.3)


def cartwheel(tl: Timeline, lands_on_beam: bool = False) -> None:
    """Sideways wheel through a straddled handstand (turned 90 degrees to the travel)."""
    heading = tl.get("heading")
    roll0 = tl.get("roll")
    fx = tl.facing_x()
    with tl.phase("take-off"):
        tl.key(0.35, "lunge")
    with tl.phase("support"):
        for fraction, dt in ((0.25, 0.22), (0.5, 0.22), (0.75, 0.22)):
            tl.key(dt, "handstand_straddle", heading=heading + 90, roll=roll0 + 360 * fraction, d_x=0.45 * fx)
    with tl.phase("landing"):
        tl.key(0.25, "lunge", mirror=True, heading=heading + 90, roll=roll0 + 360, d_x=0.4 * fx,
               hip_abd_l=25, hip_abd_r=25, hip_flex_l=0, hip_flex_r=0)
        tl.key(0.35, "beam_stand" if lands_on_beam else "arms_up", heading=heading, d_x=0.1 * fx)


def roundoff(tl: Timeline) -> None:
    """Round-off: hurdle into a half-twisting wheel, landing on both feet facing back."""
    pitch = tl.get("pitch")
    twist = tl.get("twist")
    fx = tl.facing_x()
    with tl.phase("take-off"):
        tl.key(0.3, "step", d_x=0.5 * fx, sh_abd_l=20, sh_abd_r=20)
        tl.key(0.25, "lunge", d_x=0.5 * fx)
    with tl.phase("support"):
        tl.key(0.18, "handstand_split", pitch=pitch + 90, d_x=0.5 * fx)
        tl.key(0.15, "handstand", pitch=pitch + 180, twist=twist + 120, d_x=0.35 * fx)
    with tl.phase("flight"):
        tl.flight(0.1, [(0.5, "hollow", {"pitch": pitch + 270, "twist": twist + 180})], "touchdown",
                  pitch=pitch + 350, twist=twist + 180, x=tl.get("x") + 0.8 * fx, sh_flex_l=150, sh_flex_r=150)
    with tl.phase("landing"):
        tl.key(0.12, "preload", pitch=pitch + 360, sh_flex_l=150, sh_flex_r=150)


def salto(tl: Timeline, shape: str = "tuck", direction: str = "backward", twist: float = 0.0,
          rise: float = 0.95, travel: float = 1.0, land_support: float | None = None,
          turns: int = 1) -> None:
    """Standing or rebound salto: take-off, ``turns`` rotations in ``shape`` with ``twist`` degrees, landing."""
    sign = tl.forward_sign() * (1.0 if direction == "forward" else -1.0)
    fx = tl.facing_x() * (1.0 if direction == "forward" else -1.0)
    pitch = tl.get("pitch")
    twist0 = tl.get("twist")
    total = 360.0 * turns
    body = "layout_twist" if (shape == "layout" and twist) else _JUMP_SHAPES.get(shape, shape)
    _take_off(tl)
    shapes = [(0.12, "extend", {"pitch": pitch + sign * 0.06 * total})]
    for fraction in np.linspace(0.28, 0.78, 2 + 2 * turns):
        rotated = 0.08 + 0.84 * (fraction - 0.12) / 0.76
        shapes.append((float(fraction), body, {
            "pitch": pitch + sign * rotated * total,
            "twist": twist0 + twist * np.clip((fraction - 0.25) / 0.55, 0.0, 1.0),
        }))
    shapes.append((0.9, "layout", {"pitch": pitch + sign * 0.96 * total, "twist": twist0 + twist}))
    with tl.phase("flight"):
        tl.flight(rise, shapes, "touchdown", pitch=pitch + sign * total, twist=twist0 + twist,
                  x=tl.get("x") + travel * fx, land_support=land_support)
    _landing(tl)


def back_handspring(tl: Timeline) -> None:
    """Back handspring (flic-flac): jump back onto the hands and snap down to the feet."""
    sign = -tl.forward_sign()
    fx = -tl.facing_x()
    pitch = tl.get("pitch")
    with tl.phase("take-off"):
        tl.key(0.25, "preload", spine_flex=5, hip_flex_l=80, hip_flex_r=80, sh_flex_l=40, sh_flex_r=40)
    with tl.phase("flight"):
        tl.flight(0.25, [(0.5, "arch", {"pitch": pitch + sign * 110})], "arch",
                  pitch=pitch + sign * 175, x=tl.get("x") + 0.9 * fx, spine_flex=-25)
    with tl.phase("support"):
        tl.key(0.12, "hollow", pitch=pitch + sign * 225, d_x=0.1 * fx)
    with tl.phase("flight"):
        tl.flight(0.12, [(0.5, "hollow", {"pitch": pitch + sign * 300})], "touchdown",
                  pitch=pitch + sign * 360, x=tl.get("x") + 0.8 * fx, sh_flex_l=150, sh_flex_r=150)
    _landing(tl, 0.4)


def handstand(tl: Timeline, hold: float = 1.0, down: str = "step") -> None:
    """Kick up to a handstand, hold, then step down (``step``) or walk over (``walkover``)."""
    pitch = tl.get("pitch")
    sign = tl.forward_sign()
    fx = tl.facing_x()
    with tl.phase("take-off"):
        tl.key(0.4, "lunge")
        tl.key(0.3, "handstand_split", pitch=pitch + sign * 90, d_x=0.55 * fx)
    with tl.phase("hold"):
        tl.key(0.3, "handstand", pitch=pitch + sign * 180, d_x=0.35 * fx)
        tl.key(hold, "handstand", pitch=pitch + sign * 181, spine_flex=-2)
    with tl.phase("step"):
        if down == "walkover":
            tl.key(0.35, "handstand_split", pitch=pitch + sign * 250, d_x=0.3 * fx, spine_flex=-35)
            tl.key(0.35, "bridge", mirror=True, pitch=pitch + sign * 300, d_x=0.3 * fx, knee_r=0, hip_flex_r=-50)
            tl.key(0.35, "lunge", mirror=True, pitch=pitch + sign * 360, d_x=0.3 * fx)
        else:
            tl.key(0.35, "handstand_split", pitch=pitch + sign * 90, d_x=-0.3 * fx)
            tl.key(0.35, "lunge", pitch=pitch, d_x=-0.5 * fx)
    stand(tl, 0.3)


def walkover(tl: Timeline, direction: str = "back") -> None:
    """Back (or front) walkover through a split handstand."""
    sign = tl.forward_sign() * (-1.0 if direction == "back" else 1.0)
    fx = tl.facing_x() * (-1.0 if direction == "back" else 1.0)
    pitch = tl.get("pitch")
    with tl.phase("take-off"):
        tl.key(0.4, "arms_up", hip_flex_l=25)
    with tl.phase("support"):
        tl.key(0.45, "bridge", pitch=pitch + sign * 100, knee_l=0, knee_r=20, hip_flex_l=40, d_x=0.35 * fx)
        tl.key(0.35, "handstand_split", pitch=pitch + sign * 180, d_x=0.35 * fx)
        tl.key(0.35, "handstand_split", pitch=pitch + sign * 270, spine_flex=-35, d_x=0.3 * fx)
    with tl.phase("landing"):
        tl.key(0.35, "lunge", mirror=direction == "back", pitch=pitch + sign * 360, d_x=0.35 * fx)
    stand(tl, 0.3)


def beam_walk(tl: Timeline, steps: int = 3, length: float = 0.5) -> None:
    """Walk along the beam on the centre line, arms to the side."""
    fx = tl.facing_x()
    with tl.phase("step"):
        for i in range(steps):
            tl.key(0.45, "step", mirror=bool(i % 2), d_x=length * fx)
    with tl.phase("balance"):
        tl.key(0.4, "beam_stand", d_x=0.1 * fx)
        tl.key(0.4, "beam_stand")


def pose_hold(tl: Timeline, posture: str = "arms_up", hold: float = 0.8) -> None:
    """Move into a still ``posture`` and balance in it for ``hold`` seconds."""
    with tl.phase("balance"):
        tl.key(0.4, posture)
        tl.key(hold, posture)


# ----------------------------------------------------------------------- vault
def vault_approach(tl: Timeline, steps: int = 3, speed: float = 6.5) -> None:
    """Final strides of the run-up, hurdle and two-foot board contact at the springboard."""
    board = tl.anchor("springboard")
    run(tl, steps, speed)
    with tl.phase("flight"):
        tl.flight(0.2, [(0.5, "arms_up", {"sh_flex_l": -40, "sh_flex_r": -40, "hip_flex_l": 30, "hip_flex_r": 30})],
                  "preload", x=board[0] - 0.15, land_support=board[2], sh_flex_l=-20, sh_flex_r=-20,
                  hip_flex_l=40, hip_flex_r=40, knee_l=40, knee_r=40, spine_flex=15)
    with tl.phase("take-off"):
        tl.key(0.1, "extend", timed=False, sh_flex_l=120, sh_flex_r=120)


def vault_table(tl: Timeline, kind: str = "handspring", contact_pitch: float = 170.0) -> None:
    """Pre-flight to the table and the hand contact (``handspring``, ``squat`` or ``straddle``)."""
    table = tl.anchor("table_top") + np.array([0.0, 0.0, 0.03])
    pitch = tl.get("pitch")
    body = {"handspring": "handstand", "squat": "squat_through", "straddle": "straddle"}[kind]
    on_arms = {"sh_flex_l": 100, "sh_flex_r": 100} if kind != "handspring" else {}
    with tl.phase("flight"):
        tl.flight(0.1, [(0.5, "hollow" if kind == "handspring" else "extend", {"pitch": pitch + 0.5 * contact_pitch})],
                  "hollow" if kind == "handspring" else "extend", land_mode="grip", land_anchor=table,
                  pitch=pitch + contact_pitch, **on_arms)
    with tl.phase("contact"):
        tl.key(0.16, body, timed=False, pitch=pitch + (contact_pitch + 25 if kind == "handspring" else contact_pitch * 0.6),
               **({"sh_flex_l": 150, "sh_flex_r": 150} if kind == "straddle" else {}))


def vault_postflight(tl: Timeline, shape: str = "layout", extra: int = 0, twist: float = 0.0,
                     land_x: float = 3.0, rise: float = 0.55) -> None:
    """Second flight off the table with ``extra`` saltos in ``shape`` and ``twist``; landing on the mat."""
    pitch = tl.get("pitch")
    end = 360.0 * round(pitch / 360.0 + 0.26) + 360.0 * extra if pitch > 90 else 0.0
    body = "layout_twist" if (shape == "layout" and twist) else _JUMP_SHAPES.get(shape, shape)
    with tl.phase("flight"):
        tl.flight(rise, [
            (0.2, "hollow", {"pitch": pitch + 0.15 * (end - pitch)}),
            (0.45, body, {"pitch": pitch + 0.5 * (end - pitch), "twist": 0.4 * twist}),
            (0.7, body, {"pitch": pitch + 0.85 * (end - pitch), "twist": 0.9 * twist}),
            (0.88, "layout", {"pitch": pitch + 0.97 * (end - pitch), "twist": twist}),
        ], "touchdown", land_support=0.0, pitch=end, twist=twist, x=land_x, y=0.0)
    _landing(tl, 0.6)


# ------------------------------------------------------------------------ bars
def _support_pitch(pitch: float) -> dict[str, float]:
    """Shoulder flexion that keeps straight arms vertical under a trunk at ``pitch`` degrees."""
    flexion = (pitch + 90.0) % 360.0 - 90.0
    return {"pitch": pitch, "sh_flex_l": flexion, "sh_flex_r": flexion}


def mount(tl: Timeline, bar: str = "low_bar", to: str = "front_support") -> None:
    """Jump from the floor to a front support (bars) or a straight-arm support (rails)."""
    anchor = tl.anchor(bar) + np.array([0.0, 0.0, 0.02])
    with tl.phase("take-off"):
        tl.key(0.35, "preload")
    with tl.phase("flight"):
        tl.flight(0.12, [(0.5, "extend", {"sh_flex_l": 60, "sh_flex_r": 60})], to,
                  land_mode="grip", land_anchor=anchor, **(_support_pitch(18) if to == "front_support" else {}))
    with tl.phase("support"):
        tl.key(0.5, to)


def hang(tl: Timeline, duration: float = 0.6) -> None:
    """Still hang under the bar."""
    with tl.phase("hang"):
        tl.key(duration, "hang", pitch=0)


def swing(tl: Timeline, count: int = 2, amplitude: float = 50.0) -> None:
    """Long-hang swings: ``count`` half swings of ``amplitude`` degrees, hollow in front, arched behind."""
    with tl.phase("swing"):
        for i in range(count):
            front = i % 2 == 0
            tl.key(0.5, "hang", pitch=0.0)
            tl.key(0.55, "hollow" if front else "arch", pitch=-amplitude if front else amplitude * 0.8)
        tl.key(0.5, "hang", pitch=0.0)


def kip(tl: Timeline) -> None:
    """Kip from the hang to a front support: swing forward, pike ankles to the bar, pull up."""
    with tl.phase("swing"):
        tl.key(0.5, "hollow", pitch=-35)
        tl.key(0.4, "kip_pike", pitch=-25)
    with tl.phase("support"):
        tl.key(0.35, "front_support", pitch=10, sh_flex_l=70, sh_flex_r=70, hip_flex_l=60, hip_flex_r=60)
        tl.key(0.3, "front_support", **_support_pitch(18))
        tl.key(0.3, "front_support", **_support_pitch(16))


def cast(tl: Timeline, height: float = 60.0, hold: float = 0.0) -> None:
    """Cast from front support: legs swing back and up to ``height`` degrees (180 = handstand)."""
    top = "handstand" if height >= 150 else "hollow"
    with tl.phase("swing"):
        tl.key(0.3, "front_support", hip_flex_l=35, hip_flex_r=35, **_support_pitch(20))
        tl.key(0.4 + height / 400, top, **_support_pitch(height))
    if hold > 0:
        with tl.phase("hold"):
            tl.key(hold, top, **_support_pitch(height + 1))
    if height < 150:
        with tl.phase("support"):
            tl.key(0.45, "front_support", **_support_pitch(18))


def hip_circle(tl: Timeline) -> None:
    """Back hip circle around the bar from front support back to front support."""
    pitch = tl.get("pitch")
    with tl.phase("circle"):
        for fraction in (0.25, 0.5, 0.75, 1.0):
            tl.key(0.22, "front_support", pitch=pitch - 360 * fraction, sh_flex_l=25, sh_flex_r=25,
                   hip_flex_l=35 * (fraction < 1), hip_flex_r=35 * (fraction < 1))
    with tl.phase("support"):
        tl.key(0.4, "front_support", **_support_pitch(pitch - 360))


def giant(tl: Timeline, count: int = 1) -> None:
    """Backward giant swings around the bar from handstand to handstand."""
    with tl.phase("swing"):
        for _ in range(count):
            pitch = tl.get("pitch")
            for step, dt, posture in ((45, 0.3, "hollow"), (90, 0.2, "hang"), (135, 0.16, "arch"), (180, 0.15, "hang"),
                                      (225, 0.15, "hollow"), (270, 0.17, "hollow"), (315, 0.2, "hang"), (360, 0.28, "hang")):
                tl.key(dt, posture, pitch=pitch - step)


def flyaway(tl: Timeline, shape: str = "tuck", turns: int = 1, land_x: float = 2.4) -> None:
    """Swing down from the handstand or hang and release into backward saltos, landing on the mat."""
    pitch = tl.get("pitch")
    base = 360.0 * np.floor(pitch / 360.0)
    with tl.phase("swing"):
        if pitch - base > 90:
            tl.key(0.3, "hollow", pitch=base + 90)
        tl.key(0.3, "arch", pitch=base + 15)
        tl.key(0.3, "hollow", pitch=base - 50)
    end = base - 360.0 * turns
    release = base - 50.0
    body = _JUMP_SHAPES.get(shape, shape)
    with tl.phase("flight"):
        tl.flight(0.7, [
            (0.15, "hollow", {"pitch": release + 0.1 * (end - release)}),
            (0.35, body, {"pitch": release + 0.35 * (end - release)}),
            (0.6, body, {"pitch": release + 0.7 * (end - release)}),
            (0.85, "layout", {"pitch": release + 0.96 * (end - release)}),
        ], "touchdown", land_support=0.0, pitch=end, x=land_x, y=0.0)
    _landing(tl, 0.6)


def cast_off(tl: Timeline, land_x: float = -2.0) -> None:
    """Dismount from front support: cast and push away backwards, landing behind the bar."""
    with tl.phase("swing"):
        tl.key(0.3, "front_support", hip_flex_l=35, hip_flex_r=35, **_support_pitch(20))
        tl.key(0.4, "hollow", **_support_pitch(60))
    pitch = tl.get("pitch")
    with tl.phase("flight"):
        tl.flight(0.2, [(0.5, "extend", {"pitch": pitch * 0.4, "sh_flex_l": 120, "sh_flex_r": 120})],
                  "touchdown", land_support=0.0, pitch=360.0 * round(pitch / 360.0), x=land_x, y=0.0)
    _landing(tl, 0.5)


def support_swing(tl: Timeline, count: int = 2, amplitude: float = 45.0) -> None:
    """Parallel-bar swings in straight-arm support, ``count`` half swings of ``amplitude`` degrees."""
    with tl.phase("swing"):
        for i in range(count):
            front = i % 2 == 0
            tl.key(0.4, "support", **_support_pitch(0.0))
            tl.key(0.45, "hollow" if front else "arch",
                   **_support_pitch(-amplitude if front else amplitude))
        tl.key(0.4, "support", **_support_pitch(0.0))


def l_sit(tl: Timeline, hold: float = 1.0) -> None:
    """L-sit hold in support on the rails."""
    with tl.phase("hold"):
        tl.key(0.5, "l_sit", **_support_pitch(0.0))
        tl.key(hold, "l_sit", **_support_pitch(0.0), spine_flex=6)
    with tl.phase("support"):
        tl.key(0.4, "support", **_support_pitch(0.0))


def press_handstand(tl: Timeline, hold: float = 1.0) -> None:
    """Swing up from support to a handstand on the rails and hold."""
    with tl.phase("swing"):
        tl.key(0.45, "hollow", **_support_pitch(-40))
        tl.key(0.55, "arch", **_support_pitch(90))
    with tl.phase("hold"):
        tl.key(0.45, "handstand", **_support_pitch(180))
        tl.key(hold, "handstand", **_support_pitch(181))


def rail_dismount(tl: Timeline, shape: str = "layout", turns: int = 0, land_x: float = 2.5) -> None:
    """Dismount from the rails over the end: swing forward, release, optional front saltos, landing."""
    pitch = tl.get("pitch")
    if pitch > 90:
        with tl.phase("swing"):
            tl.key(0.45, "hollow", **_support_pitch(60))
            tl.key(0.35, "support", **_support_pitch(0))
        pitch = 0.0
    with tl.phase("swing"):
        tl.key(0.45, "hollow", **_support_pitch(-60))
    end = 360.0 * turns
    body = _JUMP_SHAPES.get(shape, shape)
    with tl.phase("flight"):
        tl.flight(0.4, [(0.35, body if turns else "hollow", {"pitch": -60 + 0.3 * (end + 60)}),
                             (0.65, body if turns else "layout", {"pitch": -60 + 0.75 * (end + 60)})],
                  "touchdown", land_support=0.0, pitch=end, x=land_x, y=0.0)
    _landing(tl, 0.5)


PRIMITIVES: dict[str, Callable[..., None]] = {
    fn.__name__: fn for fn in (
        stand, run, jump, leap, turn, roll, cartwheel, roundoff, salto, back_handspring, handstand,
        walkover, beam_walk, pose_hold, vault_approach, vault_table, vault_postflight, mount, hang,
        swing, kip, cast, hip_circle, giant, flyaway, cast_off, support_swing, l_sit, press_handstand,
        rail_dismount,
    )
}
"""Primitives by name, as the action catalogue refers to them."""

