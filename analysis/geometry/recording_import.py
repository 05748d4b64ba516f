"""Turning a real recording (calibration, 2D keypoints, videos) into a session.

Views (keypoint folders) are matched to calibration cameras by name where
every folder names a camera (a Pose2Sim folder ``cam01_json`` names camera
``cam01``), otherwise in natural sort order. The views are put on one clock
when asked (estimated, or from a saved synchronization), cut to the frames
every camera file covers, the athlete is picked per frame among several
detected people (:mod:`analysis.geometry.person_selection`), triangulated
robustly, and written with the layout's own skeleton.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from analysis.geometry.calibration_io import Calibration, read_calibration
from analysis.geometry.cameras import Camera
from analysis.geometry.keypoints_io import (
    KeypointViews,
    detect_layout,
    natural_key,
    read_keypoint_folders,
)
from analysis.geometry.person_selection import select_people
from analysis.geometry.recording_videos import (
    common_frame_rate,
    common_range,
    probe_videos,
)
from analysis.geometry.report import Observations
from analysis.geometry.rig import CameraRig, Retriangulation
from analysis.geometry.robust_triangulation import DEFAULT_THRESHOLD_PX
from analysis.geometry.sync import synchronize
from analysis.geometry.sync_result import (
    SELECTING,
    Progress,
    SyncResult,
    apply_offsets,
    read_sync_file,
)
from analysis.motion.skeleton import Skeleton
from analysis.session.data import EmbeddedVideo, SessionData, TakeData, VideoFile
from analysis.session.video_file import VideoInfo

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v")


@dataclass(frozen=True)
class ViewMatch:
    """One keypoint folder and the calibration camera it was matched to (``how``: "name" or "natural order")."""

    view: str
    camera: str
    how: str


@dataclass
class ImportedRecording:
    """What :func:`import_recording` built, with what a user should be told about it."""

    session: SessionData
    calibration: Calibration
    matches: list[ViewMatch]
    videos: dict[str, Path]
    observations: Observations
    sync: SyncResult | None = None
    offsets: dict[str, int] | None = None
    notes: list[str] = field(default_factory=list)


#: The suffix Pose2Sim gives its keypoint folders (``cam01_json`` holds camera ``cam01``'s).
POSE2SIM_FOLDER_SUFFIX = "_json"


def camera_key(view: str) -> str:
    """The camera name a keypoint folder stands for: its name without Pose2Sim's ``_json`` suffix."""
    return view[:-len(POSE2SIM_FOLDER_SUFFIX)] if view.endswith(POSE2SIM_FOLDER_SUFFIX) else view


def match_views(view_names: list[str], camera_names: list[str], source: Path) -> list[ViewMatch]:
    """Match keypoint folders to cameras: by name if every folder names a camera, else in natural order."""
    if len(view_names) > len(camera_names):
        raise ValueError(f"{source}: {len(view_names)} keypoint folders but only {len(camera_names)} calibrated cameras")
    named = {camera_key(view) for view in view_names}
    if named <= set(camera_names) and len(named) == len(view_names):
        return [ViewMatch(view, camera_key(view), "name") for view in view_names]
    views = sorted(view_names, key=natural_key)
    cameras = sorted(camera_names, key=natural_key)
    return [ViewMatch(view, camera, "natural order") for view, camera in zip(views, cameras)]


def find_videos(folder: Path, matches: list[ViewMatch]) -> dict[str, Path]:
    """Video file per camera: the file named like the view or camera, else natural order."""
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: video folder not found")
    files = sorted((p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES), key=lambda p: natural_key(p.name))
    by_stem = {p.stem: p for p in files}
    named = {m.camera: by_stem.get(m.view, by_stem.get(m.camera)) for m in matches}
    if all(named.values()):
        return named
    if len(files) != len(matches):
        raise ValueError(f"{folder}: {len(files)} video files for {len(matches)} views, and their names match no view")
    ordered = sorted(matches, key=lambda m: natural_key(m.view))
    return {m.camera: path for m, path in zip(ordered, files)}


def embed_video(path: Path, first_frame: int, n_frames: int, quality: int = 90) -> EmbeddedVideo:
    """``n_frames`` frames of a video file from ``first_frame`` on, as JPEG."""
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise ValueError(f"{path}: cannot be opened as a video")
        capture.set(cv2.CAP_PROP_POS_FRAMES, first_frame)
        frames = []
        for index in range(n_frames):
            ok, image = capture.read()
            if not ok:
                raise ValueError(f"{path}: has no frame {first_frame + index}; the keypoints have {n_frames} frames")
            frames.append(cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes())
    finally:
        capture.release()
    return EmbeddedVideo(frames, codec="jpeg")


