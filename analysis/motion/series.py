"""Joint tracks over time: finding joints by name, midpoints, gap filling, the pose a take is measured on.

Every module that reads a pose by joint name or fills its gaps uses these, so
``left_hip`` means the same joint, and a gap is bridged the same way, in the
kinematics, the time alignment, the model's features and the views. Arrays are
``(T, ...)`` with time first; NaN marks a missing sample.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.motion.skeleton import SIDES, Skeleton


def openpose_name(name: str) -> str:
    """``left_big_toe`` -> ``LBigToe``, ``nose`` -> ``Nose``: OpenPose's spelling of a COCO-style name."""
    side, _, part = name.partition("_")
    if side in SIDES:
        return side[0].upper() + "".join(word.capitalize() for word in part.split("_"))
    return "".join(word.capitalize() for word in name.split("_"))


def joint_index(joint_names: Sequence[str], name: str) -> int | None:
    """Index of the joint called ``name`` (COCO spelling, ``left_hip``) in a layout, or None.

    The layout may spell it the COCO way (``left_hip``) or the OpenPose way (``LHip``),
    in any letter case.
    """
    lowered = [joint.lower() for joint in joint_names]
    for candidate in (name.lower(), openpose_name(name).lower()):
        if candidate in lowered:
            return lowered.index(candidate)
    return None


def joint_track(pose: np.ndarray, skeleton: Skeleton, name: str) -> np.ndarray:
    """Positions ``(T, C)`` of the joint called ``name`` in a pose ``(T, J, C)``; all NaN if the layout lacks it."""
    index = joint_index(skeleton.joint_names, name)
    if index is None:
        return np.full((pose.shape[0], pose.shape[-1]), np.nan)
    return pose[:, index]


def mid_joint(pose: np.ndarray, skeleton: Skeleton, part: str) -> np.ndarray:
    """Midpoint ``(T, C)`` of the left and right joint of ``part`` (``"hip"``: the mid-hip, the root).

    NaN in the frames where either side is missing.
    """
    return 0.5 * (joint_track(pose, skeleton, f"left_{part}") + joint_track(pose, skeleton, f"right_{part}"))


def root_track(pose: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """The root ``(T, C)``: the mid-hip of every frame, bridged where a hip is missing.

    Frames without both hips take the mid-hip interpolated from their neighbours
    (held at the ends, :func:`fill_gaps`), so the root moves smoothly through a
    dropout. NaN throughout when no frame has both hips (or the layout has none).
    """
    return fill_gaps(mid_joint(pose, skeleton, "hip"))


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of every run of True in a 1-D boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[False], mask, [False]]).astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def fill_gaps(series: np.ndarray, *, max_gap: int | None = None, hold_ends: bool = True) -> np.ndarray:
    """Linearly interpolate NaN runs along the first axis of ``(T, ...)``.

    Parameters
    ----------
    series : ndarray (T, ...)
    max_gap : int or None
        Only runs of at most this many samples are filled; None fills every run.
    hold_ends : bool
        Fill the runs at either end with the nearest finite sample (True) or leave them NaN.

    Returns
    -------
    ndarray (T, ...) float64
        A new array; a column with no finite sample stays NaN.
    """
    array = np.asarray(series, dtype=np.float64)
    flat = array.reshape(array.shape[0], -1).copy()
    index = np.arange(flat.shape[0])
    for column in range(flat.shape[1]):
        values = flat[:, column]
        finite = np.isfinite(values)
        if finite.all() or not finite.any():
            continue
        interpolated = np.interp(index, index[finite], values[finite])
        for start, stop in runs(~finite):
            at_end = start == 0 or stop == len(values)
            if (hold_ends or not at_end) and (max_gap is None or stop - start <= max_gap):
                values[start:stop] = interpolated[start:stop]
    return flat.reshape(array.shape)


def measured_pose(pose3d: np.ndarray | None, reference: np.ndarray | None) -> np.ndarray | None:
    """The 3D pose ``(T, J, 3)`` a take is measured and compared on: triangulated, else the reference.

    None when the take has neither.
    """
    return pose3d if pose3d is not None else reference
