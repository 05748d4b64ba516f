"""Skeleton layouts: joint names, bones and left/right pairs.

One source of truth for every consumer (3D view, 2D overlays, kinematics, the
ST-GCN adjacency). A session file carries its own skeleton; the layouts named
here are the ones the workstation knows by name (COCO-17 is the default).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

COCO17_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
COCO17_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 3), (2, 4),
    (5, 6), (5, 7), (7, 9), (6, 8), (8, 10),
    (5, 11), (6, 12), (11, 12),
    (11, 13), (13, 15), (12, 14), (14, 16),
)

BODY25_NAMES: tuple[str, ...] = (
    "Nose", "Neck", "RShoulder", "RElbow", "RWrist", "LShoulder", "LElbow",
    "LWrist", "MidHip", "RHip", "RKnee", "RAnkle", "LHip", "LKnee", "LAnkle",
    "REye", "LEye", "REar", "LEar", "LBigToe", "LSmallToe", "LHeel",
    "RBigToe", "RSmallToe", "RHeel",
)
BODY25_EDGES: tuple[tuple[int, int], ...] = (
    (1, 8), (1, 2), (1, 5), (2, 3), (3, 4), (5, 6), (6, 7), (8, 9), (9, 10),
    (10, 11), (8, 12), (12, 13), (13, 14), (1, 0), (0, 15), (15, 17),
    (0, 16), (16, 18), (14, 19), (19, 20), (14, 21), (11, 22), (22, 23),
    (11, 24),
)

HALPE26_NAMES: tuple[str, ...] = COCO17_NAMES + (
    "head", "neck", "hip", "left_big_toe", "right_big_toe",
    "left_small_toe", "right_small_toe", "left_heel", "right_heel",
)
HALPE26_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 3), (2, 4), (17, 0), (18, 17),
    (18, 5), (18, 6), (5, 7), (7, 9), (6, 8), (8, 10),
    (18, 19), (19, 11), (19, 12),
    (11, 13), (13, 15), (12, 14), (14, 16),
    (15, 20), (15, 22), (15, 24), (16, 21), (16, 23), (16, 25),
)

#: OpenPose's experimental BODY_25B: the COCO-17 joints, then neck, head top and feet.
BODY25B_NAMES: tuple[str, ...] = (
    "Nose", "LEye", "REye", "LEar", "REar", "LShoulder", "RShoulder", "LElbow",
    "RElbow", "LWrist", "RWrist", "LHip", "RHip", "LKnee", "RKnee", "LAnkle",
    "RAnkle", "UpperNeck", "HeadTop", "LBigToe", "LSmallToe", "LHeel",
    "RBigToe", "RSmallToe", "RHeel",
)
BODY25B_EDGES: tuple[tuple[int, int], ...] = (
    (0, 1), (0, 2), (1, 3), (2, 4), (17, 0), (17, 18),
    (17, 5), (17, 6), (5, 7), (7, 9), (6, 8), (8, 10),
    (5, 11), (6, 12), (11, 12), (11, 13), (13, 15), (12, 14), (14, 16),
    (15, 19), (19, 20), (15, 21), (16, 22), (22, 23), (16, 24),
)

#: The athlete's sides, as joint names spell them (``left_knee``).
SIDES: tuple[str, ...] = ("left", "right")
#: Side codes of joints and bones (:func:`joint_sides`, :func:`bone_sides`): across the body, left, right.
CENTRE, LEFT, RIGHT = 0, 1, 2

_SIDE_PATTERNS = (
    (re.compile(r"^left[_ ]?(.+)$", re.I), "left"),
    (re.compile(r"^right[_ ]?(.+)$", re.I), "right"),
    (re.compile(r"^L([A-Z].*)$"), "left"),
    (re.compile(r"^R([A-Z].*)$"), "right"),
)


def side_and_part(name: str) -> tuple[str | None, str]:
    """Split a joint name into its side ('left', 'right' or None) and body part, lower case.

    ``left_big_toe`` -> ('left', 'big_toe'), ``LBigToe`` -> ('left', 'bigtoe'), ``nose`` -> (None, 'nose').
    """
    for pattern, side in _SIDE_PATTERNS:
        match = pattern.match(name)
        if match:
            return side, match.group(1).lower()
    return None, name.lower()


def mirror_pairs(joint_names: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Pairs of (left index, right index) found from the joint names.

    Understands ``left_knee``/``right_knee`` and OpenPose's ``LKnee``/``RKnee``.
    """
    left: dict[str, int] = {}
    right: dict[str, int] = {}
    for index, name in enumerate(joint_names):
        side, part = side_and_part(name)
        if side == "left":
            left[part] = index
        elif side == "right":
            right[part] = index
    return tuple((left[p], right[p]) for p in left if p in right)


