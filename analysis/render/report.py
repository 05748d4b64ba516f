"""What a take's report says and shows, gathered from its session: the content, not its layout.

:func:`build_report` reads the take and gathers the score with the judges'
spread (and the model's prediction and the coach's reviewed score when given),
the penalties (the coach's review when the take has one, else the session's
annotation; items the model finds likely that neither lists are added as
*predicted*), a key frame per penalty (the frame where its heatmap peaks inside
its span, with the skeleton and the joint angles the item concerns drawn, faces
blurred by default), the kinematic curves with the penalty spans and the
markers, the markers with their notes, and the comparison with a reference
take (an exemplar, or any other take of the action). The layouts are
:mod:`analysis.render.report_html` (and the PDF writer in ``app/``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np
import pandas as pd

from analysis.annotations.items import AnnotationItem, Marker, ReviewedPenalty
from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.motion.comparison import compare_poses, largest_deviations
from analysis.motion.kinematics import DEFAULT_GROUPS, take_kinematics
from analysis.penalty_review import (
    PROPOSAL_THRESHOLD,
    ReviewedItem,
    kept_items,
    predicted_span,
    reviewed_score,
)
from analysis.render.overlays import ANGLE_JOINTS, OverlayOptions
from analysis.render.report_figures import FigureSpan, curve_figure, key_frame_picture
from analysis.render.report_prediction import ReportPrediction
from analysis.render.take_overlays import penalty_name, session_pose, take_overlays
from analysis.session.data import Penalties
from analysis.session.library_scan import athlete_display_name
from analysis.session.reader import Session

ProgressCallback = Callable[[int, int, str], None]
#: Body parts the comparison lists per phase (the compare tab lists more): the two largest gaps.
COMPARED_PARTS_PER_PHASE = 2


class ReportCancelled(Exception):
    """Raised by :func:`build_report` when ``cancelled()`` turned true."""


@dataclass(frozen=True)
class ReportImage:
    """A picture of the report, PNG-encoded.

    Attributes
    ----------
    name : str
        A file-like name, unique in the report (``"key_frame_2.png"``).
    png : bytes
    width, height : int
        Pixels.
    caption : str
    """

    name: str
    png: bytes
    width: int
    height: int
    caption: str

    @classmethod
    def from_bgr(cls, name: str, image: np.ndarray, caption: str) -> "ReportImage":
        ok, encoded = cv2.imencode(".png", image)
        if not ok:
            raise ValueError(f"{name}: the picture cannot be encoded as PNG")
        return cls(name, encoded.tobytes(), image.shape[1], image.shape[0], caption)


@dataclass(frozen=True)
class ReportPenalty:
    """One penalty of the report.

    Attributes
    ----------
    number : int
        1-based; labels its span on the curves.
    code, name : str
    deduction : float or None
        Points; None for an item only the model predicts (it gives no deduction).
    start, end : int
        Frame span, end exclusive; -1 where unknown.
    probability : float or None
        The model's probability of the item; None without a prediction.
    status : str
        ``annotated`` (the session file), ``confirmed``, ``edited``, ``added`` (the coach's
        review) or ``predicted`` (the model alone).
    key_frame : int or None
    image : ReportImage or None
        The key frame.
    """

    number: int
    code: str
    name: str
    deduction: float | None
    start: int
    end: int
    probability: float | None
    status: str
    key_frame: int | None = None
    image: ReportImage | None = None


@dataclass(frozen=True)
class ReportMarker:
    """A marker of the take: its frame, time (s) and the coach's note."""

    frame: int
    time_s: float
    note: str


@dataclass(frozen=True)
class ReportComparison:
    """The take against a reference take of the same action.

    Attributes
    ----------
    reference : str
        Names the reference (athlete, take, file, score).
    is_exemplar : bool
    cost : float
        DTW mean pose gap, trunk lengths.
    deviations : DataFrame
        The joints that differ most per phase (:func:`analysis.motion.comparison.largest_deviations`).
    """

    reference: str
    is_exemplar: bool
    cost: float
    deviations: pd.DataFrame


