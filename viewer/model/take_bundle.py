"""Everything the widgets draw for one take, loaded once when the take is opened."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.geometry.cameras import Camera
from analysis.geometry.rig import CameraRig
from analysis.motion.kinematics import take_kinematics
from analysis.motion.series import measured_pose
from analysis.motion.skeleton import Skeleton
from analysis.session.data import Penalties, TakeInfo
from analysis.session.reader import Session


@dataclass(frozen=True, eq=False)
class TakeBundle:
    """Arrays of the current take.

    Attributes
    ----------
    info : TakeInfo
    fps : float
        Frames per second of the session.
    event : str
        Apparatus code of the session (``"MFE"``).
    skeleton : Skeleton, J joints
    cameras : list of Camera, length V
    pose2d : ndarray (V, T, J, 3) float32
        Detections: x, y pixels and confidence.
    pose3d : ndarray (T, J, 3) float32 or None
        Triangulated 3D, metres.
    reference : ndarray (T, J, 3) float32 or None
        Ground truth 3D, metres.
    reprojected : ndarray (V, T, J, 2) float64 or None
        ``pose3d`` projected into every camera, pixels.
    errors : ndarray (V, T, J) float64 or None
        Distance between detection and reprojection, pixels.
    penalties : Penalties
    judge_scores : ndarray (A,) or None
    excluded_views : tuple of str
        Views left out when ``pose3d`` was last triangulated in the app.
    """

    info: TakeInfo
    fps: float
    event: str
    skeleton: Skeleton
    cameras: list[Camera]
    pose2d: np.ndarray
    pose3d: np.ndarray | None
    reference: np.ndarray | None
    reprojected: np.ndarray | None
    errors: np.ndarray | None
    penalties: Penalties
    judge_scores: np.ndarray | None
    excluded_views: tuple[str, ...] = ()

    @property
    def take_id(self) -> str:
        return self.info.take_id

    @property
    def n_frames(self) -> int:
        return self.info.n_frames

    @property
    def view_names(self) -> tuple[str, ...]:
        return tuple(camera.name for camera in self.cameras)

    @property
    def pose(self) -> np.ndarray | None:
        """The 3D pose ``(T, J, 3)`` the take is measured on: triangulated, else the reference; None without."""
        return measured_pose(self.pose3d, self.reference)

    @cached_property
    def kinematics(self) -> pd.DataFrame | None:
        """Joint angles, angular velocities and centre of mass of :attr:`pose`, one row per frame.

        :func:`analysis.motion.kinematics.take_kinematics`, computed on first use and kept:
        the curves and their CSV export read this one table. None without a 3D pose.
        """
        pose = self.pose
        return None if pose is None else take_kinematics(pose, self.skeleton, self.fps, self.event)

    def keep_kinematics(self, table: pd.DataFrame) -> None:
        """Keep ``table`` as :attr:`kinematics`: the same computation, done elsewhere (another process)."""
        self.__dict__["kinematics"] = table

    @property
    def kinematics_ready(self) -> bool:
        """Whether reading :attr:`kinematics` costs nothing: computed already, or None for want of a 3D pose."""
        return "kinematics" in self.__dict__ or self.pose is None


def load_take_bundle(session: Session, take_id: str) -> TakeBundle:
    """Read a take's poses and compute its reprojection (its kinematics are computed on first use)."""
    info = session.take(take_id)
    pose2d = session.pose2d(take_id)
    pose3d = session.pose3d(take_id)
    reprojected = errors = None
    if pose3d is not None:
        rig = CameraRig(session.cameras)
        reprojected = rig.reproject(pose3d)
        errors = rig.errors(pose2d, reprojected)
    return TakeBundle(
        info=info,
        fps=session.fps,
        event=session.event,
        skeleton=session.skeleton,
        cameras=list(session.cameras),
        pose2d=pose2d,
        pose3d=pose3d,
        reference=session.pose3d_reference(take_id),
        reprojected=reprojected,
        errors=errors,
        penalties=session.penalties(take_id),
        judge_scores=session.judge_scores(take_id),
    )
