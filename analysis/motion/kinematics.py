"""Kinematic curves of a 3D pose: joint angles, angular velocities, centre of mass.

Angles come from vector geometry between segments (never from Euler angles),
so they stay correct when the athlete is upside down, rotating or twisting.
Every curve is looked up by joint *name* through the skeleton: COCO-17 and
HALPE-26 names (``left_knee``) and OpenPose names (``LKnee``) both work, and a
curve whose joints the layout lacks is NaN instead of an error.

Conventions (all angles in degrees, unsigned, from 0 to 180):

- **flexion** of a knee (hip-knee-ankle), hip (shoulder-hip-knee, trunk vs
  thigh) and elbow (shoulder-elbow-wrist) is the angle between the proximal
  and the distal segment directions: 0 = straight, 90 = right angle. Being
  unsigned, hip flexion cannot tell a piked hip from an equally hyper-extended
  one.
- **shoulder elevation** is the angle at the shoulder between the trunk side
  (shoulder -> hip) and the upper arm (shoulder -> elbow): 0 = arm along the
  trunk, 90 = arm raised level, 180 = arm straight above the head.
- **trunk inclination** is the angle between the mid-hip -> mid-shoulder
  vector and world +Z: 0 = upright, 90 = horizontal, 180 = inverted.

Centre of mass: the segment masses and centre locations of de Leva (1996),
"Adjustments to Zatsiorsky-Seluyanov's segment inertia parameters", J.
Biomech. 29(9):1223-1230, Table 4, mapped onto the joints a COCO-17 layout
has: the head mass sits at the midpoint of the ears (the nose when the ears
are missing), the trunk runs from mid-shoulder (standing in for the
suprasternale) to mid-hip, and the hand and foot masses sit at the wrist and
ankle joints, which have no landmarks beyond them in COCO-17.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.motion.series import fill_gaps, joint_track, mid_joint, runs
from analysis.motion.skeleton import SIDES, Skeleton
from analysis.session.atomic import write_text_atomically

ANGLE_COLUMNS: tuple[str, ...] = (
    "left_knee_flexion_deg", "right_knee_flexion_deg",
    "left_hip_flexion_deg", "right_hip_flexion_deg",
    "left_elbow_flexion_deg", "right_elbow_flexion_deg",
    "left_shoulder_elevation_deg", "right_shoulder_elevation_deg",
    "trunk_inclination_deg",
)


def velocity_column(angle_column: str) -> str:
    """Name of the angular velocity column of an angle column (``..._deg`` -> ``..._velocity_deg_s``)."""
    return angle_column.removesuffix("_deg") + "_velocity_deg_s"


VELOCITY_COLUMNS: tuple[str, ...] = tuple(velocity_column(c) for c in ANGLE_COLUMNS)
COM_COLUMNS: tuple[str, ...] = ("com_x_m", "com_y_m", "com_height_m", "com_speed_m_s")


@dataclass(frozen=True)
class CurveGroup:
    """Curves drawn together in one plot.

    Attributes
    ----------
    name : str
        Stable key (``"knees"``), used to select groups.
    title : str
        What the plot shows, for the axis label (``"Knee flexion"``).
    columns : tuple of str
        Columns of the :func:`compute_kinematics` table.
    unit : str
        Unit of every column of the group, as displayed (``"°"``, ``"°/s"``, ``"m"``, ``"m/s"``).
    """

    name: str
    title: str
    columns: tuple[str, ...]
    unit: str


def _pair(part: str, quantity: str) -> tuple[str, str]:
    return tuple(f"{side}_{part}_{quantity}" for side in SIDES)


CURVE_GROUPS: tuple[CurveGroup, ...] = (
    CurveGroup("knees", "Knee flexion", _pair("knee", "flexion_deg"), "°"),
    CurveGroup("hips", "Hip flexion", _pair("hip", "flexion_deg"), "°"),
    CurveGroup("elbows", "Elbow flexion", _pair("elbow", "flexion_deg"), "°"),
    CurveGroup("shoulders", "Shoulder elevation", _pair("shoulder", "elevation_deg"), "°"),
    CurveGroup("trunk", "Trunk inclination", ("trunk_inclination_deg",), "°"),
    CurveGroup("knee_velocity", "Knee angular velocity", _pair("knee", "flexion_velocity_deg_s"), "°/s"),
    CurveGroup("hip_velocity", "Hip angular velocity", _pair("hip", "flexion_velocity_deg_s"), "°/s"),
    CurveGroup("elbow_velocity", "Elbow angular velocity", _pair("elbow", "flexion_velocity_deg_s"), "°/s"),
    CurveGroup("shoulder_velocity", "Shoulder angular velocity",
               _pair("shoulder", "elevation_velocity_deg_s"), "°/s"),
    CurveGroup("trunk_velocity", "Trunk angular velocity", ("trunk_inclination_velocity_deg_s",), "°/s"),
    CurveGroup("com_height", "CoM height", ("com_height_m",), "m"),
    CurveGroup("com_speed", "CoM speed", ("com_speed_m_s",), "m/s"),
)
CURVE_GROUP_BY_NAME: dict[str, CurveGroup] = {group.name: group for group in CURVE_GROUPS}
DEFAULT_GROUPS: tuple[str, ...] = ("knees", "hips", "trunk", "com_height")


def column_side(column: str) -> str | None:
    """``"left"``, ``"right"`` or None for a column of the kinematics table."""
    side = column.split("_", 1)[0]
    return side if side in SIDES else None


# ----------------------------------------------------------------- angles
def vector_angle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Unsigned angle between vectors ``(..., C)``, C = 2 or 3, radians in [0, pi]; NaN where either is NaN.

    Uses ``atan2(|u x v|, u . v)``, accurate near 0 and pi.
    """
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    return np.arctan2(cross, np.sum(u * v, axis=-1))


