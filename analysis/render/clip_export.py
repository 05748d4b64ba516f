"""Exporting a take: annotated MP4 clips, a per-frame CSV, PNG snapshots.

:func:`export_clip` reads the take, builds the overlays (skeleton, joint
angles from :func:`analysis.motion.kinematics.compute_kinematics`, score, penalty
strip from the recorded spans, or from a model's prediction when one is
given), renders each frame with :class:`analysis.render.clip_render.ClipRenderer`
and writes an MP4 through ``cv2.VideoWriter``: H.264 (``avc1``) when this
OpenCV can write it, else MPEG-4 Part 2 (``mp4v``). The video is written to
a temporary file beside the destination and renamed into place; a cancelled
or failed export leaves nothing behind.

This module starts no threads: give :func:`export_clip` an executor (the
application's thread pool) and it decodes and renders frames ahead in it
while the calling thread encodes.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import pandas as pd

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.exemplars import take_exemplars
from analysis.geometry.cameras import project_all
from analysis.motion.alignment import align_takes
from analysis.motion.kinematics import compute_kinematics
from analysis.render.clip_render import (
    LAYOUTS,
    AngleTrack,
    ClipOverlays,
    ClipRenderer,
    ExemplarPane,
    PenaltyTrack,
    TakeOverlays,
)
from analysis.session.atomic import (
    atomic_output,
    write_bytes_atomically,
    write_text_atomically,
)
from analysis.session.library import Library
from analysis.session.reader import Session

SKELETON_SOURCES: tuple[str, ...] = ("detections", "reprojection", "none")

#: Joints that can carry an angle label: joint name -> (kinematics column, short label).
ANGLE_JOINTS: dict[str, tuple[str, str]] = {
    f"{side}_{part}": (f"{side}_{part}_{quantity}", f"{side[0].upper()} {part}")
    for part, quantity in (("knee", "flexion_deg"), ("hip", "flexion_deg"), ("elbow", "flexion_deg"),
                           ("shoulder", "elevation_deg"))
    for side in ("left", "right")
}

#: Codecs tried, best first: H.264, then MPEG-4 Part 2 (always in OpenCV's wheels).
CODEC_PREFERENCE: tuple[str, ...] = ("avc1", "mp4v")

#: Frames decoded and rendered ahead when an executor is given.
LOOKAHEAD_FRAMES = 6

ProgressCallback = Callable[[int, int], None]


class ExportCancelled(Exception):
    """Raised by :func:`export_clip` when ``cancelled()`` turned true; no file was left behind."""


@dataclass(frozen=True)
class OverlayOptions:
    """Which overlays a clip shows.

    Attributes
    ----------
    skeleton : {"detections", "reprojection", "none"}
        The 2D detections, the 3D pose projected into each camera, or no skeleton.
    angle_joints : tuple of str
        Joints (keys of :data:`ANGLE_JOINTS`) whose angle is written beside them.
    score : bool
    penalties : bool
        The penalty strip with its cursor.
    timestamp : bool
        Frame index and time.
    """

    skeleton: str = "detections"
    angle_joints: tuple[str, ...] = ("left_knee", "right_knee")
    score: bool = True
    penalties: bool = True
    timestamp: bool = True

    def __post_init__(self) -> None:
        if self.skeleton not in SKELETON_SOURCES:
            raise ValueError(f"unknown skeleton source {self.skeleton!r}; expected one of {', '.join(SKELETON_SOURCES)}")
        unknown = [joint for joint in self.angle_joints if joint not in ANGLE_JOINTS]
        if unknown:
            raise ValueError(f"no angle is defined at {', '.join(unknown)}; choose from {', '.join(ANGLE_JOINTS)}")


DEFAULT_OVERLAYS = OverlayOptions()


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


# --------------------------------------------------------------- codecs
@lru_cache(maxsize=None)
def available_codec(preference: tuple[str, ...] = CODEC_PREFERENCE) -> str:
    """The first FourCC of ``preference`` that this OpenCV can write into an ``.mp4`` (probed once).

    A codec that cannot open is expected here, not an error: OpenCV's log is
    silenced and FFmpeg's messages on the process's stderr are discarded meanwhile.
    """
    log_level = cv2.utils.logging.getLogLevel()
    cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)
    try:
        with _stderr_discarded():
            return _probe_codecs(preference)
    finally:
        cv2.utils.logging.setLogLevel(log_level)


@contextmanager
def _stderr_discarded() -> Iterator[None]:
    """Point file descriptor 2 at the null device (FFmpeg writes there directly, bypassing Python)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _probe_codecs(preference: tuple[str, ...]) -> str:
    with tempfile.TemporaryDirectory() as folder:
        for codec in preference:
            probe = Path(folder) / f"probe_{codec}.mp4"
            writer = cv2.VideoWriter(str(probe), cv2.VideoWriter_fourcc(*codec), 30.0, (64, 64))
            try:
                if writer.isOpened():
                    writer.write(np.zeros((64, 64, 3), np.uint8))
                    return codec
            finally:
                writer.release()
    raise ValueError(f"OpenCV cannot write MP4 with any of {', '.join(preference)}")


