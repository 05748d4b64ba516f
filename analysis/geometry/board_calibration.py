"""Calibrating a camera rig from the board views of a recording.

1. Intrinsics per camera (K, k1 k2 p1 p2 k3) with ``cv2.calibrateCamera``, which
   also gives the board's pose in each of the camera's views.
2. Relative poses of camera pairs from the frames both see, averaged robustly;
   the rig's initial poses chain them along a spanning tree of the camera graph
   that prefers pairs sharing more frames.
3. Bundle adjustment of every camera and board pose (:mod:`board_bundle`).
4. The world frame: the first camera's (``origin="camera"``), or the board's in
   the first frame seen by the most cameras (``origin="board"``): origin at the
   outer corner of the board's first square, X along its columns, Z out of its
   printed face, Y = Z x X. A board lying face up on the floor puts the floor
   at z = 0 with Z up, as the session contract wants.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import (
    breadth_first_order,
    connected_components,
    minimum_spanning_tree,
)
from scipy.spatial.transform import Rotation

from analysis.geometry.board import BoardSpec
from analysis.geometry.board_bundle import (
    Observations,
    bundle_adjust,
    pack_camera,
    reprojection_residuals,
    unpack_camera,
)
from analysis.geometry.board_recording import (
    CameraViews,
    CancelCheck,
    Progress,
    check_cancel,
)
from analysis.geometry.cameras import Camera

#: Fewest board views a camera needs for its intrinsics.
MIN_VIEWS = 4
#: Relative poses further than this from the consensus rotation are left out of the average.
_OUTLIER_DEG = 5.0
#: Board frame to the ``origin="board"`` world: x kept, y and z reversed (Z out of the printed face).
_FACE_UP = np.diag([1.0, -1.0, -1.0])

#: Pose ``(R, t)``: ``X_to = R @ X_from + t``.
Pose = tuple[np.ndarray, np.ndarray]


@dataclass(frozen=True)
class RigCalibration:
    """A calibrated rig and how well it fits.

    Attributes
    ----------
    cameras : list of Camera
        In the order of the recording's cameras; translations in metres.
    report : dict
        ``per_camera: {NAME: {rms_px, n_frames, f_px}}``, ``mean_rms_px`` (mean of
        the cameras' RMS), ``n_shared_frames`` (frames seen by two cameras or
        more), ``origin`` (``"camera NAME"`` or ``"board frame N"``), ``board``.
    """

    cameras: list[Camera]
    report: dict


def calibrate_rig(recording: list[CameraViews], spec: BoardSpec, origin: str = "camera",
                  progress: Progress | None = None, cancel: CancelCheck | None = None) -> RigCalibration:
    """Calibrate every camera of ``recording`` and place them in one world.

    Parameters
    ----------
    recording : list of CameraViews
        The board views of each camera, as :func:`board_recording.detect_boards` returns them.
    spec : BoardSpec
    origin : {"camera", "board"}
        World frame (module docstring).
    progress : callable, optional
        ``progress(stage, done, total)`` with stages ``"intrinsics"`` (cameras) and
        ``"bundle adjustment"`` (iterations; total 0: unknown).
    cancel : callable, optional
        Checked between steps; raises ``CalibrationCancelled`` when it returns True.

    Raises
    ------
    ValueError
        One line naming the camera's file, or the cameras that share no board view with the rest.
    """
    if origin not in ("camera", "board"):
        raise ValueError(f"unknown world origin {origin!r}; use 'camera' or 'board'")
    shared = _shared_frames(recording)
    intrinsics, views = [], []
    for index, camera in enumerate(recording):
        check_cancel(cancel)
        K, dist, poses = _intrinsics(camera, spec)
        intrinsics.append((K, dist))
        views.append(poses)
        if progress is not None:
            progress("intrinsics", index + 1, len(recording))
    camera_poses = _initial_rig(shared, views)
    frames = sorted(set().union(*(camera.views for camera in recording)))
    board_poses = [_initial_board_pose(frame, recording, views, camera_poses) for frame in frames]
    observations = _observations(recording, spec, frames)

    def on_iteration(iteration: int) -> None:
        check_cancel(cancel)
        if progress is not None:
            progress("bundle adjustment", iteration, 0)

    on_iteration(0)
    camera_params, board_params = bundle_adjust(
        np.stack([pack_camera(*pose, *lens) for pose, lens in zip(camera_poses, intrinsics, strict=True)]),
        np.stack([np.concatenate([Rotation.from_matrix(R).as_rotvec(), t]) for R, t in board_poses]),
        observations, on_iteration)
    errors = np.linalg.norm(reprojection_residuals(camera_params, board_params, observations), axis=1)
    cameras = [Camera(camera.name, K, dist, R, t, *camera.size)
               for camera, (R, t, K, dist) in zip(recording, map(unpack_camera, camera_params), strict=True)]
    origin_label = f"camera {cameras[0].name}"
    if origin == "board":
        frame = max(frames, key=lambda f: (sum(f in camera.views for camera in recording), -f))
        cameras = _world_on_board(cameras, board_params[frames.index(frame)])
        origin_label = f"board frame {frame}"
    return RigCalibration(cameras, _report(recording, cameras, observations, errors, origin_label, spec))


def _intrinsics(camera: CameraViews, spec: BoardSpec) -> tuple[np.ndarray, np.ndarray, dict[int, Pose]]:
    """K (3, 3), dist (5,) and the board-to-camera pose of each view of one camera."""
    if len(camera.views) < MIN_VIEWS:
        raise ValueError(f"{camera.path}: the board was found in {len(camera.views)} frames; "
                         f"calibrating a camera needs at least {MIN_VIEWS}")
    object_points = [spec.corners[view.ids].astype(np.float32) for view in camera.views.values()]
    image_points = [view.pixels.astype(np.float32) for view in camera.views.values()]
    try:
        _, K, dist, rvecs, tvecs = cv2.calibrateCamera(object_points, image_points, camera.size, None, None)
    except cv2.error as error:
        raise ValueError(f"{camera.path}: calibrating the lens failed ({error.err})") from None
    poses = {frame: (cv2.Rodrigues(rvec)[0], tvec.reshape(3))
             for frame, rvec, tvec in zip(camera.views, rvecs, tvecs, strict=True)}
    return K, dist.reshape(-1)[:5], poses


def _relative_pose(first: dict[int, Pose], second: dict[int, Pose], shared: list[int]) -> Pose:
    """Pose of the second camera relative to the first, ``X_second = R @ X_first + t``.

    Each shared frame gives one estimate; estimates far from their consensus
    rotation (a board pose flipped by the planar ambiguity, say) are left out.
    """
    rotations, translations = [], []
    for frame in shared:
        (r_first, t_first), (r_second, t_second) = first[frame], second[frame]
        rotation = r_second @ r_first.T
        rotations.append(rotation)
        translations.append(t_second - rotation @ t_first)
    estimates = Rotation.from_matrix(np.stack(rotations))
    spread = np.array([(estimates[i].inv() * estimates).magnitude().sum() for i in range(len(estimates))])
    consensus = estimates[int(np.argmin(spread))]
    keep = (consensus.inv() * estimates).magnitude() <= np.deg2rad(_OUTLIER_DEG)
    return estimates[keep].mean().as_matrix(), np.median(np.asarray(translations)[keep], axis=0)


def _shared_frames(recording: list[CameraViews]) -> np.ndarray:
    """Frames each pair of cameras both see the board in, shape (V, V), int; zero diagonal.

    Raises
    ------
    ValueError
        Naming the cameras that never see the board in a frame where the others see it.
    """
    n = len(recording)
    shared = np.array([[len(recording[a].views.keys() & recording[b].views.keys()) if a != b else 0
                        for b in range(n)] for a in range(n)])
    _, component = connected_components(csr_matrix(shared > 0), directed=False)
    sizes = np.bincount(component)
    main = component == (component[0] if sizes[component[0]] == sizes.max() else np.argmax(sizes))
    if not main.all():
        alone = [c.name for c, m in zip(recording, main, strict=True) if not m]
        rest = [c.name for c, m in zip(recording, main, strict=True) if m]
        raise ValueError(f"{recording[0].path.parent}: {', '.join(alone)} never "
                         f"{'sees' if len(alone) == 1 else 'see'} the board in a frame where {', '.join(rest)} "
                         f"{'sees' if len(rest) == 1 else 'see'} it; record frames where the board is seen by both")
    return shared


def _initial_rig(shared: np.ndarray, views: list[dict[int, Pose]]) -> list[Pose]:
    """World-to-camera poses, world = the first camera, chained over the camera graph.

    The chain follows a spanning tree that prefers pairs sharing more frames.
    """
    weights = np.where(shared > 0, 1.0 / np.maximum(shared, 1), 0.0)
    order, parents = breadth_first_order(minimum_spanning_tree(csr_matrix(weights)), 0, directed=False)
    poses: list[Pose] = [(np.eye(3), np.zeros(3))] * len(views)
    for child in order[1:]:
        parent = parents[child]
        frames = sorted(views[parent].keys() & views[child].keys())
        r_rel, t_rel = _relative_pose(views[parent], views[child], frames)
        r_parent, t_parent = poses[parent]
        poses[child] = (r_rel @ r_parent, r_rel @ t_parent + t_rel)
    return poses


def _initial_board_pose(frame: int, recording: list[CameraViews], views: list[dict[int, Pose]],
                        camera_poses: list[Pose]) -> Pose:
    """Board-to-world pose in ``frame``, from the camera that sees the most corners there."""
    best = max((i for i, camera in enumerate(recording) if frame in camera.views),
               key=lambda i: recording[i].views[frame].ids.size)
    r_board, t_board = views[best][frame]
    r_camera, t_camera = camera_poses[best]
    return r_camera.T @ r_board, r_camera.T @ (t_board - t_camera)


def _observations(recording: list[CameraViews], spec: BoardSpec, frames: list[int]) -> Observations:
    board_index = {frame: i for i, frame in enumerate(frames)}
    cameras, boards, points, pixels = [], [], [], []
    for index, camera in enumerate(recording):
        for frame, view in camera.views.items():
            cameras.append(np.full(view.ids.size, index))
            boards.append(np.full(view.ids.size, board_index[frame]))
            points.append(spec.corners[view.ids])
            pixels.append(view.pixels)
    return Observations(*(np.concatenate(part) for part in (cameras, boards, points, pixels)))


def _world_on_board(cameras: list[Camera], board: np.ndarray) -> list[Camera]:
    """The cameras re-expressed in the ``origin="board"`` world of a board pose (6,)."""
    r_board = Rotation.from_rotvec(board[:3]).as_matrix() @ _FACE_UP
    t_board = board[3:]
    return [Camera(c.name, c.K, c.dist, c.R @ r_board, c.R @ t_board + c.t, c.width, c.height) for c in cameras]


def _report(recording: list[CameraViews], cameras: list[Camera], observations: Observations,
            errors: np.ndarray, origin: str, spec: BoardSpec) -> dict:
    per_camera = {}
    for index, (views, camera) in enumerate(zip(recording, cameras, strict=True)):
        mine = errors[observations.camera == index]
        per_camera[camera.name] = {"rms_px": float(np.sqrt(np.mean(mine ** 2))), "n_frames": len(views.views),
                                   "f_px": float((camera.K[0, 0] + camera.K[1, 1]) / 2)}
    seen_by = np.bincount(np.concatenate([list(views.views) for views in recording]))
    return {
        "per_camera": per_camera,
        "mean_rms_px": float(np.mean([entry["rms_px"] for entry in per_camera.values()])),
        "n_shared_frames": int(np.sum(seen_by >= 2)),
        "origin": origin,
        "board": str(spec),
    }
