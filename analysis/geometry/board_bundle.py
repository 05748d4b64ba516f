"""Bundle adjustment of a camera rig on board views.

Unknowns: each camera's intrinsics (fx fy cx cy k1 k2 p1 p2 k3) and pose
(world to camera), and each frame's board pose (board to world). The first
camera's pose stays fixed (it holds the world frame). Residuals are the
reprojection errors of every board corner seen, in pixels; scipy's
``least_squares`` minimises them with a robust loss and a sparse Jacobian.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import least_squares
from scipy.sparse import coo_matrix
from scipy.spatial.transform import Rotation

from analysis.geometry.cameras import distort_normalized

#: Parameters per camera: rotation vector, translation, fx fy cx cy, k1 k2 p1 p2 k3.
CAMERA_PARAMS = 15
#: Parameters per board pose: rotation vector, translation.
BOARD_PARAMS = 6
#: Pixel scale of the robust loss: residuals beyond it count less than squared.
LOSS_SCALE_PX = 1.0
#: Tolerances of the sparse trust-region solves (scipy's LSMR). Its defaults (1e-6)
#: give inexact steps that crawl for hundreds of iterations on this problem.
_LSMR_TOLERANCES = {"atol": 1e-10, "btol": 1e-10}
#: Stop when an iteration lowers the cost by less than this fraction. The last
#: iterations before 1e-8 (scipy's default) move focal lengths by < 0.02 % and
#: take half the time: the rig has directions it barely constrains (a distant
#: camera's sideways shift against its turn and principal point).
_COST_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Observations:
    """Board corners seen, one row per corner and camera.

    Attributes
    ----------
    camera : ndarray, shape (M,), int
        Camera index.
    board : ndarray, shape (M,), int
        Board pose index.
    points : ndarray, shape (M, 3)
        The corner in the board frame, metres.
    pixels : ndarray, shape (M, 2)
        Where the camera saw it, pixels.
    """

    camera: np.ndarray
    board: np.ndarray
    points: np.ndarray
    pixels: np.ndarray


def pack_camera(rotation: np.ndarray, translation: np.ndarray, K: np.ndarray, dist: np.ndarray) -> np.ndarray:
    """One camera's parameter vector, shape (15,)."""
    coefficients = np.zeros(5)
    coefficients[:min(5, dist.size)] = dist[:5]
    return np.concatenate([Rotation.from_matrix(rotation).as_rotvec(), translation,
                           [K[0, 0], K[1, 1], K[0, 2], K[1, 2]], coefficients])


def unpack_camera(params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(R, t, K, dist)`` of a camera parameter vector (15,)."""
    fx, fy, cx, cy = params[6:10]
    K = np.array([[fx, 0.0, cx], [0.0, fy, cy], [0.0, 0.0, 1.0]])
    return Rotation.from_rotvec(params[:3]).as_matrix(), params[3:6].copy(), K, params[10:15].copy()


def reprojection_residuals(cameras: np.ndarray, boards: np.ndarray, observations: Observations) -> np.ndarray:
    """Projected minus seen pixels, shape (M, 2).

    Parameters
    ----------
    cameras : ndarray, shape (V, 15)
    boards : ndarray, shape (B, 6)
        Board-to-world rotation vector and translation.
    observations : Observations
    """
    board_rotations = Rotation.from_rotvec(boards[:, :3]).as_matrix()
    world = (np.einsum("mij,mj->mi", board_rotations[observations.board], observations.points)
             + boards[observations.board, 3:])
    camera_rotations = Rotation.from_rotvec(cameras[:, :3]).as_matrix()
    in_camera = (np.einsum("mij,mj->mi", camera_rotations[observations.camera], world)
                 + cameras[observations.camera, 3:6])
    normalized = in_camera[:, :2] / in_camera[:, 2:3]
    projected = np.empty_like(normalized)
    for index, params in enumerate(cameras):
        rows = observations.camera == index
        distorted = distort_normalized(normalized[rows], params[10:15])
        projected[rows] = distorted * params[6:8] + params[8:10]
    return projected - observations.pixels


def _sparsity(observations: Observations, n_cameras: int, n_boards: int) -> coo_matrix:
    """Which parameters each residual depends on; the first camera's pose is not a parameter.

    Parameter vector: the cameras' parameters in order without the first six,
    then the board poses.
    """
    n_free = n_cameras * CAMERA_PARAMS - 6
    camera_columns = np.arange(n_cameras * CAMERA_PARAMS).reshape(n_cameras, CAMERA_PARAMS) - 6
    board_columns = n_free + np.arange(n_boards * BOARD_PARAMS).reshape(n_boards, BOARD_PARAMS)
    columns = np.concatenate([camera_columns[observations.camera], board_columns[observations.board]], axis=1)
    columns = np.repeat(columns, 2, axis=0)
    rows = np.broadcast_to(np.arange(len(columns))[:, None], columns.shape)
    used = columns >= 0
    return coo_matrix((np.ones(used.sum(), np.int8), (rows[used], columns[used])),
                      shape=(len(columns), n_free + n_boards * BOARD_PARAMS))


def bundle_adjust(cameras: np.ndarray, boards: np.ndarray, observations: Observations,
                  on_iteration: Callable[[int], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Refine cameras (V, 15) and board poses (B, 6); the first camera's pose is held.

    ``on_iteration(n)`` is called after each iteration; an exception it raises
    stops the refinement and propagates.

    Returns
    -------
    cameras : ndarray, shape (V, 15)
    boards : ndarray, shape (B, 6)
    """
    n_cameras, n_boards = len(cameras), len(boards)
    fixed_pose = cameras[0, :6].copy()

    def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        camera_part = np.concatenate([fixed_pose, x[:n_cameras * CAMERA_PARAMS - 6]])
        return camera_part.reshape(n_cameras, CAMERA_PARAMS), x[n_cameras * CAMERA_PARAMS - 6:].reshape(n_boards, 6)

    def residuals(x: np.ndarray) -> np.ndarray:
        return reprojection_residuals(*split(x), observations).ravel()

    def callback(intermediate_result) -> None:
        if on_iteration is not None:
            on_iteration(int(intermediate_result.nit))

    x0 = np.concatenate([cameras.ravel()[6:], boards.ravel()])
    result = least_squares(residuals, x0, jac_sparsity=_sparsity(observations, n_cameras, n_boards), method="trf",
                           loss="soft_l1", f_scale=LOSS_SCALE_PX, x_scale="jac", ftol=_COST_TOLERANCE,
                           tr_options=_LSMR_TOLERANCES, callback=callback)
    return split(result.x)