@dataclass(frozen=True)
class ReportContent:
    """Everything a take's report shows (``fps``: the take's frame rate, for times)."""

    title: str
    fps: float
    facts: tuple[tuple[str, str], ...]
    annotated_score: float
    judge_scores: np.ndarray
    prediction: ReportPrediction | None
    reviewed_score: float | None
    penalties: tuple[ReportPenalty, ...]
    penalty_source: str
    curves: ReportImage | None
    markers: tuple[ReportMarker, ...]
    comparison: ReportComparison | None
    anonymized: bool
    created: str


# ------------------------------------------------------------- penalties
def report_penalties(annotated: Penalties, reviewed: Sequence[ReviewedItem] | None,
                     prediction: ReportPrediction | None) -> tuple[list[ReportPenalty], str]:
    """The penalties a report lists (without key frames yet) and where they come from, in words."""
    probability = {} if prediction is None else dict(zip(prediction.penalty_codes,
                                                         (float(p) for p in prediction.probabilities)))
    if reviewed:
        listed = [(item.code, item.value, item.start, item.end, item.status) for item in kept_items(reviewed)]
        source = "reviewed by the coach"
    else:
        listed = [(code, float(value), int(start), int(end), "annotated") for code, value, start, end
                  in zip(annotated.codes, annotated.values, annotated.start, annotated.end)]
        source = "annotated in the session"
    penalties = [ReportPenalty(k + 1, code, penalty_name(code), float(value), int(start), int(end),
                               probability.get(code), status)
                 for k, (code, value, start, end, status) in enumerate(listed)]
    if prediction is not None and not reviewed:
        named = {penalty.code for penalty in penalties}
        heatmap = dict(zip(prediction.penalty_codes, prediction.heatmap))
        for code, value in sorted(probability.items(), key=lambda entry: -entry[1]):
            if value >= PROPOSAL_THRESHOLD and code not in named:
                start, end = predicted_span(heatmap[code])
                penalties.append(ReportPenalty(len(penalties) + 1, code, penalty_name(code), None, start, end, value,
                                               "predicted"))
    return penalties, source


def key_frame(activity: np.ndarray | None, start: int, end: int, n_frames: int) -> int | None:
    """The frame that shows a penalty: its heatmap's peak within its span (or over the take when the span
    is unknown); without a heatmap the middle of the span; None when neither is known."""
    known = 0 <= start < end
    if activity is not None and np.isfinite(activity).any():
        low, high = (start, min(end, n_frames)) if known else (0, n_frames)
        window = np.asarray(activity[low:high], dtype=np.float64)
        if np.isfinite(window).any():
            return low + int(np.nanargmax(window))
    return (start + min(end, n_frames) - 1) // 2 if known else None


def best_view(points: np.ndarray, frame: int, widths: Sequence[int], heights: Sequence[int],
              candidates: Sequence[int]) -> int:
    """Of ``candidates`` (view indices), the view where the athlete looks largest at ``frame``.

    ``points`` is the take's ``(V, T, J, 2)`` detections; a view counts the box of the joints it sees inside its image.
    """
    def area(view: int) -> float:
        joints = points[view, frame]
        inside = np.isfinite(joints).all(axis=1) & (joints[:, 0] >= 0) & (joints[:, 1] >= 0) \
            & (joints[:, 0] < widths[view]) & (joints[:, 1] < heights[view])
        if inside.sum() < 2:
            return 0.0
        extent = joints[inside].max(axis=0) - joints[inside].min(axis=0)
        return float(extent[0] * extent[1]) * inside.mean()
    return max(candidates, key=area)


def annotations_of_take(items: Sequence[AnnotationItem], take_id: str) -> tuple[list[tuple[int, str]],
                                                                               list[ReviewedPenalty]]:
    """The markers (frame, note) in frame order and the reviewed penalties of ``take_id`` among ``items``."""
    own = [item for item in items if item.take == take_id]
    markers = sorted((item.frame, item.note) for item in own if isinstance(item, Marker))
    return markers, [item for item in own if isinstance(item, ReviewedPenalty)]


