"""3D marker trajectories read from motion-capture files, and the skeleton their labels make.

Labels are mapped, in this order of preference:

1. to a layout the workstation knows when they are exactly its joint names
   (a TRC the workstation exported comes back with its own skeleton);
2. to COCO-17 when they name joint centres of both shoulders, elbows, wrists,
   hips, knees and ankles: ``left_knee``, ``LKnee``, ``L_Knee``, ``Left Knee``,
   or the ``LKJC``-style joint-centre codes of common marker-set models
   (Plug-in Gait's ``LHJC``, ``RKJC``, ``LAJC``, ``LSJC``, ``LEJC``, ``LWJC``);
   COCO joints the file lacks (the face, usually) stay empty;
3. otherwise the markers are kept as they are, as a marker set whose bones
   come from a small table of common Plug-in Gait marker pairs (none when the
   labels are not in it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.motion.skeleton import COCO17, COCO17_NAMES, KNOWN_SKELETONS, Skeleton

#: Name of the skeleton made of a file's own markers.
MARKER_SET = "markers"
#: Joint-centre codes of common marker-set models (Plug-in Gait's virtual points) and the joint each is.
JOINT_CENTRE_CODES = {"SJC": "shoulder", "EJC": "elbow", "WJC": "wrist", "HJC": "hip", "KJC": "knee", "AJC": "ankle"}
#: The joints a file must name on both sides to be read as COCO-17.
LIMB_PARTS = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
#: Bones between common Plug-in Gait markers (used where both markers are present).
MARKER_EDGES = (
    ("LFHD", "RFHD"), ("LBHD", "RBHD"), ("LFHD", "LBHD"), ("RFHD", "RBHD"),
    ("C7", "T10"), ("CLAV", "STRN"), ("C7", "CLAV"), ("C7", "LSHO"), ("C7", "RSHO"),
    ("CLAV", "LSHO"), ("CLAV", "RSHO"),
    ("LSHO", "LELB"), ("LELB", "LWRA"), ("LELB", "LWRB"), ("LWRA", "LWRB"), ("LWRA", "LFIN"),
    ("RSHO", "RELB"), ("RELB", "RWRA"), ("RELB", "RWRB"), ("RWRA", "RWRB"), ("RWRA", "RFIN"),
    ("LASI", "RASI"), ("LPSI", "RPSI"), ("LASI", "LPSI"), ("RASI", "RPSI"),
    ("LASI", "LTHI"), ("LTHI", "LKNE"), ("LKNE", "LTIB"), ("LTIB", "LANK"), ("LANK", "LHEE"), ("LANK", "LTOE"),
    ("LHEE", "LTOE"),
    ("RASI", "RTHI"), ("RTHI", "RKNE"), ("RKNE", "RTIB"), ("RTIB", "RANK"), ("RANK", "RHEE"), ("RANK", "RTOE"),
    ("RHEE", "RTOE"),
)

_SIDED = re.compile(r"^(left|right|l|r)[ _.\-]?(.+)$", re.I)
_SIDED_PARTS = ("eye", "ear") + LIMB_PARTS


@dataclass(frozen=True)
class MarkerTrajectories:
    """Labelled 3D points over time from one file.

    Attributes
    ----------
    labels : tuple of str, length M
    points : ndarray, shape (T, M, 3)
        Metres, in the session's world (Z up); NaN where a marker is missing.
    fps : float
        Frames per second.
    source : Path
        The file they were read from.
    """

    labels: tuple[str, ...]
    points: np.ndarray
    fps: float
    source: Path


#: Metres per unit of the units marker files are written in.
MARKER_UNITS = {"m": 1.0, "mm": 0.001, "cm": 0.01}


def marker_trajectories(path: Path, labels: tuple[str, ...], points: np.ndarray, fps: float, units: str,
                        y_up: bool, fields: tuple[str, str, str]) -> MarkerTrajectories:
    """Check what a marker file says and put its points ``(T, M, 3)`` (in ``units``) into metres, Z up.

    ``fields`` name, in the file's own terms, its units, its marker labels and its frame rate,
    for the messages (``("Units", "marker names", "DataRate")`` for a TRC file).

    Raises
    ------
    ValueError
        For unknown units, labels that do not match the points, or a frame rate that is not positive.
    """
    units_field, labels_field, rate_field = fields
    if units not in MARKER_UNITS:
        raise ValueError(f"{path}: unknown {units_field} {units!r}; files in {', '.join(MARKER_UNITS)} are read")
    if not labels or len(labels) != points.shape[1]:
        raise ValueError(f"{path}: {points.shape[1]} markers but {len(labels)} {labels_field}")
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"{path}: {rate_field} must be a positive number, got {fps}")
    from analysis.motion.pose_export import (
        Z_UP_TO_Y_UP,  # (pandas: not needed to build the command line)
    )

    points = points * MARKER_UNITS[units]
    return MarkerTrajectories(labels, points @ Z_UP_TO_Y_UP if y_up else points, fps, path)


def existing_file(path: str | Path, what: str) -> Path:
    """``path`` as a Path; FileNotFoundError naming it when there is no such file (``what``: "C3D file"...)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: {what} not found")
    return path