def segment_flexion(proximal: np.ndarray, joint: np.ndarray, distal: np.ndarray) -> np.ndarray:
    """Flexion at ``joint``, radians ``(...)``: 0 when the three points ``(..., C)`` are in a straight line."""
    return vector_angle(joint - proximal, distal - joint)


def joint_angles(pose: np.ndarray, skeleton: Skeleton) -> dict[str, np.ndarray]:
    """The :data:`ANGLE_COLUMNS` of a pose ``(T, J, 3)`` (metres, Z up), each ``(T,)`` degrees."""
    def track(name: str) -> np.ndarray:
        return joint_track(pose, skeleton, name)

    angles: dict[str, np.ndarray] = {}
    for side in SIDES:
        shoulder, elbow, wrist = track(f"{side}_shoulder"), track(f"{side}_elbow"), track(f"{side}_wrist")
        hip, knee, ankle = track(f"{side}_hip"), track(f"{side}_knee"), track(f"{side}_ankle")
        angles[f"{side}_knee_flexion_deg"] = segment_flexion(hip, knee, ankle)
        angles[f"{side}_hip_flexion_deg"] = segment_flexion(shoulder, hip, knee)
        angles[f"{side}_elbow_flexion_deg"] = segment_flexion(shoulder, elbow, wrist)
        angles[f"{side}_shoulder_elevation_deg"] = vector_angle(hip - shoulder, elbow - shoulder)
    trunk = mid_joint(pose, skeleton, "shoulder") - mid_joint(pose, skeleton, "hip")
    angles["trunk_inclination_deg"] = vector_angle(trunk, np.broadcast_to([0.0, 0.0, 1.0], trunk.shape))
    return {column: np.degrees(angles[column]) for column in ANGLE_COLUMNS}


# --------------------------------------------------------- centre of mass
@dataclass(frozen=True)
class SegmentTable:
    """Fractions of body mass and segment centre locations (fraction of length from the proximal end)."""

    mass: dict[str, float]
    centre: dict[str, float]


#: de Leva (1996), Table 4. Trunk centre measured from the suprasternale.
DE_LEVA_MALE = SegmentTable(
    mass={"head": 0.0694, "trunk": 0.4346, "upper_arm": 0.0271, "forearm": 0.0162, "hand": 0.0061,
          "thigh": 0.1416, "shank": 0.0433, "foot": 0.0137},
    centre={"trunk": 0.4486, "upper_arm": 0.5772, "forearm": 0.4574, "thigh": 0.4095, "shank": 0.4459},
)
DE_LEVA_FEMALE = SegmentTable(
    mass={"head": 0.0668, "trunk": 0.4257, "upper_arm": 0.0255, "forearm": 0.0138, "hand": 0.0056,
          "thigh": 0.1478, "shank": 0.0481, "foot": 0.0129},
    centre={"trunk": 0.4151, "upper_arm": 0.5754, "forearm": 0.4559, "thigh": 0.3612, "shank": 0.4416},
)