# --------------------------------------------------------------- building
def build_report(session_path: str | Path, take_id: str, *, prediction: ReportPrediction | None = None,
                 reference: tuple[str | Path, str] | None = None, markers: Sequence[tuple[int, str]] = (),
                 reviewed: Sequence[ReviewedItem] | None = None, view: str | None = None, anonymize: bool = True,
                 progress: ProgressCallback | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ReportContent:
    """Gather a take's report.

    Parameters
    ----------
    session_path : path
    take_id : str
    prediction : ReportPrediction, optional
        The model's verdict: adds the predicted score, probabilities, predicted items and
        places the key frames at the heatmap's peaks.
    reference : (path, take id), optional
        The take compared with (an exemplar or another take of the action); None: no comparison.
    markers : sequence of (frame, note)
    reviewed : sequence of ReviewedItem, optional
        The coach's review of the take; when it has items they replace the annotated penalties.
    view : str, optional
        The view of every key frame; default, per key frame, the view with video where the athlete looks largest.
    anonymize : bool
        Blur the faces in the key frames.
    progress : callable(step, steps, message), optional
    cancelled : callable() -> bool, optional
        Polled between steps; when it returns True, :class:`ReportCancelled` is raised.

    Raises
    ------
    SessionFormatError, KeyError, ValueError
        For a bad session, take, view or reference.
    ReportCancelled
    """
    with ExitStack() as stack:
        session = stack.enter_context(Session.open(session_path))
        info = session.take(take_id)
        if view is not None and view not in session.view_names:
            raise ValueError(f"{session.path}: no view {view!r}; views are {', '.join(session.view_names)}")
        penalties, source = report_penalties(session.penalties(take_id), reviewed, prediction)
        steps = 3 + len(penalties)

        def step(done: int, message: str) -> None:
            if cancelled is not None and cancelled():
                raise ReportCancelled(f"the report of take {take_id!r} was cancelled")
            if progress is not None:
                progress(done, steps, message)

        step(0, f"Reading take {take_id} …")
        pose = session_pose(session, take_id)
        options = OverlayOptions(skeleton="detections", angle_joints=tuple(ANGLE_JOINTS), score=False,
                                 penalties=False, timestamp=False, anonymize=anonymize)
        overlays = take_overlays(session, take_id, options)
        heatmap_of = {} if prediction is None else dict(zip(prediction.penalty_codes, prediction.heatmap))
        pictured = []
        for k, penalty in enumerate(penalties):
            step(1 + k, f"Key frame of {penalty.name} …")
            pictured.append(_with_key_frame(session, take_id, penalty, heatmap_of.get(penalty.code), overlays, view))
        step(1 + len(penalties), "Drawing the curves …")
        curves = None
        if pose is not None:
            kinematics = take_kinematics(pose, session.skeleton, session.fps, session.event)
            spans = [FigureSpan(str(p.number), p.start, p.end) for p in pictured if 0 <= p.start < p.end]
            figure = curve_figure(kinematics, DEFAULT_GROUPS, session.fps, spans,
                                  [(f"M{k + 1}", int(frame)) for k, (frame, _) in enumerate(sorted(markers))])
            curves = ReportImage.from_bgr("curves.png", figure, "Kinematics; shaded: the penalties' frame spans "
                                                                "(numbered as in the table); dashed: markers")
        step(2 + len(penalties), "Comparing with the reference …")
        comparison = None if reference is None else _comparison(stack, session, take_id, pose, reference)
        judges = session.judge_scores(take_id)
        content = ReportContent(
            title=f"{info.action_name} — {take_id}",
            fps=session.fps,
            facts=_facts(session, take_id),
            annotated_score=float(info.score),
            judge_scores=np.zeros(0) if judges is None else np.asarray(judges, dtype=np.float64),
            prediction=prediction,
            reviewed_score=reviewed_score(reviewed) if reviewed else None,
            penalties=tuple(pictured),
            penalty_source=source,
            curves=curves,
            markers=tuple(ReportMarker(int(frame), frame / session.fps, note) for frame, note in sorted(markers)),
            comparison=comparison,
            anonymized=anonymize,
            created=datetime.now().isoformat(timespec="minutes"),
        )
        step(steps, "Report ready")
        return content


def _athlete(session: Session) -> str:
    """The athlete's name as the library lists it, with the session's athlete code when that differs."""
    name = athlete_display_name(session.athlete, session.title, session.event)
    return name if name == session.athlete else f"{name} ({session.athlete})"


def _facts(session: Session, take_id: str) -> tuple[tuple[str, str], ...]:
    info = session.take(take_id)
    return (("Athlete", _athlete(session)), ("Event", f"{session.event}, level {session.level}"),
            ("Action", f"{info.action_name} ({info.action})"), ("Take", take_id),
            ("Length", f"{info.n_frames} frames, {info.n_frames / session.fps:.2f} s at {session.fps:g} fps"),
            ("Session", session.title or session.path.name))


def _with_key_frame(session: Session, take_id: str, penalty: ReportPenalty, activity: np.ndarray | None,
                    overlays, view: str | None) -> ReportPenalty:
    frame = key_frame(activity, penalty.start, penalty.end, session.take(take_id).n_frames)
    if frame is None:
        return penalty
    video_views = session.take(take_id).video_views
    candidates = [session.view_names.index(v) for v in (video_views or session.view_names)]
    index = session.view_names.index(view) if view is not None else best_view(
        session.pose2d(take_id)[..., :2], frame, [c.width for c in session.cameras],
        [c.height for c in session.cameras], candidates)
    camera = session.cameras[index]
    item = load_penalty_catalogue().get(penalty.code)
    concerned = () if item is None else item.joints
    names = session.skeleton.joint_names
    angles = tuple(track for track in overlays.angles if names[track.joint] in concerned)
    image = session.frame(take_id, camera.name, frame) if camera.name in video_views else None
    # the caption is drawn in the picture: printed, a picture and its caption never land on two pages
    caption = f"{penalty.number}. {penalty.name} · frame {frame} · {frame / session.fps:.2f} s · {camera.name}"
    picture = key_frame_picture(camera, image, replace(overlays, angles=angles), index, frame, caption)
    return replace(penalty, key_frame=frame, image=ReportImage.from_bgr(f"key_frame_{penalty.number}.png",
                                                                         picture, caption))


def _comparison(stack: ExitStack, session: Session, take_id: str, pose: np.ndarray | None,
                reference: tuple[str | Path, str]) -> ReportComparison:
    path, reference_take = Path(reference[0]), reference[1]
    same = path.resolve() == session.path.resolve()
    other = session if same else stack.enter_context(Session.open(path))
    info = other.take(reference_take)
    if other.skeleton.joint_names != session.skeleton.joint_names:
        raise ValueError(f"{other.path}: the reference's skeleton ({other.skeleton.name}) differs from the take's "
                         f"({session.skeleton.name})")
    reference_pose = session_pose(other, reference_take)
    for where, take, found in ((session.path, take_id, pose), (other.path, reference_take, reference_pose)):
        if found is None:
            raise ValueError(f"{where}: take {take!r} has no 3D pose to compare")
    compared = compare_poses(pose, reference_pose, session.skeleton, session.fps)
    role = "exemplar" if info.is_exemplar else "not an exemplar"
    score = "unscored" if not np.isfinite(info.score) else f"score {info.score:.2f}"
    return ReportComparison(f"{_athlete(other)} · {reference_take} · {other.path.name} ({role}, {score})",
                            info.is_exemplar, float(compared.alignment.cost), largest_deviations(compared.deviations, COMPARED_PARTS_PER_PHASE))
