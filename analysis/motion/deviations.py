"""Where a take differs from its exemplar, per phase, in the terms a coach corrects.

The comparison is made per *body part*: the face points (nose, eyes, ears, head
top) fold into one ``head``, the shoulders into the ``trunk``, toes and heel
into a ``foot``, and every other joint is its own part (``left knee``). A part
is measured by how far its joints are from the exemplar's (centimetres) and,
where it has one, by the gap in its joint angle (degrees): knee, hip and elbow
flexion, shoulder elevation, trunk inclination, and the head's tilt against the
trunk. Parts are ranked by that angle gap, because a coach corrects bent knees,
a piked hip or a leaning trunk, not the position of an ear; parts without an
angle (wrists, ankles, feet) follow, by distance.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.motion.kinematics import joint_angles, smooth_series, vector_angle
from analysis.motion.series import mid_joint
from analysis.motion.skeleton import Skeleton, side_and_part

#: Joint parts (side removed, lower case, no underscores) that fold into the ``head``.
FACE_PARTS = frozenset({"nose", "eye", "ear", "head", "headtop", "upperneck"})
#: Joint parts that fold into the ``trunk`` beside the two shoulders.
TRUNK_PARTS = frozenset({"neck", "hip", "midhip"})
#: Joint parts that fold into a side's ``foot``.
FOOT_PARTS = frozenset({"bigtoe", "smalltoe", "heel"})
#: The joint angle of a limb joint: the kinematics column after ``<side>_<part>_``.
LIMB_ANGLES = {"knee": "knee_flexion_deg", "hip": "hip_flexion_deg", "elbow": "elbow_flexion_deg",
               "shoulder": "shoulder_elevation_deg"}
HEAD_TILT = "head tilt"


@dataclass(frozen=True)
class BodyPart:
    """A part of the body compared with the exemplar.

    Attributes
    ----------
    name : str
        ``head``, ``trunk``, ``left knee``, ``right foot`` ...
    joints : tuple of int
        The skeleton's joints that make it up (their distances are averaged).
    angle : str
        Its joint angle in words (``left knee flexion``), or '' without one.
    """

    name: str
    joints: tuple[int, ...]
    angle: str


def body_parts(skeleton: Skeleton) -> tuple[BodyPart, ...]:
    """The parts of ``skeleton`` a comparison is reported on: head, trunk, then the limbs in layout order."""
    head, trunk, feet, limbs = [], [], {}, []
    for index, name in enumerate(skeleton.joint_names):
        side, part = side_and_part(name)
        key = part.replace("_", "")
        if key in FACE_PARTS:
            head.append(index)
        elif side is None and key in TRUNK_PARTS:
            trunk.append(index)
        elif side is not None and key in FOOT_PARTS:
            feet.setdefault(side, []).append(index)
        else:
            if key == "shoulder":
                trunk.append(index)
            angle = LIMB_ANGLES.get(key, "")
            limbs.append(BodyPart(f"{side} {part}" if side else part, (index,),
                                  f"{side} {angle.removesuffix('_deg').replace('_', ' ')}" if angle and side else ""))
    parts = [BodyPart("head", tuple(head), HEAD_TILT)] if head else []
    if trunk:
        parts.append(BodyPart("trunk", tuple(sorted(trunk)), "trunk inclination"))
    parts += limbs + [BodyPart(f"{side} foot", tuple(joints), "") for side, joints in feet.items()]
    return tuple(parts)


def _part_angles(pose: np.ndarray, skeleton: Skeleton, parts: Sequence[BodyPart]) -> dict[str, np.ndarray]:
    """Each part's joint angle ``(T,)`` degrees (NaN where a joint is missing), by part name."""
    angles = joint_angles(pose, skeleton)
    shoulders, hips = mid_joint(pose, skeleton, "shoulder"), mid_joint(pose, skeleton, "hip")
    out = {}
    for part in parts:
        if part.angle == HEAD_TILT:
            face = pose[:, list(part.joints)].mean(axis=1)
            out[part.name] = np.degrees(vector_angle(face - shoulders, shoulders - hips))
        elif part.angle:
            out[part.name] = angles[part.angle.replace(" ", "_") + "_deg"]
    return out


def _nanmean(values: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN slices stay NaN
        return np.nanmean(values, axis=axis)


def phase_bounds(n_frames: int, phases: int | Sequence[int]) -> list[tuple[int, int]]:
    """Frame spans ``[start, end)`` of the phases of a take.

    Parameters
    ----------
    n_frames : int
    phases : int or sequence of int
        A number of equal phases, or the first frame of every phase after the first
        (increasing, inside the take).
    """
    if isinstance(phases, (int, np.integer)):
        if not 1 <= phases <= n_frames:
            raise ValueError(f"cannot split {n_frames} frames into {phases} phases")
        edges = np.linspace(0, n_frames, int(phases) + 1).round().astype(int)
    else:
        starts = [int(s) for s in phases]
        if any(b <= a for a, b in zip([0, *starts], [*starts, n_frames])):
            raise ValueError(f"phase starts {starts} must increase strictly inside 1..{n_frames - 1}")
        edges = np.array([0, *starts, n_frames])
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:])]