def coco_joint(label: str) -> str | None:
    """The COCO-17 joint a label names (``left_knee``...), or None.

    Understands ``left_knee``, ``LKnee``, ``L_Knee``, ``Left Knee``, ``LKJC``
    and a ``Subject:`` prefix; surface markers (``LKNE``) name no joint.
    """
    name = label.split(":")[-1].strip()
    if name.lower() == "nose":
        return "nose"
    match = _SIDED.match(name)
    if match is None:
        return None
    side = "left" if match.group(1).lower().startswith("l") else "right"
    rest = match.group(2)
    part = JOINT_CENTRE_CODES.get(rest.upper()) or (rest.lower() if rest.lower() in _SIDED_PARTS else None)
    return None if part is None else f"{side}_{part}"


def skeleton_for_markers(labels: tuple[str, ...]) -> tuple[Skeleton, np.ndarray, str]:
    """The skeleton ``labels`` make, which marker fills each joint, and how they were read.

    Returns
    -------
    skeleton : Skeleton
    columns : ndarray (J,) int
        The marker of each joint; -1 where the file has none.
    how : str
        One line for the user: which skeleton and why.
    """
    for skeleton in KNOWN_SKELETONS.values():
        if tuple(labels) == skeleton.joint_names:
            return skeleton, np.arange(len(labels)), f"{skeleton.name} (the labels are its joint names)"
    found: dict[str, int] = {}
    for index, label in enumerate(labels):
        joint = coco_joint(label)
        if joint is not None and joint not in found:
            found[joint] = index
    limbs = [f"{side}_{part}" for part in LIMB_PARTS for side in ("left", "right")]
    if all(joint in found for joint in limbs):
        columns = np.array([found.get(name, -1) for name in COCO17_NAMES])
        absent = [name for name, column in zip(COCO17_NAMES, columns) if column < 0]
        how = "coco17 (joint centres mapped by name" + (f"; not in the file: {', '.join(absent)})" if absent else ")")
        return COCO17, columns, how
    names = [label.split(":")[-1].strip() for label in labels]
    index = {name: i for i, name in enumerate(names)}
    edges = tuple((index[a], index[b]) for a, b in MARKER_EDGES if a in index and b in index)
    how = f"a marker set of {len(labels)} markers with {len(edges)} bones (the labels name no known skeleton)"
    return Skeleton(MARKER_SET, tuple(names), edges), np.arange(len(labels)), how


def joints_from_markers(points: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Marker points ``(T, M, 3)`` arranged as joints ``(T, J, 3)``; NaN for joints without a marker."""
    out = np.full((points.shape[0], len(columns), 3), np.nan, dtype=np.float64)
    present = columns >= 0
    out[:, present] = points[:, columns[present]]
    return out
