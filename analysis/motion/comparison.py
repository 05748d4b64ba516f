"""One take compared with a reference take of the same action: DTW alignment, ghost pose, deviations.

The compare tab (:func:`viewer.model.exemplar_bundle.build_exemplar_bundle`) and
the report (:mod:`analysis.render.report`) both compare this way, whether the
reference is an exemplar or another take of the action.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.motion.alignment import Alignment, align_exemplar_pose, align_takes
from analysis.motion.deviations import phase_deviation_summary
from analysis.motion.skeleton import Skeleton

#: The deviation summary splits the trainee's take into this many equal phases.
SUMMARY_PHASES = 3
#: Body parts listed per phase where the largest deviations are shown (the compare tab, the report).
PARTS_PER_PHASE = 3


@dataclass(frozen=True)
class PoseComparison:
    """A take against a reference, on the take's frames.

    Attributes
    ----------
    alignment : Alignment
        DTW alignment (take frame, reference frame).
    aligned_pose : ndarray (T, J, 3) float64
        The reference pose on the take's frames, at the take's root and facing (metres).
    deviations : DataFrame
        :func:`analysis.motion.deviations.phase_deviation_summary` of the take vs ``aligned_pose``.
    """

    alignment: Alignment
    aligned_pose: np.ndarray
    deviations: pd.DataFrame


def compare_poses(pose: np.ndarray, reference_pose: np.ndarray, skeleton: Skeleton, fps: float) -> PoseComparison:
    """Align ``reference_pose`` onto ``pose`` in time (DTW) and space, and sum up where they differ.

    Parameters
    ----------
    pose, reference_pose : ndarray (T, J, 3) and (Tr, J, 3)
        The take's and the reference's 3D poses, metres, same skeleton.
    fps : float
        The take's frame rate, for the joint angles of the summary.
    """
    alignment = align_takes(pose, reference_pose, skeleton)
    aligned = align_exemplar_pose(reference_pose, pose, alignment.path, skeleton)
    return PoseComparison(alignment, aligned,
                          phase_deviation_summary(pose, aligned, skeleton, SUMMARY_PHASES, fps=fps))


def largest_deviations(deviations: pd.DataFrame, per_phase: int = PARTS_PER_PHASE) -> pd.DataFrame:
    """The ``per_phase`` body parts that differ most in each phase of a deviation summary, phases in order."""
    if deviations.empty:
        return deviations
    return deviations.groupby("phase", sort=True).head(per_phase).reset_index(drop=True)