# ------------------------------------------------------------- overlays
def _pose_for_angles(session: Session, take_id: str) -> np.ndarray | None:
    pose = session.pose3d(take_id)
    return session.pose3d_reference(take_id) if pose is None else pose


def take_overlays(session: Session, take_id: str, options: OverlayOptions) -> TakeOverlays:
    """Skeleton points and angle tracks of a take for the renderer.

    Raises
    ------
    ValueError
        If the reprojected skeleton is asked for a take without a 3D pose.
    """
    info = session.take(take_id)
    pose3d = _pose_for_angles(session, take_id)
    if options.skeleton == "detections":
        points = session.pose2d(take_id)[..., :2]
    elif options.skeleton == "reprojection":
        if pose3d is None:
            raise ValueError(f"{session.path}: take {take_id!r} has no 3D pose to reproject")
        points = project_all(session.cameras, pose3d)
    else:
        points = None
    angles: tuple[AngleTrack, ...] = ()
    if options.angle_joints and pose3d is not None:
        kinematics = compute_kinematics(pose3d, session.skeleton, session.fps)
        names = session.skeleton.joint_names
        angles = tuple(
            AngleTrack(names.index(joint), ANGLE_JOINTS[joint][1], kinematics[ANGLE_JOINTS[joint][0]].to_numpy())
            for joint in options.angle_joints if joint in names
        )
    return TakeOverlays(f"{take_id} · {info.action_name}", session.skeleton, points, angles, session.fps)


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


def clip_overlays(session: Session, take_id: str, options: OverlayOptions,
                  prediction: Prediction | None = None) -> ClipOverlays:
    """The overlays of a take: predicted score and heatmap when given, else the annotated ones."""
    info = session.take(take_id)
    if prediction is not None:
        score, source = float(prediction.score), "predicted"
        penalties = predicted_penalty_tracks(prediction, info.n_frames)
    else:
        score, source = info.score, "annotated"
        penalties = recorded_penalty_tracks(session, take_id)
    return ClipOverlays(
        take=take_overlays(session, take_id, options),
        score=score if options.score else None,
        score_source=source,
        penalties=penalties if options.penalties else None,
        timestamp=options.timestamp,
    )


# ------------------------------------------------------------- exemplar
def best_exemplar(session_path: str | Path, take_id: str) -> tuple[Path, str]:
    """The first exemplar of the take in the session's folder by the one exemplar policy
    (:func:`analysis.exemplars.take_exemplars`; never the take itself).

    Raises
    ------
    ValueError
        If the folder holds no other exemplar of the action.
    """
    session_path = Path(session_path)
    with Session.open(session_path) as session:
        action, event = session.take(take_id).action, session.event
    library = Library.scan(session_path.parent)
    rows = take_exemplars(library, session_path, take_id, action, event)
    if rows.empty:
        raise ValueError(f"{session_path}: no exemplar of action {action!r} in {session_path.parent}")
    return library.path_of(rows["file"].iloc[0]), str(rows["take"].iloc[0])


def _exemplar_pane(trainee: Session, take_id: str, exemplar: Session, exemplar_take: str, view: str,
                   options: OverlayOptions) -> ExemplarPane:
    if exemplar.skeleton.joint_names != trainee.skeleton.joint_names:
        raise ValueError(f"{exemplar.path}: the exemplar's skeleton ({exemplar.skeleton.name}) differs from "
                         f"the trainee's ({trainee.skeleton.name})")
    if view not in exemplar.view_names:
        raise ValueError(f"{exemplar.path}: the exemplar has no view {view!r}")
    trainee_pose = _pose_for_angles(trainee, take_id)
    exemplar_pose = _pose_for_angles(exemplar, exemplar_take)
    for session, take, pose in ((trainee, take_id, trainee_pose), (exemplar, exemplar_take, exemplar_pose)):
        if pose is None:
            raise ValueError(f"{session.path}: take {take!r} has no 3D pose to align in time")
    alignment = align_takes(trainee_pose, exemplar_pose, trainee.skeleton)
    overlays = take_overlays(exemplar, exemplar_take, options)
    index = exemplar.view_names.index(view)
    points = None if overlays.points is None else overlays.points[index:index + 1]
    return ExemplarPane(
        take=TakeOverlays(overlays.label, overlays.skeleton, points, overlays.angles, overlays.fps),
        camera=exemplar.cameras[index],
        frame_for=np.asarray(alignment.exemplar_frame_for, dtype=np.int64),
    )


