"""Contact resolution: where the root (pelvis centre) must be for a body pose to
rest on a support or hang from a grip.

- ground: the lowest body point, each joint padded by the flesh around it (the
  ankle by the athlete's ankle height), touches the support height;
- grip: the wrists' midpoint lies on the anchor (bar, rails, vault table).
"""

from __future__ import annotations

import numpy as np

from analysis.motion.skeleton import COCO17
from analysis.synthetic.athletes import Segments
from analysis.synthetic.body import body_offsets

_WRISTS = [COCO17.index("left_wrist"), COCO17.index("right_wrist")]
_PADS = {"ankle": None, "wrist": 0.03, "elbow": 0.04, "knee": 0.05, "hip": 0.07, "shoulder": 0.06}
_HEAD_PAD = 0.06


def contact_pads(segments: Segments) -> np.ndarray:
    """Distance ``(17,)`` in metres from each joint to the surface it rests on."""
    pads = np.full(17, _HEAD_PAD)
    for index, name in enumerate(COCO17.joint_names):
        part = name.split("_")[-1]
        if part in _PADS:
            pads[index] = segments.ankle_height if part == "ankle" else _PADS[part]
    return pads


def ground_height(offsets: np.ndarray, support: np.ndarray, pads: np.ndarray) -> np.ndarray:
    """Root heights ``(T,)`` that put the lowest padded joint on ``support`` ``(T,)``.

    ``offsets`` are joints minus root, ``(T, 17, 3)`` metres.
    """
    return support - np.min(offsets[:, :, 2] - pads, axis=1)


def grip_root(offsets: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """Root positions ``(T, 3)`` that put the wrists' midpoint on ``anchor`` ``(T, 3)``."""
    return anchor - offsets[:, _WRISTS].mean(axis=1)


def pelvis_height(values: np.ndarray, mode: str, support: float, anchor: np.ndarray | None,
                  segments: Segments) -> float:
    """Pelvis height (metres) of one keyed pose ``values`` ``(len(TRACKS),)`` in contact ``mode``."""
    offsets = body_offsets(values[None], segments)
    if mode == "grip":
        return float(grip_root(offsets, np.asarray(anchor)[None])[0, 2])
    return float(ground_height(offsets, np.array([support]), contact_pads(segments))[0])