@dataclass(frozen=True)
class MatchedViews:
    """Keypoint views matched to calibration cameras, in the calibration's camera order.

    Attributes
    ----------
    keypoints : KeypointViews
        Views reordered like ``cameras``.
    cameras : list of Camera
    matches : list of ViewMatch
    """

    keypoints: KeypointViews
    cameras: list[Camera]
    matches: list[ViewMatch]


def match_recording(calibration: Calibration, keypoints: KeypointViews, source: Path) -> MatchedViews:
    """Match ``keypoints``' views to ``calibration``'s cameras (see :func:`match_views`)."""
    matches = match_views(list(keypoints.view_names), [c.name for c in calibration.cameras], source)
    by_camera = {m.camera: m for m in matches}
    ordered = [by_camera[c.name] for c in calibration.cameras if c.name in by_camera]
    index = {view: i for i, view in enumerate(keypoints.view_names)}
    order = [index[m.view] for m in ordered]
    reordered = replace(keypoints, view_names=tuple(m.view for m in ordered),
                        people=[keypoints.people[i] for i in order],
                        view_offsets=tuple(keypoints.view_offsets[i] for i in order) if keypoints.view_offsets else ())
    cameras = {c.name: c for c in calibration.cameras}
    return MatchedViews(reordered, [cameras[m.camera] for m in ordered], ordered)


def view_offsets(matched: MatchedViews, offsets: dict[str, int], source: str | Path) -> dict[str, int]:
    """``offsets`` keyed by keypoint view; a saved file may name the views or their cameras.

    Raises
    ------
    ValueError
        Naming ``source`` and the views it has no offset for.
    """
    by_view = {}
    for match in matched.matches:
        for key in (match.view, match.camera):
            if key in offsets:
                by_view[match.view] = int(offsets[key])
                break
    missing = [m.view for m in matched.matches if m.view not in by_view]
    if missing:
        raise ValueError(f"{source}: no offset for view {', '.join(missing)} (it has {', '.join(offsets)})")
    return by_view


def synchronize_views(matched: MatchedViews, sync: str | Path, skeleton: Skeleton, progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None) -> tuple[MatchedViews, SyncResult | None]:
    """Put the views on one clock: ``sync`` is ``"auto"`` (estimate, see :mod:`analysis.geometry.sync`)
    or a file :func:`analysis.geometry.sync_result.write_sync_file` wrote.

    Returns the views cut to the frames they all cover, and the estimate (None for a file).
    """
    if str(sync) == "auto":
        result = synchronize(matched.keypoints, matched.cameras, flip=skeleton.flip_permutation(),
                             progress=progress, cancelled=cancelled)
        offsets, source = result.offsets, "synchronization"
    else:
        result, offsets, source = None, read_sync_file(sync), sync
    shifted = apply_offsets(matched.keypoints, view_offsets(matched, offsets, source))
    return replace(matched, keypoints=shifted), result


def take_video_entries(matched: MatchedViews, videos: dict[str, Path], folder: Path, n_frames: int,
                       embed_videos: bool) -> dict[str, EmbeddedVideo | VideoFile]:
    """Each camera's video: referenced (relative to ``folder``, from the view's own first frame) or embedded."""
    entries: dict[str, EmbeddedVideo | VideoFile] = {}
    first = {m.camera: matched.keypoints.file_frame(m.view) for m in matched.matches}
    for camera, path in videos.items():
        if embed_videos:
            entries[camera] = embed_video(path, first[camera], n_frames)
        else:
            entries[camera] = VideoFile(path.resolve().relative_to(folder).as_posix(), frame_offset=first[camera])
    return entries


@dataclass(frozen=True)
class TriangulatedViews:
    """The athlete picked and triangulated in views on one clock.

    Attributes
    ----------
    matched : MatchedViews
        Cut to the frames every camera file covers.
    pose2d : ndarray (V, T, J, 3) float32
        The athlete's detection in each view and frame.
    result : Retriangulation
        Its 3D and how every detection fits it.
    note : str or None
        What the user should be told about the frames kept (camera files of different lengths).
    """

    matched: MatchedViews
    pose2d: np.ndarray
    result: Retriangulation
    note: str | None


def triangulate_views(matched: MatchedViews, videos: dict[str, Path], infos: dict[str, VideoInfo],
                      threshold_px: float = DEFAULT_THRESHOLD_PX, progress: Progress | None = None,
                      source: str = "recording") -> TriangulatedViews:
    """Keep the frames every camera file covers, pick the athlete in every view and frame, triangulate.

    ``videos`` and ``infos`` (camera name -> file, header) may be empty;
    ``progress(SELECTING, done, total)`` follows the frames.
    """
    keypoints = matched.keypoints
    first_frames = {m.camera: keypoints.file_frame(m.view) for m in matched.matches}
    span = common_range(videos, infos, first_frames, keypoints.n_frames)
    matched = replace(matched, keypoints=replace(keypoints, people=[frames[:span.n_frames]
                                                                    for frames in keypoints.people]))

    def selecting(done: int, total: int) -> None:
        if progress is not None:
            progress(SELECTING, done, total)

    pose2d = select_people(matched.cameras, matched.keypoints.people, progress=selecting)
    result = CameraRig(matched.cameras, threshold_px, source=source).retriangulate(pose2d)
    return TriangulatedViews(matched, pose2d, result, span.note)