def segment_table(sex: str | None) -> SegmentTable:
    """de Leva's table for ``"male"`` or ``"female"``; the mean of both when ``sex`` is None."""
    if sex == "male":
        return DE_LEVA_MALE
    if sex == "female":
        return DE_LEVA_FEMALE
    if sex is None:
        return SegmentTable(
            mass={k: 0.5 * (DE_LEVA_MALE.mass[k] + DE_LEVA_FEMALE.mass[k]) for k in DE_LEVA_MALE.mass},
            centre={k: 0.5 * (DE_LEVA_MALE.centre[k] + DE_LEVA_FEMALE.centre[k]) for k in DE_LEVA_MALE.centre},
        )
    raise ValueError(f"sex must be 'male', 'female' or None, got {sex!r}")


def sex_for_event(event: str | None) -> str | None:
    """The de Leva table for an apparatus code: ``"male"`` for M..., ``"female"`` for W..., else None."""
    return {"M": "male", "W": "female"}.get((event or "")[:1].upper())


def centre_of_mass(pose: np.ndarray, skeleton: Skeleton, sex: str | None = None) -> np.ndarray:
    """Whole-body centre of mass ``(T, 3)`` in metres from a pose ``(T, J, 3)``.

    NaN in the frames where a joint the model needs is missing.
    """
    table = segment_table(sex)

    def track(name: str) -> np.ndarray:
        return joint_track(pose, skeleton, name)

    def along(start: np.ndarray, end: np.ndarray, segment: str) -> np.ndarray:
        return start + table.centre[segment] * (end - start)

    ears = mid_joint(pose, skeleton, "ear")
    head = np.where(np.isfinite(ears).all(axis=-1, keepdims=True), ears, track("nose"))
    masses_and_points = [
        (table.mass["head"], head),
        (table.mass["trunk"], along(mid_joint(pose, skeleton, "shoulder"), mid_joint(pose, skeleton, "hip"), "trunk")),
    ]
    for side in SIDES:
        shoulder, elbow, wrist = track(f"{side}_shoulder"), track(f"{side}_elbow"), track(f"{side}_wrist")
        hip, knee, ankle = track(f"{side}_hip"), track(f"{side}_knee"), track(f"{side}_ankle")
        masses_and_points += [
            (table.mass["upper_arm"], along(shoulder, elbow, "upper_arm")),
            (table.mass["forearm"], along(elbow, wrist, "forearm")),
            (table.mass["hand"], wrist),
            (table.mass["thigh"], along(hip, knee, "thigh")),
            (table.mass["shank"], along(knee, ankle, "shank")),
            (table.mass["foot"], ankle),
        ]
    total = sum(mass for mass, _ in masses_and_points)
    return sum(mass * point for mass, point in masses_and_points) / total


# -------------------------------------------------------------- smoothing
def _savgol_run(run: np.ndarray, window: int, polyorder: int, deriv: int, delta: float) -> np.ndarray:
    """Savitzky-Golay on one gap-free run; shorter runs get a shorter window."""
    n = run.size
    if n >= 3:
        from scipy.signal import savgol_filter   # here: importing scipy.signal costs a second at start-up

        length = min(window, n if n % 2 else n - 1)
        return savgol_filter(run, length, min(polyorder, length - 1), deriv=deriv, delta=delta, mode="interp")
    if deriv == 0:
        return run.copy()
    return np.gradient(run, delta) if n == 2 else np.full(n, np.nan)


