"""Pose sequences to the backbone's input: NaN filling, root-centring, scale
normalisation, facing normalisation (3D), velocities and resampling to a fixed
number of frames; and the left/right mirror used as training augmentation.

Numpy in, numpy out; no torch here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d
from scipy.spatial.transform import Rotation

from analysis.motion.kinematics import segment_flexion, vector_angle
from analysis.motion.series import fill_gaps, joint_index, openpose_name
from models.config import MODALITIES

#: (proximal, joint, distal) body parts whose flexion at ``joint`` is an input
#: channel: the angles the penalty catalogue's faults bend (knees, hips, elbows,
#: shoulders).
HINGES = (("hip", "knee", "ankle"), ("shoulder", "hip", "knee"), ("shoulder", "elbow", "wrist"),
          ("hip", "shoulder", "elbow"))


@dataclass(frozen=True)
class JointRoles:
    """Joint indices the normalisation needs (from the skeleton's joint names).

    Attributes
    ----------
    hips : (int, int)
        Left and right hip; their midpoint is the root.
    shoulders : (int, int)
        Left and right shoulder; the hip-to-shoulder distance sets the scale.
    hinges : tuple of (int, int, int)
        (proximal, joint, distal) triples whose flexion is an input channel at
        ``joint``: knees, hips, elbows and shoulders, those the skeleton names.
    """

    hips: tuple[int, int]
    shoulders: tuple[int, int]
    hinges: tuple[tuple[int, int, int], ...] = ()

    @classmethod
    def from_joint_names(cls, joint_names: tuple[str, ...] | list[str]) -> "JointRoles":
        """Find hips, shoulders and hinges by name (COCO-style ``left_hip`` or OpenPose ``LHip``)."""
        def find(name: str) -> int:
            index = joint_index(joint_names, name)
            if index is None:
                raise ValueError(f"the skeleton has no joint named {name!r} or {openpose_name(name)!r}")
            return index

        hinges = []
        for side in ("left", "right"):
            for parts in HINGES:
                triple = tuple(joint_index(joint_names, f"{side}_{part}") for part in parts)
                if None not in triple:
                    hinges.append(triple)
        return cls(hips=(find("left_hip"), find("right_hip")),
                   shoulders=(find("left_shoulder"), find("right_shoulder")),
                   hinges=tuple(hinges))


def input_channels(modality: str, angles: bool = True) -> int:
    """Channels per joint and frame that :func:`pose_features` produces for ``modality``."""
    if modality not in MODALITIES:
        raise ValueError(f"unknown modality {modality!r}; expected one of {MODALITIES}")
    coordinates = coordinate_count(modality)
    return 3 * coordinates + 1 + (2 if angles else 0)


def coordinate_count(modality: str) -> int:
    """C, the coordinates per joint a modality's positions have: 3 for 3D, 2 for image points."""
    return 3 if modality == "pose3d" else 2


def angle_channels(centred: np.ndarray, roles: JointRoles) -> np.ndarray:
    """Flexion at each hinge joint and the trunk's inclination, radians ``(T, J, 2)``.

    Channel 0 is the flexion (0 = straight) at the joints of ``roles.hinges`` and 0
    elsewhere; channel 1 is the angle of the hip-to-shoulder line from vertical
    (+Z in 3D, image up = −Y in 2D), the same for every joint. Both are invariant
    to where the athlete stands, which way they face and their proportions, so a
    fault that bends a joint shows as the same offset for every athlete.

    Parameters
    ----------
    centred : numpy.ndarray, shape (T, J, C)
        Root-centred positions, no NaN.
    """
    n_frames, n_joints, n_coordinates = centred.shape
    out = np.zeros((n_frames, n_joints, 2))
    for proximal, joint, distal in roles.hinges:
        out[:, joint, 0] = segment_flexion(centred[:, proximal], centred[:, joint], centred[:, distal])
    trunk = 0.5 * (centred[:, roles.shoulders[0]] + centred[:, roles.shoulders[1]])
    up = np.zeros(n_coordinates)
    up[-1 if n_coordinates == 3 else 1] = 1.0 if n_coordinates == 3 else -1.0
    out[:, :, 1] = vector_angle(trunk, np.broadcast_to(up, trunk.shape))[:, None]
    return out


def resample_positions(n_frames: int, n_out: int) -> np.ndarray:
    """Positions in the original timeline (fractional frames) of ``n_out`` evenly spaced samples."""
    if n_frames < 2:
        return np.zeros(n_out)
    return np.linspace(0.0, n_frames - 1, n_out)


def resample(sequence: np.ndarray, n_out: int) -> np.ndarray:
    """Linearly resample ``sequence`` (T, ...) along its first axis to ``n_out`` samples."""
    n_frames = sequence.shape[0]
    positions = resample_positions(n_frames, n_out)
    lower = np.floor(positions).astype(int)
    upper = np.minimum(lower + 1, n_frames - 1)
    weight = (positions - lower).reshape((-1,) + (1,) * (sequence.ndim - 1))
    return sequence[lower] * (1.0 - weight) + sequence[upper] * weight


def to_original_frames(values: np.ndarray, n_frames: int) -> np.ndarray:
    """Map per-step values of a resampled timeline back to the original frames.

    Parameters
    ----------
    values : numpy.ndarray, shape (..., S)
        One value per resampled step (S evenly spaced over the take).
    n_frames : int
        T, the take's original frame count.

    Returns
    -------
    numpy.ndarray, shape (..., T)
        Linear interpolation of ``values`` at every original frame.
    """
    n_steps = values.shape[-1]
    step_positions = np.linspace(0.0, max(n_frames - 1, 0), n_steps)
    frames = np.arange(n_frames, dtype=np.float64)
    flat = values.reshape(-1, n_steps)
    out = np.stack([np.interp(frames, step_positions, row) for row in flat])
    return out.reshape(values.shape[:-1] + (n_frames,))


def facing_rotation(centred: np.ndarray, roles: JointRoles) -> np.ndarray:
    """Rotation about Z ``(3, 3)`` that turns the take's starting hip line onto +X.

    The hip line (left hip to right hip) is averaged over the first tenth of the
    take, so every take of an action starts facing the same way (+Y forward when
    the athlete stands upright) whatever the recording's world frame.

    Parameters
    ----------
    centred : numpy.ndarray, shape (T, J, 3)
        Root-centred positions (Z up), no NaN.
    """
    opening = centred[: max(1, len(centred) // 10)]
    line = (opening[:, roles.hips[1]] - opening[:, roles.hips[0]]).mean(axis=0)
    yaw = float(np.arctan2(line[1], line[0])) if np.hypot(line[0], line[1]) > 1e-9 else 0.0
    return Rotation.from_euler("z", -yaw).as_matrix()


def pose_features(points: np.ndarray, roles: JointRoles, n_steps: int, angles: bool = True) -> np.ndarray:
    """Backbone input of one take.

    Channels per joint: root-centred, scale-normalised position (C), its velocity
    per original frame (C), the root's displacement from its first position (C,
    the same for every joint), the log duration of the take (1) and, with
    ``angles``, the joint's flexion and the trunk's inclination (2, radians, see
    :func:`angle_channels`). 3D takes are
    also turned about Z so that they start facing one way (:func:`facing_rotation`);
    X is then the athlete's lateral axis at the start. Positions are low-pass
    filtered before the velocities are taken and the take is resampled (a Gaussian
    of half a resampled step, at least one frame): triangulation jitter would
    otherwise dominate the velocities, and resampling would alias it.

    Parameters
    ----------
    points : numpy.ndarray, shape (T, J, C)
        Joint positions: C = 3 (metres) for 3D, C = 2 (pixels) for 2D; NaN where missing.
    roles : JointRoles
    n_steps : int
        S, the fixed number of resampled steps.
    angles : bool
        Add the two angle channels.

    Returns
    -------
    numpy.ndarray, shape (D, S, J), float32
        With D = :func:`input_channels` (3 C + 1, or 3 C + 3 with ``angles``).
    """
    points = np.asarray(points)
    if points.ndim != 3 or points.shape[0] < 1:
        raise ValueError(f"pose must have shape (T, J, C) with T >= 1, got {points.shape}")
    filled = fill_gaps(points)
    root = 0.5 * (filled[:, roles.hips[0]] + filled[:, roles.hips[1]])
    if not np.isfinite(root).any():
        raise ValueError("pose has no valid hip joints: cannot find the root")
    root = fill_gaps(root)
    smoothing = max(1.0, 0.5 * points.shape[0] / n_steps)
    if points.shape[0] > 1:
        filled = gaussian_filter1d(filled, smoothing, axis=0, mode="nearest")
        root = gaussian_filter1d(root, smoothing, axis=0, mode="nearest")
    centred = filled - root[:, None]
    shoulders = 0.5 * (centred[:, roles.shoulders[0]] + centred[:, roles.shoulders[1]])
    torso = np.linalg.norm(shoulders, axis=-1)
    torso = torso[np.isfinite(torso) & (torso > 0)]
    scale = float(np.median(torso)) if torso.size else 1.0
    centred = np.nan_to_num(centred / scale)
    travel = np.nan_to_num((root - root[0]) / scale)
    if centred.shape[-1] == 3:
        turn = facing_rotation(centred, roles)
        centred, travel = centred @ turn.T, travel @ turn.T
    velocity = np.gradient(centred, axis=0) if len(centred) > 1 else np.zeros_like(centred)
    travel = np.broadcast_to(travel[:, None], centred.shape)
    duration = np.full(centred.shape[:2] + (1,), np.log(points.shape[0] / 100.0))
    channels = [centred, velocity * 10.0, travel, duration] + ([angle_channels(centred, roles)] if angles else [])
    stacked = np.concatenate(channels, axis=-1)
    return np.ascontiguousarray(resample(stacked, n_steps).transpose(2, 0, 1), dtype=np.float32)


def mirror_features(features: np.ndarray, flip: np.ndarray, n_coordinates: int) -> np.ndarray:
    """The left/right mirror image of backbone inputs.

    Negates the lateral coordinate (X: the first of each position, velocity and
    travel triple) and swaps every left joint with its right twin (the duration
    and angle channels are unchanged by a mirror).

    Parameters
    ----------
    features : numpy.ndarray or torch.Tensor, shape (..., D, S, J)
        As made by :func:`pose_features`.
    flip : numpy.ndarray of int, shape (J,)
        The skeleton's :meth:`~analysis.motion.skeleton.Skeleton.flip_permutation`.
    n_coordinates : int
        C (3 for 3D, 2 for 2D).

    Returns
    -------
    Same type and shape as ``features``, a new array.
    """
    mirrored = features[..., flip] * 1.0
    for group in range(3):
        mirrored[..., group * n_coordinates, :, :] *= -1.0
    return mirrored


def take_features(pose3d: np.ndarray | None, pose2d: np.ndarray | None, modality: str, roles: JointRoles,
                  n_steps: int, angles: bool = True, n_views: int = 1) -> np.ndarray:
    """Backbone input of one take for a modality (:func:`pose_features` of its positions).

    Parameters
    ----------
    pose3d : numpy.ndarray, shape (T, J, 3), or None
    pose2d : numpy.ndarray, shape (V, T, J, 3), or None
        Pixels and confidence per view.
    modality : str
        ``pose3d`` and ``pose2d`` read one sequence (:func:`modality_points`);
        ``pose2d_views`` reads every view, and a view in which either hip is never
        seen gives zeros (the athlete out of that camera's picture).
    n_views : int
        The views a ``pose2d_views`` model reads; the take must have as many.

    Returns
    -------
    numpy.ndarray, shape (D, S, J), or (V, D, S, J) for ``pose2d_views``; float32

    Raises
    ------
    ValueError
        If the take lacks the pose the modality needs, has another number of views, or
        no view sees the hips.
    """
    if modality != "pose2d_views":
        return pose_features(modality_points(pose3d, pose2d, modality), roles, n_steps, angles)
    if pose2d is None:
        raise ValueError("this model needs 2D pose, and the take has none")
    if len(pose2d) != n_views:
        raise ValueError(f"this model reads {n_views} camera views, the take has {len(pose2d)}")
    hips_seen = np.isfinite(pose2d[:, :, list(roles.hips), :2]).all(axis=-1).any(axis=1).all(axis=-1)
    if not hips_seen.any():
        raise ValueError("pose has no valid hip joints in any camera view: cannot find the root")
    shape = (input_channels(modality, angles), n_steps, pose2d.shape[2])
    return np.stack([pose_features(view[..., :2], roles, n_steps, angles) if seen else np.zeros(shape, np.float32)
                     for view, seen in zip(pose2d, hips_seen)])


def modality_points(pose3d: np.ndarray | None, pose2d: np.ndarray | None, modality: str) -> np.ndarray:
    """The (T, J, C) positions a single-sequence modality uses: 3D metres, or the first view's 2D pixels.

    Detections below zero confidence never occur; 2D points with NaN stay NaN.
    """
    if modality == "pose3d":
        if pose3d is None:
            raise ValueError("this model needs 3D pose, and the take has none")
        return pose3d
    if modality == "pose2d":
        if pose2d is None:
            raise ValueError("this model needs 2D pose, and the take has none")
        return pose2d[0, :, :, :2]
    raise ValueError(f"unknown modality {modality!r}; expected one of {MODALITIES}")
