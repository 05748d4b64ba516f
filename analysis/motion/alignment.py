"""Time alignment of two takes of the same action, and where they differ.

A trainee take and an exemplar take are compared on *pose features*: joint
positions centred on the mid-hip, divided by the athlete's trunk length and
turned about the vertical so the hips face a fixed direction. Dynamic time
warping (the ``dtw-python`` package) on those features pairs every trainee
frame with the exemplar frame in the same phase of the movement, so both can
be played side by side, the exemplar drawn as a ghost over the trainee
(:func:`align_exemplar_pose`), and their differences summed up per phase
(:func:`analysis.motion.deviations.phase_deviation_summary`).

Conventions: world frame in metres, Z up; frames are indices into each take.
The facing direction (heading) of a pose is the twist about Z of the body frame
(front, left, up), see :func:`facing_yaw`: for an upright body, the horizontal
direction its front points to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.motion.series import fill_gaps, joint_track, mid_joint, root_track
from analysis.motion.skeleton import Skeleton

#: cos(swing / 2) below which a body frame is too close to upside down for its twist
#: about Z (its heading) to be defined: 0.2 is a swing of about 157 degrees.
_MIN_TWIST_WEIGHT = 0.2


def _rotation():
    """scipy's ``Rotation``, imported on first use (scipy.spatial takes a second to import)."""
    from scipy.spatial.transform import Rotation

    return Rotation


def _check_pose(pose3d: np.ndarray, skeleton: Skeleton, name: str) -> np.ndarray:
    pose = np.asarray(pose3d, dtype=np.float64)
    if pose.ndim != 3 or pose.shape[1:] != (skeleton.n_joints, 3):
        raise ValueError(f"{name} must have shape (T, {skeleton.n_joints}, 3) for skeleton "
                         f"{skeleton.name!r}, got {pose.shape}")
    if pose.shape[0] == 0:
        raise ValueError(f"{name} has no frames")
    return pose