@dataclass(frozen=True)
class Skeleton:
    """A named joint layout.

    Attributes
    ----------
    name : str
        Layout name stored in the session file (``coco17``, ``body25``, ...).
    joint_names : tuple of str, length J
    edges : tuple of (int, int), length E
        Bones as pairs of joint indices.
    """

    name: str
    joint_names: tuple[str, ...]
    edges: tuple[tuple[int, int], ...]
    pairs: tuple[tuple[int, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        n_joints = len(self.joint_names)
        for a, b in self.edges:
            if not (0 <= a < n_joints and 0 <= b < n_joints) or a == b:
                raise ValueError(f"skeleton {self.name!r}: bad edge ({a}, {b}) for {n_joints} joints")
        object.__setattr__(self, "pairs", mirror_pairs(self.joint_names))

    @property
    def n_joints(self) -> int:
        return len(self.joint_names)

    @property
    def edge_array(self) -> np.ndarray:
        """Bones as an ``(E, 2)`` int array."""
        return np.asarray(self.edges, dtype=np.int64).reshape(-1, 2)

    def index(self, joint_name: str) -> int:
        """Index of a joint by name; raises KeyError naming the layout."""
        try:
            return self.joint_names.index(joint_name)
        except ValueError:
            raise KeyError(f"joint {joint_name!r} is not in skeleton {self.name!r}") from None

    def flip_permutation(self) -> np.ndarray:
        """Index permutation ``(J,)`` that swaps every left joint with its right twin."""
        permutation = np.arange(self.n_joints)
        for left, right in self.pairs:
            permutation[left], permutation[right] = right, left
        return permutation


def joint_sides(skeleton: Skeleton) -> np.ndarray:
    """Side code (:data:`CENTRE`, :data:`LEFT`, :data:`RIGHT`) of each joint, ``(J,)`` int."""
    sides = np.full(skeleton.n_joints, CENTRE, dtype=np.int64)
    for left, right in skeleton.pairs:
        sides[left], sides[right] = LEFT, RIGHT
    return sides


def bone_sides(skeleton: Skeleton) -> np.ndarray:
    """Side code of each bone, ``(E,)`` int.

    A bone with a left joint and no right joint is :data:`LEFT`, the mirror case
    :data:`RIGHT`, anything else (head, shoulder and hip girdles) :data:`CENTRE`.
    """
    joints = joint_sides(skeleton)
    sides = np.full(len(skeleton.edges), CENTRE, dtype=np.int64)
    for i, (a, b) in enumerate(skeleton.edges):
        touched = {int(joints[a]), int(joints[b])} - {CENTRE}
        if len(touched) == 1:
            sides[i] = touched.pop()
    return sides


COCO17 = Skeleton("coco17", COCO17_NAMES, COCO17_EDGES)
BODY25 = Skeleton("body25", BODY25_NAMES, BODY25_EDGES)
HALPE26 = Skeleton("halpe26", HALPE26_NAMES, HALPE26_EDGES)
BODY25B = Skeleton("body25b", BODY25B_NAMES, BODY25B_EDGES)

KNOWN_SKELETONS: dict[str, Skeleton] = {s.name: s for s in (COCO17, BODY25, HALPE26, BODY25B)}
