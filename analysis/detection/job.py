"""The detection job: raw videos in, one OpenPose JSON folder per view out; resumable and cancellable.

Made to run in a command or a GUI worker alike: it reports progress through a
callback, stops between two frames when a cancel callback says so (every file
it wrote stays, each complete), and a second run with the same output folder
keeps the frames already written and detects only the others.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.detection.athlete import pick_athlete
from analysis.detection.estimators import PoseEstimator
from analysis.detection.openpose_json import (
    frame_path,
    read_frame,
    write_frame,
    written_frames,
)
from analysis.detection.tracking import MAX_GAP, PoseTracker
from analysis.detection.video_frames import ViewVideo, decode_frames
from analysis.geometry.cameras import Camera
from analysis.geometry.recording_import import match_views

#: Progress stages, in order.
DETECTING, SELECTING = "detecting people", "selecting the athlete"

Progress = Callable[[str, int, int], None]


@dataclass
class ViewReport:
    """What the job did in one view.

    Attributes
    ----------
    detected : int
        Frames detected in this run.
    kept : int
        Frames an earlier run had written, kept as they were.
    tracks : int
        People (track ids) seen.
    athlete_frames : int or None
        Frames where the athlete was picked (None without cameras).
    """

    detected: int = 0
    kept: int = 0
    tracks: int = 0
    athlete_frames: int | None = None


@dataclass
class DetectionResult:
    """The outcome of :func:`run_detection`: a report per view, and whether it was cancelled."""

    out_dir: Path
    views: dict[str, ViewReport] = field(default_factory=dict)
    cancelled: bool = False


class _Cancelled(Exception):
    """Raised through the athlete selection when the job is cancelled."""


@dataclass
class _ViewFrames:
    """Everyone detected in one view: frame number -> (people (P, J, 3), track ids (P,))."""

    video: ViewVideo
    frames: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def _detect_view(video: ViewVideo, folder: Path, estimator: PoseEstimator, every: int, keep: bool,
                 report: ViewReport, tick: Callable[[], None], cancelled: Callable[[], bool]) -> _ViewFrames | None:
    """Detect and track one view, writing each new frame; None when cancelled.

    The frames' people are kept in the result only when ``keep`` (to pick the athlete).
    """
    written = written_frames(folder, video.view)
    tracker = PoseTracker(max_gap=every * MAX_GAP)           # the same number of detected frames
    result = _ViewFrames(video)
    tracks: set[int] = set()
    for index, image in decode_frames(video.path, every, skip=set(written)):
        if cancelled():
            return None
        if image is None:
            people, ids = read_frame(written[index], estimator.n_keypoints)
            tracker.restore(index, people, ids)
            report.kept += 1
        else:
            people = estimator(image)
            ids = tracker.update(index, people)
            write_frame(frame_path(folder, video.view, index), people, ids)
            report.detected += 1
        tracks.update(ids.tolist())
        if keep:
            result.frames[index] = (people, ids)
        tick()
    report.tracks = len(tracks)
    return result


def _keep_athlete(cameras: list[Camera], detected: list[_ViewFrames], n_joints: int, out_dir: Path,
                  reports: dict[str, ViewReport], progress: Callable[[int, int], None]) -> None:
    """Rewrite every view's frames with the athlete alone."""
    views = [d.video.view for d in detected]
    matches = {m.view: m.camera for m in match_views(views, [c.name for c in cameras], detected[0].video.path.parent)}
    by_name = {camera.name: camera for camera in cameras}
    frames = sorted(set().union(*(d.frames for d in detected)))
    empty = (np.zeros((0, n_joints, 3)), np.zeros(0, np.int64))
    people = [[d.frames.get(t, empty)[0] for t in frames] for d in detected]
    ids = [[d.frames.get(t, empty)[1] for t in frames] for d in detected]
    picks = pick_athlete([by_name[matches[view]] for view in views], people, ids, progress=progress)
    for d, view_picks, view_people, view_ids in zip(detected, picks, people, ids):
        for t, pick, candidates, track_ids in zip(frames, view_picks, view_people, view_ids):
            if t in d.frames:
                keep = [] if pick is None else [pick]
                write_frame(frame_path(out_dir / d.video.view, d.video.view, t), candidates[keep], track_ids[keep])
        reports[d.video.view].athlete_frames = sum(pick is not None for pick in view_picks)


def run_detection(videos: list[ViewVideo], out_dir: Path, estimator: PoseEstimator, every: int = 1,
                  cameras: list[Camera] | None = None, progress: Progress | None = None,
                  cancelled: Callable[[], bool] | None = None) -> DetectionResult:
    """Detect everyone in every video and write one JSON folder per view under ``out_dir``.

    Parameters
    ----------
    videos : list of ViewVideo
        One synchronised video per view (:func:`analysis.detection.video_frames.find_view_videos`).
    out_dir : Path
        Gets ``<view>/<view>_<frame>_keypoints.json`` (see :mod:`analysis.detection.openpose_json`);
        frames already there are kept and not detected again.
    estimator : PoseEstimator
    every : int
        Detect every ``every``-th frame only (frame numbers stay the video's).
    cameras : list of Camera, optional
        The calibrated cameras (matched to the views by name, else in natural order): with
        them only the athlete is kept in every frame (:mod:`analysis.detection.athlete`);
        without them everyone is written, each with a track id.
    progress : callable, optional
        Called with (stage, done, total): stage :data:`DETECTING` counts frames of all views,
        then :data:`SELECTING` frames of the athlete selection.
    cancelled : callable, optional
        Asked before every frame of both stages; True stops the job (the result says
        ``cancelled``). Stopped while selecting, every view keeps everyone detected.

    Raises
    ------
    ValueError
        Naming the video that cannot be decoded, a view that matches no camera, or an
        output file that an earlier run with another model wrote.
    """
    if every < 1:
        raise ValueError(f"--every must be at least 1, got {every}")
    out_dir = Path(out_dir)
    if cameras is not None:
        match_views([v.view for v in videos], [c.name for c in cameras], videos[0].path.parent)
    result = DetectionResult(out_dir, {video.view: ViewReport() for video in videos})
    total = sum(math.ceil(video.n_frames / every) for video in videos)
    done = 0

    def tick() -> None:
        nonlocal done, total
        done += 1
        total = max(total, done)
        if progress is not None:
            progress(DETECTING, done, total)

    stop = cancelled or (lambda: False)
    detected = []
    for video in videos:
        view = _detect_view(video, out_dir / video.view, estimator, every, cameras is not None,
                            result.views[video.view], tick, stop)
        if view is None:
            result.cancelled = True
            return result
        detected.append(view)
    if cameras is not None:
        def selecting(frames_done: int, frames_total: int) -> None:
            if stop():
                raise _Cancelled
            if progress is not None:
                progress(SELECTING, frames_done, frames_total)

        try:
            _keep_athlete(cameras, detected, estimator.n_keypoints, out_dir, result.views, selecting)
        except _Cancelled:
            result.cancelled = True
    return result
