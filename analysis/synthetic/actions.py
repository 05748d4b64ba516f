"""The action catalogue (``resources/actions.json``) and how a take of an action is built.

Each action belongs to one event and curriculum level, has a code such as
``MFE-2-03`` and a name, a start state (posture, contact, position), a list of
primitives with parameters (see ``primitives.PRIMITIVES``) and up to five
applicable penalty item codes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

import numpy as np

from analysis.catalogue.apparatus import Apparatus
from analysis.synthetic.athletes import Athlete
from analysis.synthetic.primitives import PRIMITIVES, Timeline


@dataclass(frozen=True)
class Action:
    """One coded action.

    Attributes
    ----------
    code : str
        ``<event>-<level>-<nn>``, e.g. ``MFE-2-03``.
    name : str
    event : str
        ``MFE`` ... ``WBB``; men's events are for ``sex == "M"`` athletes.
    level : int
        Curriculum level 1 (basic) .. 4 (advanced).
    start : dict
        Start state: ``posture``, ``mode`` (``ground``/``grip``), ``support``
        (metres), ``anchor`` (apparatus anchor name, or names whose midpoint is
        held, for a grip), ``x`` (metres; for a grip, along the anchor),
        ``heading`` (degrees), ``fields`` (other start tracks).
    primitives : tuple of (str, dict)
        Primitive names and keyword parameters, in order.
    penalties : tuple of str
        Applicable penalty item codes (at most 5).
    """

    code: str
    name: str
    event: str
    level: int
    start: dict[str, Any]
    primitives: tuple[tuple[str, dict[str, Any]], ...]
    penalties: tuple[str, ...]

    @property
    def sex(self) -> str:
        """``"M"`` for the men's events, ``"F"`` for the women's."""
        return self.event[0] if self.event[0] == "M" else "F"


@lru_cache(maxsize=1)
def _load() -> tuple[Action, ...]:
    data = json.loads(files("resources").joinpath("actions.json").read_text(encoding="utf-8"))
    return tuple(
        Action(
            code=entry["code"], name=entry["name"], event=entry["event"], level=int(entry["level"]),
            start=dict(entry["start"]),
            primitives=tuple((name, dict(params)) for name, params in entry["primitives"]),
            penalties=tuple(entry["penalties"]),
        )
        for entry in data["actions"]
    )


def load_actions() -> list[Action]:
    """Every action of the catalogue, in catalogue order."""
    return list(_load())


def build_timeline(action: Action, athlete: Athlete, apparatus: Apparatus, rng: np.random.Generator) -> Timeline:
    """Keyframes and phases of one clean take of ``action``.

    ``rng`` draws the natural variation (start position, timing, amplitude).
    """
    start = action.start
    timeline = Timeline(rng=rng, tempo=athlete.tempo, segments=athlete.segments,
                        apparatus_anchors=apparatus.anchors)
    names = start.get("anchor")
    grip = None
    x = float(start.get("x", 0.0))
    if names is None:
        x += float(rng.uniform(-0.12, 0.12))
    else:
        names = [names] if isinstance(names, str) else names
        grip = np.mean([timeline.anchor(n) for n in names], axis=0) + np.array([0.0, 0.0, 0.02])
        grip[0] += x
    timeline.start(start.get("posture", "stand"), mode=start.get("mode", "ground"),
                   support=float(start.get("support", 0.0)), anchor=grip, x=x,
                   heading=float(start.get("heading", 0.0)),
                   **{k: float(v) for k, v in start.get("fields", {}).items()})
    for name, params in action.primitives:
        try:
            primitive = PRIMITIVES[name]
        except KeyError:
            raise ValueError(f"action {action.code}: unknown primitive {name!r}") from None
        primitive(timeline, **params)
    return timeline
