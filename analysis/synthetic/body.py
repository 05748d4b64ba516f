"""Forward kinematics: joint-angle tracks to COCO-17 joint positions.

Body frame: x forward (where the chest faces), y to the athlete's left, z up
(pelvis to head), origin at the pelvis centre (midpoint of the hip joints).
The root orientation is ``Rz(heading) @ Ry(pitch) @ Rx(roll) @ Rz(twist)``:
heading turns about the world vertical, pitch rotates about the lateral axis
(positive moves the head towards +x of the heading frame: forward salto),
roll about the forward axis (positive moves the head to the athlete's right:
cartwheel), twist about the body's long axis (pirouettes in flight).

The trunk (hips, shoulders) is rigid except for spine flexion, which pivots
the upper body about the hip line, so every COCO-17 edge keeps its length in
every frame: the shoulder-hip edges too.
"""

from __future__ import annotations

import numpy as np

from analysis.synthetic.athletes import Segments

JOINT_TRACKS: tuple[str, ...] = (
    "spine_flex", "spine_lean", "neck_flex",
    "sh_flex_l", "sh_flex_r", "sh_abd_l", "sh_abd_r", "elbow_l", "elbow_r",
    "hip_flex_l", "hip_flex_r", "hip_abd_l", "hip_abd_r", "knee_l", "knee_r",
)
"""Joint-angle tracks, degrees. Flexions are forward (spine, neck, shoulders,
hips; negative is extension), abductions away from the midline, elbows and
knees bend from 0 (straight). ``spine_lean`` tilts the whole trunk sideways
(positive: to the athlete's right)."""
ROOT_TRACKS: tuple[str, ...] = ("heading", "pitch", "roll", "twist", "x", "y")
"""Root orientation angles (degrees, accumulated, so 360 is a full turn) and
the horizontal pelvis position used in ground contact (metres)."""
TRACKS: tuple[str, ...] = JOINT_TRACKS + ROOT_TRACKS
TRACK_INDEX: dict[str, int] = {name: i for i, name in enumerate(TRACKS)}


def _rotation(axis: int, degrees: np.ndarray) -> np.ndarray:
    """Rotations about a coordinate axis, ``(T, 3, 3)``, from angles ``(T,)`` in degrees."""
    angle = np.deg2rad(np.asarray(degrees, dtype=np.float64))
    c, s = np.cos(angle), np.sin(angle)
    out = np.zeros(angle.shape + (3, 3))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    out[..., axis, axis] = 1.0
    out[..., i, i] = c
    out[..., j, j] = c
    out[..., i, j] = -s
    out[..., j, i] = s
    return out


def rot_x(degrees: np.ndarray) -> np.ndarray:
    """``(T, 3, 3)`` rotations about x."""
    return _rotation(0, degrees)


def rot_y(degrees: np.ndarray) -> np.ndarray:
    """``(T, 3, 3)`` rotations about y."""
    return _rotation(1, degrees)


def rot_z(degrees: np.ndarray) -> np.ndarray:
    """``(T, 3, 3)`` rotations about z."""
    return _rotation(2, degrees)


def root_rotation(heading: np.ndarray, pitch: np.ndarray, roll: np.ndarray, twist: np.ndarray) -> np.ndarray:
    """Body-to-world rotations ``(T, 3, 3)`` from four ``(T,)`` angle tracks in degrees."""
    return rot_z(heading) @ rot_y(pitch) @ rot_x(roll) @ rot_z(twist)


def _limb(frame: np.ndarray, length: float) -> np.ndarray:
    """Vector ``(T, 3)`` of a limb of ``length`` hanging along -z of ``frame`` ``(T, 3, 3)``."""
    return -length * frame[:, :, 2]


def body_offsets(tracks: np.ndarray, segments: Segments) -> np.ndarray:
    """Joint positions relative to the pelvis centre, in the world orientation.

    Parameters
    ----------
    tracks : ndarray (T, len(TRACKS))
        Joint angles (degrees) and root tracks, columns in ``TRACKS`` order.
    segments : Segments
        Segment lengths, metres.

    Returns
    -------
    ndarray (T, 17, 3) float64
        COCO-17 joints minus the pelvis centre, metres, world axes.
    """
    col = {name: tracks[:, TRACK_INDEX[name]] for name in TRACKS}
    n = tracks.shape[0]
    lean = rot_x(col["spine_lean"])
    upper = lean @ rot_y(col["spine_flex"])
    head = upper @ rot_y(col["neck_flex"])
    out = np.zeros((n, 17, 3))

    neck_base = upper[:, :, 2] * segments.torso
    head_centre = neck_base + head[:, :, 2] * segments.neck
    half_head = segments.head
    head_points = np.array([
        [1.0, 0.0, 0.0],          # nose
        [0.8, 0.30, 0.25],        # left eye
        [0.8, -0.30, 0.25],       # right eye
        [-0.1, 0.80, 0.10],       # left ear
        [-0.1, -0.80, 0.10],      # right ear
    ]) * half_head
    out[:, 0:5] = head_centre[:, None, :] + np.einsum("tij,kj->tki", head, head_points)

    for side, sign, (i_sh, i_el, i_wr, i_hip, i_kn, i_an) in (
        ("l", 1.0, (5, 7, 9, 11, 13, 15)),
        ("r", -1.0, (6, 8, 10, 12, 14, 16)),
    ):
        shoulder = neck_base + sign * 0.5 * segments.shoulder_width * upper[:, :, 1]
        arm = upper @ rot_y(-col[f"sh_flex_{side}"]) @ rot_x(sign * col[f"sh_abd_{side}"])
        elbow = shoulder + _limb(arm, segments.upper_arm)
        wrist = elbow + _limb(arm @ rot_y(-col[f"elbow_{side}"]), segments.forearm)
        hip = sign * 0.5 * segments.pelvis_width * lean[:, :, 1]
        thigh = rot_y(-col[f"hip_flex_{side}"]) @ rot_x(sign * col[f"hip_abd_{side}"])
        knee = hip + _limb(thigh, segments.thigh)
        ankle = knee + _limb(thigh @ rot_y(col[f"knee_{side}"]), segments.shank)
        out[:, [i_sh, i_el, i_wr, i_hip, i_kn, i_an]] = np.stack([shoulder, elbow, wrist, hip, knee, ankle], axis=1)

    orientation = root_rotation(col["heading"], col["pitch"], col["roll"], col["twist"])
    return np.einsum("tij,tkj->tki", orientation, out)