def _known_root(pose: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """:func:`analysis.motion.series.root_track` of a checked pose ``(T, J, 3)``, metres.

    Raises
    ------
    ValueError
        When the hips are missing in every frame (or the layout has no hips).
    """
    root = root_track(pose, skeleton)
    if not np.isfinite(root).all():
        raise ValueError(f"the hips of skeleton {skeleton.name!r} are missing in every frame")
    return root


# ---------------------------------------------------------------- facing
def facing_yaw(pose3d: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """Heading of the body about Z, radians, ``(T,)``; 0 = facing +X, pi/2 = facing +Y.

    The body frame of each frame (up: mid-hip to mid-shoulder; left: the left-minus-right
    hip and shoulder lines, made orthogonal to up; front: left x up) is split into a
    twist about world Z and a swing about a horizontal axis; the heading is the twist.
    It stays put through somersaults and cartwheels and turns with pirouettes and
    twists. Frames where the body is missing or swung (nearly) upside down, where the
    twist is undefined, take the heading interpolated from their neighbours (on the unit
    circle, so there is no jump at +-pi).
    """
    pose = fill_gaps(_check_pose(pose3d, skeleton, "pose3d"))
    up = mid_joint(pose, skeleton, "shoulder") - mid_joint(pose, skeleton, "hip")
    left = np.zeros_like(up)
    for part in ("hip", "shoulder"):
        line = joint_track(pose, skeleton, f"left_{part}") - joint_track(pose, skeleton, f"right_{part}")
        left += np.where(np.isfinite(line), line, 0.0)
    up_length = np.linalg.norm(up, axis=1, keepdims=True)
    up = up / np.where(up_length > 0, up_length, 1.0)
    left -= np.sum(left * up, axis=1, keepdims=True) * up
    left_length = np.linalg.norm(left, axis=1, keepdims=True)
    usable = (np.isfinite(up_length) & (up_length > 0) & (left_length > 0))[:, 0]
    if not usable.any():
        raise ValueError(f"no frame has both the hips and the shoulders of skeleton {skeleton.name!r}")
    left = left / np.where(left_length > 0, left_length, 1.0)
    body = np.stack([np.cross(left, up), left, up], axis=2)
    x, y, z, w = _rotation().from_matrix(np.where(usable[:, None, None], body, np.eye(3))).as_quat().T
    usable &= np.hypot(z, w) >= _MIN_TWIST_WEIGHT
    twist = 2.0 * np.arctan2(z, w)
    heading = np.stack([np.cos(twist), np.sin(twist)], axis=1)
    heading[~usable] = np.nan
    heading = fill_gaps(heading)
    return np.arctan2(heading[:, 1], heading[:, 0])


def facing_rotation(pose3d: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """Rotations ``(T, 3, 3)`` about Z that turn each frame's facing onto +X.

    ``facing_rotation(p, s)[t] @ v`` expresses a world vector ``v`` in frame ``t``'s
    body-heading frame (X forward, Y to the left, Z up).
    """
    return _rotation().from_euler("z", -facing_yaw(pose3d, skeleton)[:, None]).as_matrix()


# -------------------------------------------------------------- features
def body_scale(pose3d: np.ndarray, skeleton: Skeleton) -> float:
    """Median trunk length (mid-hip to mid-shoulder) of a take, metres.

    Falls back to the median distance of the joints from the mid-hip when the layout
    has no shoulders.
    """
    pose = _check_pose(pose3d, skeleton, "pose3d")
    root = mid_joint(pose, skeleton, "hip")
    trunk = np.linalg.norm(mid_joint(pose, skeleton, "shoulder") - root, axis=-1)
    if not np.isfinite(trunk).any():
        trunk = np.linalg.norm(pose - root[:, None, :], axis=-1)
    scale = float(np.nanmedian(trunk)) if np.isfinite(trunk).any() else np.nan
    if not scale > 0:
        raise ValueError(f"cannot measure the body size of skeleton {skeleton.name!r}: hips missing")
    return scale


def pose_features(pose3d: np.ndarray, skeleton: Skeleton) -> np.ndarray:
    """Per-frame pose features for time alignment, ``(T, 3 J + 2)``.

    The joint positions relative to the mid-hip, turned about Z so the body faces +X,
    divided by the median trunk length (:func:`body_scale`), flattened; then the
    mid-hip height above its median over the take, in the same unit (it tells flight
    from stance); then how far the body has turned about Z since the first frame,
    radians, unwrapped (it tells the progress of a pirouette or twist, which the
    facing-normalised positions cannot see). Gaps are interpolated along time; the
    columns of a joint missing in every frame are NaN.

    Parameters
    ----------
    pose3d : ndarray (T, J, 3)
        Metres, Z up; NaN where missing.
    skeleton : Skeleton

    Returns
    -------
    ndarray (T, 3 J + 2) float64: trunk lengths, then radians
    """
    pose = _check_pose(pose3d, skeleton, "pose3d")
    scale = body_scale(pose, skeleton)
    root = _known_root(pose, skeleton)
    yaw = facing_yaw(pose, skeleton)
    centred = fill_gaps(pose) - root[:, None, :]
    turned = np.einsum("tij,tkj->tki", _rotation().from_euler("z", -yaw[:, None]).as_matrix(), centred)
    height = (root[:, 2] - np.median(root[:, 2])) / scale
    turn_so_far = np.unwrap(yaw) - yaw[0]
    return np.concatenate([turned.reshape(len(pose), -1) / scale, height[:, None], turn_so_far[:, None]], axis=1)


# ------------------------------------------------------------- alignment
@dataclass(frozen=True)
class Alignment:
    """A time alignment of a trainee take with an exemplar take.

    Attributes
    ----------
    path : ndarray (K, 2) int
        The warping path: monotone pairs (trainee frame, exemplar frame), from
        (0, 0) to (Tt - 1, Te - 1).
    exemplar_frame_for : ndarray (Tt,) int
        For each trainee frame, the exemplar frame in the same phase.
    trainee_frame_for : ndarray (Te,) int
        For each exemplar frame, the trainee frame in the same phase.
    cost : float
        Mean feature distance along the path (trunk lengths); 0 for identical takes.
    """

    path: np.ndarray
    exemplar_frame_for: np.ndarray
    trainee_frame_for: np.ndarray
    cost: float


def frame_map(path: np.ndarray, n_frames: int, *, source: int = 0) -> np.ndarray:
    """For each frame of one take, the matching frame of the other, ``(n_frames,)`` int.

    Parameters
    ----------
    path : ndarray (K, 2) int
        Warping path (trainee frame, exemplar frame).
    n_frames : int
        Frames of the take on column ``source`` of the path.
    source : {0, 1}
        0 maps trainee frames to exemplar frames, 1 the reverse.

    Where the path matches one frame to several, the middle of those is taken.
    """
    pairs = np.asarray(path, dtype=np.int64).reshape(-1, 2)
    key, value = pairs[:, source], pairs[:, 1 - source]
    if not np.array_equal(np.unique(key), np.arange(n_frames)):
        raise ValueError(f"the warping path does not cover frames 0..{n_frames - 1}")
    sums = np.bincount(key, weights=value, minlength=n_frames)
    counts = np.bincount(key, minlength=n_frames)
    return np.floor(sums / counts + 0.5).astype(np.int64)


def align_takes(trainee_pose3d: np.ndarray, exemplar_pose3d: np.ndarray, skeleton: Skeleton) -> Alignment:
    """Dynamic time warping of the exemplar onto the trainee, on :func:`pose_features`.

    Uses ``dtw-python`` with the symmetric step pattern of Sakoe and Chiba (each
    diagonal step weighs twice) on a Euclidean cost matrix of the features both takes
    have (a joint never seen in either take is left out); the two takes are matched
    from first frame to last.

    Parameters
    ----------
    trainee_pose3d : ndarray (Tt, J, 3)
    exemplar_pose3d : ndarray (Te, J, 3)
        Both in metres, Z up, same skeleton; NaN where missing.
    skeleton : Skeleton

    Returns
    -------
    Alignment
    """
    import dtw  # here, as scipy.spatial: together they take a second to import, which start-up does not need
    from scipy.spatial.distance import cdist

    trainee = pose_features(_check_pose(trainee_pose3d, skeleton, "trainee_pose3d"), skeleton)
    exemplar = pose_features(_check_pose(exemplar_pose3d, skeleton, "exemplar_pose3d"), skeleton)
    shared = np.isfinite(trainee).all(axis=0) & np.isfinite(exemplar).all(axis=0)
    cost_matrix = cdist(trainee[:, shared], exemplar[:, shared], metric="euclidean")
    if len(trainee) == 1 or len(exemplar) == 1:
        # a single frame matches every frame of the other take
        path = np.argwhere(np.ones(cost_matrix.shape, dtype=bool))
        path = path[(path[:, 0] == 0) | (path[:, 1] == 0)]
        cost = float(cost_matrix.mean())
    else:
        warp = dtw.dtw(cost_matrix, step_pattern="symmetric2")
        path = np.stack([warp.index1, warp.index2], axis=1).astype(np.int64)
        cost = float(cost_matrix[path[:, 0], path[:, 1]].mean())
    return Alignment(
        path=path,
        exemplar_frame_for=frame_map(path, len(trainee), source=0),
        trainee_frame_for=frame_map(path, len(exemplar), source=1),
        cost=cost,
    )


def align_exemplar_pose(exemplar_pose3d: np.ndarray, trainee_pose3d: np.ndarray, path: np.ndarray,
                        skeleton: Skeleton) -> np.ndarray:
    """The exemplar's pose on the trainee's frames, placed on the trainee (for a ghost).

    For each trainee frame ``t`` the matching exemplar frame (from ``path``) is turned
    about Z so its facing equals the trainee's facing at ``t`` and moved so its mid-hip
    sits on the trainee's mid-hip at ``t``. Joints the exemplar lacks stay NaN.

    Parameters
    ----------
    exemplar_pose3d : ndarray (Te, J, 3)
    trainee_pose3d : ndarray (Tt, J, 3)
        Metres, Z up; NaN where missing (the trainee's root and facing are interpolated
        across gaps).
    path : ndarray (K, 2) int
        Warping path (trainee frame, exemplar frame), e.g. ``Alignment.path``.
    skeleton : Skeleton

    Returns
    -------
    ndarray (Tt, J, 3) float64, metres
    """
    exemplar = _check_pose(exemplar_pose3d, skeleton, "exemplar_pose3d")
    trainee = _check_pose(trainee_pose3d, skeleton, "trainee_pose3d")
    matched = frame_map(path, len(trainee), source=0)
    if matched.max() >= len(exemplar):
        raise ValueError(f"the warping path reaches exemplar frame {matched.max()}, "
                         f"the exemplar has {len(exemplar)} frames")
    turn = facing_yaw(trainee, skeleton) - facing_yaw(exemplar, skeleton)[matched]
    exemplar_root = _known_root(exemplar, skeleton)[matched]
    centred = exemplar[matched] - exemplar_root[:, None, :]
    turned = np.einsum("tij,tkj->tki", _rotation().from_euler("z", turn[:, None]).as_matrix(), centred)
    return turned + _known_root(trainee, skeleton)[:, None, :]
