"""The penalty catalogue (``resources/penalties.json``): the items judges deduct for.

Each item names the joints concerned, the phase kinds where the fault occurs, how
it shows in the kinematics, and the ``effect`` the demo generator applies to
inject it (see :mod:`analysis.synthetic.penalties`). Severities are 0.1, 0.3,
0.5 and 1.0 points (light to heavy).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

SEVERITIES: tuple[float, ...] = (0.1, 0.3, 0.5, 1.0)


@dataclass(frozen=True)
class PenaltyItem:
    """One penalty item of the catalogue.

    Attributes
    ----------
    code, name, description : str
    joints : tuple of str
        COCO-17 joint names concerned.
    phases : tuple of str
        Phase kinds where the fault can occur.
    kinematics : str
        How the fault shows in the motion.
    effect : dict
        ``kind``, ``unit``, ``magnitude`` (severity string to magnitude) and
        kind-specific keys (``tracks``, ``only_if_below``, ``frequency_hz``).
    """

    code: str
    name: str
    description: str
    joints: tuple[str, ...]
    phases: tuple[str, ...]
    kinematics: str
    effect: dict[str, Any]

    def magnitude(self, value: float) -> float:
        """Fault magnitude (effect unit) of severity ``value`` (0.1, 0.3, 0.5 or 1.0)."""
        for severity in SEVERITIES:
            if abs(value - severity) < 1e-9:
                return float(self.effect["magnitude"][f"{severity:.1f}"])
        raise ValueError(f"penalty {self.code}: severity {value} is not one of {SEVERITIES}")


@lru_cache(maxsize=1)
def _load() -> dict[str, PenaltyItem]:
    data = json.loads(files("resources").joinpath("penalties.json").read_text(encoding="utf-8"))
    return {
        entry["code"]: PenaltyItem(
            code=entry["code"], name=entry["name"], description=entry["description"],
            joints=tuple(entry["joints"]), phases=tuple(entry["phases"]),
            kinematics=entry["kinematics"], effect=dict(entry["effect"]),
        )
        for entry in data["items"]
    }


def load_penalty_catalogue() -> dict[str, PenaltyItem]:
    """Penalty items by code, in catalogue order."""
    return dict(_load())
