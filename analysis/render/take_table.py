"""A take's per-frame table: kinematics, score, judges' spread, penalties (and a model's prediction), as CSV."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.motion.kinematics import take_kinematics
from analysis.render.take_overlays import (
    Prediction,
    predicted_penalty_tracks,
    recorded_penalty_tracks,
    session_pose,
)
from analysis.session.atomic import write_text_atomically
from analysis.session.reader import Session


def take_table(session: Session, take_id: str, prediction: Prediction | None = None,
               kinematics: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per-frame kinematics of a take with its score and penalties, one row per frame.

    Columns: ``take``, ``action``, then the :func:`~analysis.motion.kinematics.take_kinematics` columns
    (``frame``, ``time_s``, angles, velocities, centre of mass; NaN without a 3D
    pose), ``score`` (annotated), ``judge_spread`` (max - min of the judges), and
    per recorded penalty item ``penalty_<CODE>`` (its deduction) and
    ``penalty_<CODE>_active`` (1 inside its span, 0 outside, empty when the span
    is unknown). With a prediction: ``predicted_score`` and
    ``predicted_<CODE>_probability`` per frame.

    ``kinematics``, when given, is the take's table already computed (the
    workstation's :attr:`viewer.model.take_bundle.TakeBundle.kinematics`, which may
    be of a pose re-triangulated in the app); it is copied, not changed. Otherwise
    it is computed from the session's measured pose.
    """
    info = session.take(take_id)
    if kinematics is None:
        pose = session_pose(session, take_id)
        if pose is None:
            pose = np.full((info.n_frames, session.skeleton.n_joints, 3), np.nan, np.float32)
        kinematics = take_kinematics(pose, session.skeleton, session.fps, session.event)
    elif len(kinematics) != info.n_frames:
        raise ValueError(f"{session.path}: take {take_id!r} has {info.n_frames} frames, "
                         f"its kinematics {len(kinematics)} rows")
    table = kinematics.copy()
    table.insert(0, "take", take_id)
    table.insert(1, "action", info.action)
    columns: dict[str, object] = {"score": info.score}
    judges = session.judge_scores(take_id)
    columns["judge_spread"] = float(np.ptp(judges)) if judges is not None and judges.size else np.nan
    penalties = session.penalties(take_id)
    for code, track in zip(penalties.codes, recorded_penalty_tracks(session, take_id)):
        columns[f"penalty_{code}"] = track.deduction
        columns[f"penalty_{code}_active"] = track.activity
    if prediction is not None:
        columns["predicted_score"] = float(prediction.score)
        heatmap = predicted_penalty_tracks(prediction, info.n_frames)
        for code, track in zip(prediction.penalty_codes, heatmap):
            columns[f"predicted_{code}_probability"] = track.activity
    return pd.concat([table, pd.DataFrame(columns, index=table.index)], axis=1)


def export_take_csv(session_path: str | Path, take_id: str, out: str | Path,
                    prediction: Prediction | None = None, kinematics: pd.DataFrame | None = None) -> Path:
    """Write :func:`take_table` of a take to ``out`` as CSV (atomically); NaN as empty cells."""
    with Session.open(session_path) as session:
        table = take_table(session, take_id, prediction, kinematics)
    return write_text_atomically(out, table.to_csv(index=False, float_format="%.9g"))
