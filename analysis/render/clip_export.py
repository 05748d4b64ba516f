"""Exporting a take as an annotated MP4 clip or a PNG snapshot.

:func:`export_clip` reads the take, builds its overlays
(:func:`analysis.render.take_overlays.clip_overlays`: skeleton, joint angles,
score, penalty strip from the recorded spans, or from a model's prediction when
one is given), renders each frame with
:class:`analysis.render.clip_render.ClipRenderer` and writes an MP4 through
PyAV (:class:`analysis.render.video_writer.Mp4Writer`): H.264 by default,
MPEG-4 Part 2 on request. The video is written to a temporary file beside the
destination and renamed into place; a cancelled or failed export leaves
nothing behind. The per-frame CSV is :mod:`analysis.render.take_table`.

This module starts no threads: give :func:`export_clip` an executor (the
application's thread pool) and it decodes and renders frames ahead in it
while the calling thread encodes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, wait
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.annotations.items import AnnotationItem
from analysis.exemplars import take_exemplars
from analysis.motion.alignment import align_takes
from analysis.render.clip_render import LAYOUTS, ClipRenderer
from analysis.render.overlays import (
    ANGLE_JOINTS,
    DEFAULT_OVERLAYS,
    SKELETON_SOURCES,
    ExemplarPane,
    OverlayOptions,
)
from analysis.render.take_overlays import (
    Prediction,
    clip_overlays,
    session_pose,
    take_overlays,
)
from analysis.render.take_table import export_take_csv
from analysis.render.video_writer import DEFAULT_CODEC, VIDEO_CODECS, Mp4Writer
from analysis.session.atomic import atomic_output, write_bytes_atomically
from analysis.session.library import Library
from analysis.session.reader import Session

#: What the export dialog and the ``export`` command import from here.
__all__ = ["ANGLE_JOINTS", "DEFAULT_CODEC", "SKELETON_SOURCES", "VIDEO_CODECS", "ExportCancelled", "OverlayOptions",
           "PreparedClip", "best_exemplar", "export_clip", "export_snapshot_png", "export_take_csv",
           "prepared_clip"]

#: Frames decoded and rendered ahead when an executor is given.
LOOKAHEAD_FRAMES = 6

ProgressCallback = Callable[[int, int], None]


class ExportCancelled(Exception):
    """Raised by :func:`export_clip` when ``cancelled()`` turned true; no file was left behind."""


# ------------------------------------------------------------- exemplar
def best_exemplar(session_path: str | Path, take_id: str, library: Library | None = None) -> tuple[Path, str]:
    """The first exemplar of the take in the session's folder by the one exemplar policy
    (:func:`analysis.exemplars.take_exemplars`; never the take itself).

    ``library`` is that folder's index when the caller has it (else the folder is scanned).

    Raises
    ------
    ValueError
        If the folder holds no other exemplar of the action.
    """
    session_path = Path(session_path)
    with Session.open(session_path) as session:
        action, event = session.take(take_id).action, session.event
    library = library or Library.scan(session_path.parent)
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
    trainee_pose = session_pose(trainee, take_id)
    exemplar_pose = session_pose(exemplar, exemplar_take)
    for session, take, pose in ((trainee, take_id, trainee_pose), (exemplar, exemplar_take, exemplar_pose)):
        if pose is None:
            raise ValueError(f"{session.path}: take {take!r} has no 3D pose to align in time")
    alignment = align_takes(trainee_pose, exemplar_pose, trainee.skeleton)
    index = exemplar.view_names.index(view)
    return ExemplarPane(
        take=take_overlays(exemplar, exemplar_take, options).in_view(index),
        camera=exemplar.cameras[index],
        frame_for=np.asarray(alignment.exemplar_frame_for, dtype=np.int64),
        is_exemplar=exemplar.take(exemplar_take).is_exemplar,
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
                  prediction: Prediction | None = None,
                  annotations: Sequence[AnnotationItem] | None = None) -> Iterator[PreparedClip]:
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
                                clip_overlays(session, take_id, overlays, prediction, annotations), first, last, pane)
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
                prediction: Prediction | None = None, codec: str = DEFAULT_CODEC,
                annotations: Sequence[AnnotationItem] | None = None,
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
    annotations : sequence of AnnotationItem, optional
        The drawings and markers burned in when ``overlays.annotations`` is set; default those
        of the session's annotations file.
    codec : str
        A key of :data:`analysis.render.video_writer.VIDEO_CODECS`: ``h264`` (the default) or ``mp4v``.
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
        For a bad session, an unknown take or view, a bad range or an unknown codec.
    """
    out_path = Path(out_path)
    if codec not in VIDEO_CODECS:
        raise ValueError(f"{out_path.name}: unknown video codec {codec!r}; expected one of {', '.join(VIDEO_CODECS)}")
    with prepared_clip(session_path, take_id, layout, view, start, end, overlays, exemplar, prediction,
                       annotations) as clip:
        with atomic_output(out_path) as temporary:
            _write_video(temporary, clip, codec, clip.last - clip.first + 1, progress, cancelled, executor)
    return out_path


def _write_video(path: Path, clip: PreparedClip, codec: str, total: int, progress: ProgressCallback | None,
                 cancelled: Callable[[], bool] | None, executor: Executor | None) -> None:
    with Mp4Writer(path, clip.fps, clip.renderer.size, codec) as writer:
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


# ------------------------------------------------------------ snapshots
def export_snapshot_png(session_path: str | Path, take_id: str, frame: int, out: str | Path,
                        layout: str = "single", view: str | None = None,
                        overlays: OverlayOptions = DEFAULT_OVERLAYS, exemplar: tuple[str | Path, str] | None = None,
                        prediction: Prediction | None = None,
                        annotations: Sequence[AnnotationItem] | None = None) -> Path:
    """Write one annotated frame as PNG (the penalty strip spans the whole take)."""
    with prepared_clip(session_path, take_id, layout, view, None, None, overlays, exemplar, prediction,
                       annotations) as clip:
        _frame_range(clip.session, take_id, frame, frame)
        image = clip.render(int(frame))
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"{out}: the snapshot cannot be encoded as PNG")
    return write_bytes_atomically(out, encoded.tobytes())
