"""The take a trainee take is compared with (its exemplar or another take), aligned onto the trainee's frames.

Built once per (trainee, exemplar) pair, off the GUI thread, by
:func:`build_exemplar_bundle`; everything the comparison widgets draw is then a
lookup by the *trainee's* frame index, so playback steps both takes through
matching phases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.motion.alignment import Alignment
from analysis.motion.comparison import compare_poses
from analysis.motion.kinematics import take_kinematics
from viewer.model.take_bundle import TakeBundle


def no_exemplar_message(action_name: str, library_root: Path) -> str:
    """What the user reads when the library holds no exemplar of a take's action, and what to do."""
    return (f"No exemplar of {action_name} in the library {Path(library_root).name or library_root}. "
            f"Open a library folder that has an exemplar of {action_name} (File → Open library folder…).")


@dataclass(frozen=True, eq=False)
class ExemplarBundle:
    """An exemplar take, its session file and its alignment with the trainee's take.

    Attributes
    ----------
    take : TakeBundle
        The exemplar's own arrays (its frames, its cameras).
    path : pathlib.Path
        The exemplar's session file.
    athlete : str
        Who performed the exemplar.
    trainee_take_id : str
        The trainee take it is aligned with.
    alignment : Alignment
        DTW alignment (trainee frame, exemplar frame).
    aligned_pose : ndarray (Tt, J, 3) float64
        The exemplar's 3D pose on the trainee's frames, at the trainee's root and facing
        (metres): the ghost skeleton.
    deviations : DataFrame
        :func:`analysis.motion.deviations.phase_deviation_summary` of trainee vs ``aligned_pose``.
    kinematics : DataFrame
        :func:`analysis.motion.kinematics.take_kinematics` of ``aligned_pose`` at the trainee's
        frame rate and event: the exemplar's curves beside the trainee's.
    """

    take: TakeBundle
    path: Path
    athlete: str
    trainee_take_id: str
    alignment: Alignment
    aligned_pose: np.ndarray
    deviations: pd.DataFrame
    kinematics: pd.DataFrame

    @property
    def is_exemplar(self) -> bool:
        """Whether the take compared with is an exemplar (else another take of the action)."""
        return self.take.info.is_exemplar

    def exemplar_frame(self, trainee_frame: int) -> int:
        """The exemplar frame matched with ``trainee_frame`` (clamped to the trainee's take)."""
        matched = self.alignment.exemplar_frame_for
        return int(matched[min(max(int(trainee_frame), 0), len(matched) - 1)])


def build_exemplar_bundle(trainee: TakeBundle, exemplar: TakeBundle, path: Path, athlete: str) -> ExemplarBundle:
    """Align ``exemplar`` onto ``trainee`` (DTW), place its pose on the trainee, sum up deviations.

    The joint angles of the summary and the exemplar's kinematics are taken on the
    trainee's frames, at its frame rate (``trainee.fps``).

    Parameters
    ----------
    trainee, exemplar : TakeBundle
        Takes of the same skeleton layout, each with a 3D pose (triangulated or reference).
    path : pathlib.Path
        The exemplar's session file.
    athlete : str
        The exemplar's athlete.

    Raises
    ------
    ValueError
        Naming the take without a 3D pose, or the two layouts when they differ.
    """
    if trainee.skeleton.joint_names != exemplar.skeleton.joint_names:
        raise ValueError(f"exemplar {exemplar.take_id} uses skeleton {exemplar.skeleton.name!r}, "
                         f"take {trainee.take_id} uses {trainee.skeleton.name!r}")
    poses = {}
    for role, take in (("trainee", trainee), ("exemplar", exemplar)):
        poses[role] = take.pose
        if poses[role] is None:
            raise ValueError(f"{role} take {take.take_id} has no 3D pose to compare")
    comparison = compare_poses(poses["trainee"], poses["exemplar"], trainee.skeleton, trainee.fps)
    return ExemplarBundle(
        take=exemplar,
        path=Path(path),
        athlete=athlete,
        trainee_take_id=trainee.take_id,
        alignment=comparison.alignment,
        aligned_pose=comparison.aligned_pose,
        deviations=comparison.deviations,
        kinematics=take_kinematics(comparison.aligned_pose, trainee.skeleton, trainee.fps, trainee.event),
    )