# ---------------------------------------------------------------- clips
@dataclass(frozen=True)
class PreparedClip:
    """An opened take ready to render: the renderer and the frames' sources.

    Attributes
    ----------
    renderer : ClipRenderer
    fps : float
    first, last : int
        Frame range (inclusive).
    session : Session
        The open trainee session.
    take_id : str
    view_names : tuple of str
        Views decoded for each frame, in the renderer's order.
    exemplar : (Session, take id, view name) or None
        Where the ``compare`` layout's exemplar frames come from.
    """

    renderer: ClipRenderer
    fps: float
    first: int
    last: int
    session: Session
    take_id: str
    view_names: tuple[str, ...]
    exemplar: tuple[Session, str, str] | None

    def render(self, frame: int) -> np.ndarray:
        """Decode the views of ``frame`` and compose its output image ``(H, W, 3)`` BGR uint8."""
        images = [self.session.frame(self.take_id, name, frame) for name in self.view_names]
        exemplar_image = None
        if self.exemplar is not None:
            session, take, view = self.exemplar
            exemplar_image = session.frame(take, view, self.renderer.exemplar_frame(frame))
        return self.renderer.render(frame, images, exemplar_image)


def _frame_range(session: Session, take_id: str, start: int | None, end: int | None) -> tuple[int, int]:
    n_frames = session.take(take_id).n_frames
    first = 0 if start is None else int(start)
    last = n_frames - 1 if end is None else int(end)
    if not 0 <= first <= last < n_frames:
        raise ValueError(f"{session.path.name}: frames {first}..{last} are outside take {take_id!r} "
                         f"(0..{n_frames - 1})")
    return first, last


def _default_view(session: Session, take_id: str) -> str:
    with_video = session.take(take_id).video_views
    return (with_video or session.view_names)[0]


@contextmanager
def prepared_clip(session_path: str | Path, take_id: str, layout: str = "single", view: str | None = None,
                  start: int | None = None, end: int | None = None, overlays: OverlayOptions = DEFAULT_OVERLAYS,
                  exemplar: tuple[str | Path, str] | None = None,
                  prediction: Prediction | None = None) -> Iterator[PreparedClip]:
    """Open the session (and the exemplar's) and build the renderer of a clip; closes them on exit.

    Parameters are those of :func:`export_clip`.
    """
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    with ExitStack() as stack:
        session = stack.enter_context(Session.open(session_path))
        first, last = _frame_range(session, take_id, start, end)
        if view is not None and view not in session.view_names:
            raise ValueError(f"{session.path}: no view {view!r}; views are {', '.join(session.view_names)}")
        views = session.view_names if layout == "mosaic" else (view or _default_view(session, take_id),)
        pane = source = None
        if layout == "compare":
            exemplar_path, exemplar_take = exemplar if exemplar is not None else best_exemplar(session.path, take_id)
            same_file = Path(exemplar_path).resolve() == session.path.resolve()
            exemplar_session = session if same_file else stack.enter_context(Session.open(exemplar_path))
            exemplar_session.take(exemplar_take)
            pane = _exemplar_pane(session, take_id, exemplar_session, exemplar_take, views[0], overlays)
            source = (exemplar_session, exemplar_take, views[0])
        renderer = ClipRenderer(layout, session.cameras, [session.view_names.index(v) for v in views],
                                clip_overlays(session, take_id, overlays, prediction), first, last, pane)
        yield PreparedClip(renderer, session.fps, first, last, session, take_id, tuple(views), source)


def _rendered_frames(clip: PreparedClip, executor: Executor | None) -> Iterator[np.ndarray]:
    """Output images of the clip in order; rendered ahead in ``executor`` when one is given."""
    frames = range(clip.first, clip.last + 1)
    if executor is None:
        yield from (clip.render(frame) for frame in frames)
        return
    pending: deque[Future] = deque()
    upcoming = iter(frames)
    try:
        for frame in upcoming:
            pending.append(executor.submit(clip.render, frame))
            if len(pending) >= LOOKAHEAD_FRAMES:
                break
        while pending:
            image = pending.popleft().result()
            following = next(upcoming, None)
            if following is not None:
                pending.append(executor.submit(clip.render, following))
            yield image
    finally:
        for future in pending:
            future.cancel()
        wait(pending)


