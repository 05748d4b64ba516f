"""The overlays of a take, read from its session: skeleton points, angle labels, score, penalty rows.

The joint angles come from :func:`analysis.motion.kinematics.take_kinematics`,
the same function the workstation's curves read, on the take's measured pose
(:func:`analysis.motion.series.measured_pose`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np

from analysis.annotations.document import annotations_path, read_annotations
from analysis.annotations.items import AnnotationItem, Drawing, Marker
from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.geometry.cameras import project_all
from analysis.motion.kinematics import take_kinematics
from analysis.motion.series import measured_pose
from analysis.render.anonymize import face_tracks
from analysis.render.overlays import (
    ANGLE_JOINTS,
    AngleTrack,
    ClipOverlays,
    OverlayOptions,
    PenaltyTrack,
    TakeOverlays,
)
from analysis.session.reader import Session


class Prediction(Protocol):
    """A model's output for a take (``models.scorer.TakeScore`` fits).

    Attributes
    ----------
    score : float
        Predicted score.
    penalty_codes : tuple of str
        H penalty items.
    heatmap : ndarray (H, T)
        Per frame probability of each item.
    """

    score: float
    penalty_codes: tuple[str, ...]
    heatmap: np.ndarray


def session_pose(session: Session, take_id: str) -> np.ndarray | None:
    """The measured 3D pose ``(T, J, 3)`` of a take: triangulated, else the reference; None without either."""
    return measured_pose(session.pose3d(take_id), session.pose3d_reference(take_id))


def take_overlays(session: Session, take_id: str, options: OverlayOptions) -> TakeOverlays:
    """Skeleton points and angle tracks of a take for the renderer.

    Raises
    ------
    ValueError
        If the reprojected skeleton is asked for a take without a 3D pose.
    """
    info = session.take(take_id)
    pose3d = session_pose(session, take_id)
    detections = session.pose2d(take_id)
    faces = face_tracks(detections, session.skeleton.joint_names) if options.anonymize else None
    if options.skeleton == "detections":
        points = detections[..., :2]
    elif options.skeleton == "reprojection":
        if pose3d is None:
            raise ValueError(f"{session.path}: take {take_id!r} has no 3D pose to reproject")
        points = project_all(session.cameras, pose3d)
    else:
        points = None
    angles: tuple[AngleTrack, ...] = ()
    if options.angle_joints and pose3d is not None:
        kinematics = take_kinematics(pose3d, session.skeleton, session.fps, session.event)
        names = session.skeleton.joint_names
        angles = tuple(
            AngleTrack(names.index(joint), ANGLE_JOINTS[joint][1], kinematics[ANGLE_JOINTS[joint][0]].to_numpy())
            for joint in options.angle_joints if joint in names
        )
    return TakeOverlays(f"{take_id} · {info.action_name}", session.skeleton, points, angles, session.fps, faces)


def penalty_name(code: str) -> str:
    """The catalogue name of a penalty code (the code itself when the catalogue lacks it)."""
    item = load_penalty_catalogue().get(code)
    return code if item is None else item.name


def recorded_penalty_tracks(session: Session, take_id: str) -> tuple[PenaltyTrack, ...]:
    """One strip row per recorded penalty: 1 inside its frame span, 0 outside, NaN if the span is unknown."""
    n_frames = session.take(take_id).n_frames
    penalties = session.penalties(take_id)
    tracks = []
    for code, value, start, end in zip(penalties.codes, penalties.values, penalties.start, penalties.end):
        activity = np.zeros(n_frames)
        if start < 0 or end < 0:
            activity[:] = np.nan
        else:
            activity[max(int(start), 0):min(int(end), n_frames)] = 1.0
        tracks.append(PenaltyTrack(penalty_name(code), float(value), activity))
    return tuple(tracks)


def predicted_penalty_tracks(prediction: Prediction, n_frames: int) -> tuple[PenaltyTrack, ...]:
    """One strip row per predicted penalty item, the model's per-frame probability as intensity."""
    heatmap = np.asarray(prediction.heatmap, dtype=np.float64)
    if heatmap.shape != (len(prediction.penalty_codes), n_frames):
        raise ValueError(f"the penalty heatmap must be ({len(prediction.penalty_codes)}, {n_frames}), "
                         f"got {heatmap.shape}")
    return tuple(PenaltyTrack(penalty_name(code), None, row) for code, row in zip(prediction.penalty_codes, heatmap))


def clip_overlays(session: Session, take_id: str, options: OverlayOptions, prediction: Prediction | None = None,
                  annotations: Sequence[AnnotationItem] | None = None) -> ClipOverlays:
    """The overlays of a take: predicted score and heatmap when given, else the annotated ones.

    With ``options.annotations``, the take's drawings and markers among ``annotations``,
    or, when None, in the session's annotations file (none when it does not exist).

    Raises
    ------
    AnnotationsFormatError
        If the annotations file is read and cannot be.
    """
    info = session.take(take_id)
    take = take_overlays(session, take_id, options)
    markers: tuple[Marker, ...] = ()
    if options.annotations:
        items = read_annotations(annotations_path(session.path)).of_take(take_id) if annotations is None else \
            tuple(item for item in annotations if item.take == take_id)
        take = replace(take, drawings=tuple(item for item in items if isinstance(item, Drawing)))
        markers = tuple(item for item in items if isinstance(item, Marker))
    if prediction is not None:
        score, source = float(prediction.score), "predicted"
        penalties = predicted_penalty_tracks(prediction, info.n_frames)
    else:
        score, source = info.score, "annotated"
        penalties = recorded_penalty_tracks(session, take_id)
    return ClipOverlays(
        take=take,
        score=score if options.score else None,
        score_source=source,
        penalties=penalties if options.penalties else None,
        timestamp=options.timestamp,
        markers=markers,
    )