def phase_deviation_summary(trainee_pose3d: np.ndarray, exemplar_aligned: np.ndarray, skeleton: Skeleton,
                            phases: int | Sequence[int] = 3, *, fps: float = 30.0) -> pd.DataFrame:
    """Which body parts differ most from the exemplar in each phase of the take, and where.

    Parameters
    ----------
    trainee_pose3d : ndarray (T, J, 3)
        Metres; NaN where missing.
    exemplar_aligned : ndarray (T, J, 3)
        The exemplar on the trainee's frames (:func:`analysis.motion.alignment.align_exemplar_pose`).
    skeleton : Skeleton
    phases : int or sequence of int
        See :func:`phase_bounds`.
    fps : float
        Frame rate: the poses are smoothed over the same window as the kinematic curves.

    Returns
    -------
    DataFrame, one row per (phase, part) of :func:`body_parts`, phases in order and within a
    phase the parts from the largest angle gap down, then the parts without an angle from the
    largest distance down, with the columns

    - ``phase`` (1-based), ``start_frame``, ``end_frame`` (exclusive): the phase span;
    - ``part``: the part's name; ``joints``: its joints' names, comma-separated;
    - ``mean_distance_cm``, ``peak_distance_cm``: trainee-to-exemplar distance of the part's
      joints (averaged over them) over the phase, centimetres (NaN where never seen);
    - ``angle``: the part's joint angle in words, or empty; ``mean_angle_difference_deg``: mean
      of |trainee - exemplar| of that angle over the phase, degrees (NaN without an angle);
    - ``peak_frame``: trainee frame of the largest angle gap (of the largest distance for a part
      without an angle); -1 when never seen.
    """
    trainee = np.asarray(trainee_pose3d, dtype=np.float64)
    exemplar = np.asarray(exemplar_aligned, dtype=np.float64)
    if trainee.ndim != 3 or trainee.shape[1:] != (skeleton.n_joints, 3):
        raise ValueError(f"trainee_pose3d must have shape (T, {skeleton.n_joints}, 3) for skeleton "
                         f"{skeleton.name!r}, got {trainee.shape}")
    if exemplar.shape != trainee.shape:
        raise ValueError(f"the aligned exemplar has shape {exemplar.shape}, the trainee {trainee.shape}")
    parts = body_parts(skeleton)
    distance_cm = np.linalg.norm(trainee - exemplar, axis=-1) * 100.0
    smoothed = {role: smooth_series(pose, fps) for role, pose in (("trainee", trainee), ("exemplar", exemplar))}
    angles = {role: _part_angles(pose, skeleton, parts) for role, pose in smoothed.items()}

    rows = []
    for number, (start, end) in enumerate(phase_bounds(len(trainee), phases), start=1):
        for part in parts:
            distance = _nanmean(distance_cm[start:end][:, list(part.joints)], axis=1)
            gap = (np.abs(angles["trainee"][part.name] - angles["exemplar"][part.name])[start:end]
                   if part.angle else np.full(end - start, np.nan))
            peak_of = gap if np.isfinite(gap).any() else distance
            rows.append({
                "phase": number, "start_frame": start, "end_frame": end,
                "part": part.name, "joints": ", ".join(skeleton.joint_names[j] for j in part.joints),
                "mean_distance_cm": _nanmean(distance, axis=0),
                "peak_distance_cm": np.nanmax(distance) if np.isfinite(distance).any() else np.nan,
                "angle": part.angle,
                "mean_angle_difference_deg": _nanmean(gap, axis=0),
                "peak_frame": start + int(np.nanargmax(peak_of)) if np.isfinite(peak_of).any() else -1,
            })
    table = pd.DataFrame(rows)
    return (table.sort_values(["phase", "mean_angle_difference_deg", "mean_distance_cm"],
                              ascending=[True, False, False], na_position="last")
            .reset_index(drop=True))


def deviation_cells(row) -> tuple[str, str, str, str, str]:
    """One row of :func:`phase_deviation_summary` as the texts a table shows: phase (frames), part,
    angle gap, mean / peak distance and worst frame; "–" where the part was never seen in the phase."""
    angle = ""
    if row.angle:
        gap = row.mean_angle_difference_deg
        angle = f"{gap:.0f}° {row.angle}" if np.isfinite(gap) else f"– {row.angle}"
    distance = (f"{row.mean_distance_cm:.0f} / {row.peak_distance_cm:.0f} cm" if np.isfinite(row.mean_distance_cm)
                else "not seen")
    worst = f"frame {row.peak_frame}" if row.peak_frame >= 0 else "–"
    return f"{row.phase} ({row.start_frame}–{row.end_frame - 1})", row.part, angle, distance, worst