@dataclass(frozen=True)
class TakeDescription:
    """What a take of a recording is called: its id, action code and name."""

    take_id: str
    action: str = "unknown"
    action_name: str = "imported recording"


def recording_session(triangulated: TriangulatedViews, skeleton: Skeleton, fps: float, videos: dict[str, Path],
                      folder: Path, embed_videos: bool, take: TakeDescription, event: str, level: int, athlete: str,
                      source: str, title: str | None = None) -> SessionData:
    """The session of one triangulated recording, its videos referenced from ``folder`` (the session's) or embedded."""
    matched = triangulated.matched
    n_frames = matched.keypoints.n_frames
    data = TakeData(take_id=take.take_id, action=take.action, action_name=take.action_name,
                    pose2d=triangulated.pose2d, score=float("nan"), is_exemplar=False,
                    pose3d=triangulated.result.points,
                    video=take_video_entries(matched, videos, folder, n_frames, embed_videos),
                    start_frame=matched.keypoints.first_frame)
    return SessionData(event=event, level=level, athlete=athlete, fps=float(fps), skeleton=skeleton,
                       cameras=matched.cameras, takes=[data], source=source, title=title)


def import_recording(
    calibration_path: Path,
    keypoints_dir: Path,
    out_path: Path,
    fps: float | None = None,
    layout: str | None = None,
    units: str | None = None,
    videos_dir: Path | None = None,
    embed_videos: bool = False,
    event: str = "MFE",
    level: int = 1,
    athlete: str = "unknown",
    threshold_px: float = DEFAULT_THRESHOLD_PX,
    sync: str | Path | None = None,
    progress: Progress | None = None,
) -> ImportedRecording:
    """Build (but do not write) the session of one recording.

    Parameters
    ----------
    calibration_path : Path
        toml, EasyMocap or Qualisys calibration.
    keypoints_dir : Path
        One folder of OpenPose JSON per view (Pose2Sim's ``pose`` or ``pose-associated`` folder too).
    out_path : Path
        Where the session will be written. Referenced videos must lie inside its folder
        (sessions may not point outside it); their paths are stored relative to it.
    fps : float, optional
        Frames per second; read from the videos when not given (and checked against them when given).
    layout : str, optional
        Keypoint layout, needed when the keypoint count is ambiguous.
    units : {"m", "mm"}, optional
        Unit of the calibration's translations (default: the format's).
    videos_dir : Path, optional
    embed_videos : bool
        Store frames in the file instead of referencing the video files.
    event, level, athlete : session attributes.
    threshold_px : float
        Robust triangulation threshold.
    sync : "auto" or Path, optional
        Put the views on one clock: estimate the offsets, or read them from a file.
    progress : callable, optional
        ``progress(stage, done, total)``: the synchronization's stages, then
        :data:`SELECTING` while people are selected.

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file and the problem: videos at different frame rates, say.
    """
    calibration = read_calibration(calibration_path, units)
    keypoints = read_keypoint_folders(keypoints_dir)
    skeleton: Skeleton = detect_layout(keypoints.n_keypoints, layout)
    matched = match_recording(calibration, keypoints, keypoints_dir)
    videos = find_videos(videos_dir, matched.matches) if videos_dir is not None else {}
    folder = out_path.resolve().parent
    outside = [path for path in videos.values() if not embed_videos and not path.resolve().is_relative_to(folder)]
    if outside:
        raise ValueError(f"{outside[0]}: a session references video files inside its own folder only; "
                         f"put the videos under {folder} or pass --embed-videos")
    infos = probe_videos(videos)
    fps = common_frame_rate(videos, infos, fps)

    result = None
    if sync is not None:
        matched, result = synchronize_views(matched, sync, skeleton, progress)
    triangulated = triangulate_views(matched, videos, infos, threshold_px, progress, str(keypoints_dir))
    take = TakeDescription(Path(keypoints_dir).resolve().name or "take1")
    session = recording_session(triangulated, skeleton, fps, videos, folder, embed_videos, take, event, level, athlete,
                                f"imported from {Path(calibration_path).name} and {Path(keypoints_dir).name}")
    keypoints = matched.keypoints
    offsets = {m.view: keypoints.file_frame(m.view) - keypoints.first_frame for m in matched.matches} if sync else None
    return ImportedRecording(session, calibration, matched.matches, videos, triangulated.result.observations, result,
                             offsets, [triangulated.note] if triangulated.note else [])