def export_clip(session_path: str | Path, take_id: str, out_path: str | Path, layout: str = "single",
                view: str | None = None, start: int | None = None, end: int | None = None,
                overlays: OverlayOptions = DEFAULT_OVERLAYS, exemplar: tuple[str | Path, str] | None = None,
                progress: ProgressCallback | None = None, cancelled: Callable[[], bool] | None = None, *,
                prediction: Prediction | None = None, codec: str | None = None,
                executor: Executor | None = None) -> Path:
    """Write an annotated MP4 of a take.

    Parameters
    ----------
    session_path : path
    take_id : str
    out_path : path
        The ``.mp4`` to write; replaced only when the export succeeds.
    layout : {"single", "mosaic", "compare"}
        One view, every view in 2 x 4 tiles, or trainee | exemplar for one view.
    view : str, optional
        View of ``single`` and ``compare``; default the first view with video.
    start, end : int, optional
        First and last frame (inclusive); default the whole take.
    overlays : OverlayOptions
    exemplar : (path, take id), optional
        Exemplar of ``compare``; default :func:`best_exemplar`. Its frames are
        matched to the trainee's by ``analysis.motion.alignment.align_takes``.
    progress : callable(done, total), optional
        Called after each written frame.
    cancelled : callable() -> bool, optional
        Polled before each frame; when it returns True the export stops.
    prediction : Prediction, optional
        A model's score and penalty heatmap, shown instead of the annotated ones.
    codec : str, optional
        FourCC; default :func:`available_codec` (``avc1`` if writable, else ``mp4v``).
    executor : concurrent.futures.Executor, optional
        Decodes and renders frames ahead; without one everything runs in the calling thread.

    Returns
    -------
    pathlib.Path of the written video, at the take's frame rate.

    Raises
    ------
    ExportCancelled
        When ``cancelled()`` returned True; no output or temporary file remains.
    SessionFormatError, KeyError, ValueError
        For a bad session, an unknown take or view, a bad range or an unwritable codec.
    """
    out_path = Path(out_path)
    codec = codec or available_codec()
    with prepared_clip(session_path, take_id, layout, view, start, end, overlays, exemplar, prediction) as clip:
        total = clip.last - clip.first + 1
        with atomic_output(out_path) as temporary:
            video_path = temporary.with_name(temporary.name + ".mp4")
            try:
                _write_video(video_path, clip, codec, total, progress, cancelled, executor)
                os.replace(video_path, temporary)
            finally:
                video_path.unlink(missing_ok=True)
    return out_path


def _write_video(path: Path, clip: PreparedClip, codec: str, total: int, progress: ProgressCallback | None,
                 cancelled: Callable[[], bool] | None, executor: Executor | None) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*codec), clip.fps, clip.renderer.size)
    if not writer.isOpened():
        raise ValueError(f"{path.name}: OpenCV cannot write MP4 with codec {codec!r}")
    try:
        frames = _rendered_frames(clip, executor)
        try:
            for done in range(1, total + 1):
                if cancelled is not None and cancelled():
                    raise ExportCancelled(f"export of take {clip.take_id!r} cancelled after {done - 1} frames")
                writer.write(next(frames))
                if progress is not None:
                    progress(done, total)
        finally:
            frames.close()
    finally:
        writer.release()


# ------------------------------------------------------------ snapshots
def export_snapshot_png(session_path: str | Path, take_id: str, frame: int, out: str | Path,
                        layout: str = "single", view: str | None = None,
                        overlays: OverlayOptions = DEFAULT_OVERLAYS, exemplar: tuple[str | Path, str] | None = None,
                        prediction: Prediction | None = None) -> Path:
    """Write one annotated frame as PNG (the penalty strip spans the whole take)."""
    with prepared_clip(session_path, take_id, layout, view, None, None, overlays, exemplar, prediction) as clip:
        _frame_range(clip.session, take_id, frame, frame)
        image = clip.render(int(frame))
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"{out}: the snapshot cannot be encoded as PNG")
    return write_bytes_atomically(out, encoded.tobytes())


# ------------------------------------------------------------------ CSV
def take_table(session: Session, take_id: str, prediction: Prediction | None = None) -> pd.DataFrame:
    """Per-frame kinematics of a take with its score and penalties, one row per frame.

    Columns: ``take``, ``action``, then the :func:`compute_kinematics` columns
    (``frame``, ``time_s``, angles, velocities, centre of mass; NaN without a 3D
    pose), ``score`` (annotated), ``judge_spread`` (max - min of the judges), and
    per recorded penalty item ``penalty_<CODE>`` (its deduction) and
    ``penalty_<CODE>_active`` (1 inside its span, 0 outside, empty when the span
    is unknown). With a prediction: ``predicted_score`` and
    ``predicted_<CODE>_probability`` per frame.
    """
    info = session.take(take_id)
    pose = _pose_for_angles(session, take_id)
    if pose is None:
        pose = np.full((info.n_frames, session.skeleton.n_joints, 3), np.nan, np.float32)
    table = compute_kinematics(pose, session.skeleton, session.fps)
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
                    prediction: Prediction | None = None) -> Path:
    """Write :func:`take_table` of a take to ``out`` as CSV (atomically); NaN as empty cells."""
    with Session.open(session_path) as session:
        table = take_table(session, take_id, prediction)
    return write_text_atomically(out, table.to_csv(index=False, float_format="%.9g"))