def smooth_series(values: np.ndarray, fps: float, *, window_s: float = 0.25, polyorder: int = 3,
                  max_gap_s: float = 0.25, deriv: int = 0) -> np.ndarray:
    """NaN-aware Savitzky-Golay smoothing (or differentiation) along the first axis.

    Parameters
    ----------
    values : ndarray (T, ...)
        Samples at ``fps``; NaN where missing.
    fps : float
        Samples per second.
    window_s : float
        Filter window, seconds (rounded to an odd number of samples, at least 3).
    polyorder : int
        Order of the fitted polynomial.
    max_gap_s : float
        NaN gaps up to this long (seconds) are interpolated first; longer ones stay NaN.
    deriv : int
        0 smooths; 1 gives the first derivative, in units per second.

    Returns
    -------
    ndarray (T, ...) float64
    """
    array = np.asarray(values, dtype=np.float64)
    flat = array.reshape(array.shape[0], -1)
    window = max(3, int(round(window_s * fps)) // 2 * 2 + 1)
    max_gap = int(round(max_gap_s * fps))
    out = np.full(flat.shape, np.nan)
    for column in range(flat.shape[1]):
        filled = fill_gaps(flat[:, column], max_gap=max_gap, hold_ends=False)
        for start, stop in runs(np.isfinite(filled)):
            out[start:stop, column] = _savgol_run(filled[start:stop], window, polyorder, deriv, 1.0 / fps)
    return out.reshape(array.shape)


# ------------------------------------------------------------ entry point
def compute_kinematics(pose3d: np.ndarray, skeleton: Skeleton, fps: float, *, sex: str | None = None,
                       window_s: float = 0.25, max_gap_s: float = 0.25) -> pd.DataFrame:
    """Joint angles, angular velocities and centre of mass of a take, one row per frame.

    The joint positions are smoothed first (:func:`smooth_series`), the angles and the
    centre of mass are computed from the smoothed positions, and the velocities are the
    Savitzky-Golay derivatives of those.

    Parameters
    ----------
    pose3d : ndarray (T, J, 3)
        Joint positions in metres, world frame with Z up; NaN where missing.
    skeleton : Skeleton
        Layout of the J joints.
    fps : float
        Frames per second.
    sex : {"male", "female"} or None
        Which de Leva table the centre of mass uses; None averages the two.
    window_s, max_gap_s : float
        Smoothing window and longest interpolated gap, seconds.

    Returns
    -------
    DataFrame with T rows and the columns ``frame``, ``time_s``, :data:`ANGLE_COLUMNS`
    (degrees), :data:`VELOCITY_COLUMNS` (degrees per second) and :data:`COM_COLUMNS`
    (metres, metres per second).
    """
    pose = np.asarray(pose3d, dtype=np.float64)
    if pose.ndim != 3 or pose.shape[2] != 3 or pose.shape[1] != skeleton.n_joints:
        raise ValueError(f"pose3d must have shape (T, {skeleton.n_joints}, 3) for skeleton "
                         f"{skeleton.name!r}, got {pose.shape}")
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps}")
    smoothing = {"window_s": window_s, "max_gap_s": max_gap_s}
    smoothed = smooth_series(pose, fps, **smoothing)
    angles = joint_angles(smoothed, skeleton)
    angle_matrix = np.stack([angles[column] for column in ANGLE_COLUMNS], axis=1)
    velocities = smooth_series(angle_matrix, fps, deriv=1, **smoothing)
    com = centre_of_mass(smoothed, skeleton, sex)
    com_velocity = smooth_series(com, fps, deriv=1, **smoothing)

    n_frames = pose.shape[0]
    table: dict[str, np.ndarray] = {
        "frame": np.arange(n_frames),
        "time_s": np.arange(n_frames) / fps,
        **angles,
    }
    table.update({velocity_column(c): velocities[:, k] for k, c in enumerate(ANGLE_COLUMNS)})
    table.update({
        "com_x_m": com[:, 0],
        "com_y_m": com[:, 1],
        "com_height_m": com[:, 2],
        "com_speed_m_s": np.linalg.norm(com_velocity, axis=-1),
    })
    return pd.DataFrame(table)


def take_kinematics(pose3d: np.ndarray, skeleton: Skeleton, fps: float, event: str | None) -> pd.DataFrame:
    """The kinematics of a take as the workstation plots and exports them.

    :func:`compute_kinematics` with the default smoothing and the centre of mass
    of de Leva's table for the sex the event is for (:func:`sex_for_event`); every
    view and export of a take's kinematics comes from here.

    Parameters
    ----------
    pose3d : ndarray (T, J, 3)
        Metres, Z up; NaN where missing (:func:`analysis.motion.series.measured_pose`).
    skeleton : Skeleton
    fps : float
    event : str or None
        Apparatus code of the session (``"MFE"``).
    """
    return compute_kinematics(pose3d, skeleton, fps, sex=sex_for_event(event))


def write_kinematics_csv(kinematics: pd.DataFrame, path: str | Path) -> Path:
    """Write the table of :func:`compute_kinematics` to ``path`` as CSV (atomically); NaN as empty cells."""
    return write_text_atomically(path, kinematics.to_csv(index=False, float_format="%.9g"))
