"""Turning a real recording (calibration, 2D keypoints, videos) into a session.

Views (keypoint folders) are matched to calibration cameras by name where
every folder names a camera, otherwise in natural sort order. The athlete is
picked per frame among several detected people (:mod:`analysis.geometry.person_selection`),
triangulated robustly, and written with the layout's own skeleton.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from analysis.geometry.calibration_io import Calibration, read_calibration
from analysis.geometry.keypoints_io import (
    detect_layout,
    natural_key,
    read_keypoint_folders,
)
from analysis.geometry.person_selection import select_people
from analysis.geometry.report import Observations
from analysis.geometry.rig import CameraRig
from analysis.geometry.robust_triangulation import DEFAULT_THRESHOLD_PX
from analysis.motion.skeleton import Skeleton
from analysis.session.data import EmbeddedVideo, SessionData, TakeData, VideoFile

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


def match_views(view_names: list[str], camera_names: list[str], source: Path) -> list[ViewMatch]:
    """Match keypoint folders to cameras: by name if every folder names a camera, else in natural order."""
    if len(view_names) > len(camera_names):
        raise ValueError(f"{source}: {len(view_names)} keypoint folders but only {len(camera_names)} calibrated cameras")
    if set(view_names) <= set(camera_names):
        return [ViewMatch(view, view, "name") for view in view_names]
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


def import_recording(
    calibration_path: Path,
    keypoints_dir: Path,
    out_path: Path,
    fps: float,
    layout: str | None = None,
    units: str | None = None,
    videos_dir: Path | None = None,
    embed_videos: bool = False,
    event: str = "MFE",
    level: int = 1,
    athlete: str = "unknown",
    threshold_px: float = DEFAULT_THRESHOLD_PX,
    progress: Callable[[int, int], None] | None = None,
) -> ImportedRecording:
    """Build (but do not write) the session of one recording.

    Parameters
    ----------
    calibration_path : Path
        toml, EasyMocap or Qualisys calibration.
    keypoints_dir : Path
        One folder of OpenPose JSON per view.
    out_path : Path
        Where the session will be written. Referenced videos must lie inside its folder
        (sessions may not point outside it); their paths are stored relative to it.
    fps : float
        Frames per second.
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
    progress : callable, optional
        Called with (frames done, frames in all) while people are selected.
    """
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"--fps must be a positive number, got {fps}")
    calibration = read_calibration(calibration_path, units)
    keypoints = read_keypoint_folders(keypoints_dir)
    skeleton: Skeleton = detect_layout(keypoints.n_keypoints, layout)
    matches = match_views(list(keypoints.view_names), [c.name for c in calibration.cameras], keypoints_dir)
    camera_by_name = {camera.name: camera for camera in calibration.cameras}
    view_index = {view: index for index, view in enumerate(keypoints.view_names)}
    matched = {m.camera: m for m in matches}
    ordered = [m for m in (matched.get(c.name) for c in calibration.cameras) if m is not None]
    cameras = [camera_by_name[m.camera] for m in ordered]
    people = [keypoints.people[view_index[m.view]] for m in ordered]
    videos = find_videos(videos_dir, ordered) if videos_dir is not None else {}
    folder = out_path.resolve().parent
    outside = [path for path in videos.values() if not embed_videos and not path.resolve().is_relative_to(folder)]
    if outside:
        raise ValueError(f"{outside[0]}: a session references video files inside its own folder only; "
                         f"put the videos under {folder} or pass --embed-videos")

    pose2d = select_people(cameras, people, progress=progress)
    result = CameraRig(cameras, threshold_px, source=str(keypoints_dir)).retriangulate(pose2d)

    video_entries: dict[str, EmbeddedVideo | VideoFile] = {}
    for camera_name, path in videos.items():
        if embed_videos:
            video_entries[camera_name] = embed_video(path, keypoints.first_frame, keypoints.n_frames)
        else:
            relative = path.resolve().relative_to(folder).as_posix()
            video_entries[camera_name] = VideoFile(relative, frame_offset=keypoints.first_frame)

    take = TakeData(
        take_id=Path(keypoints_dir).resolve().name or "take1",
        action="unknown",
        action_name="imported recording",
        pose2d=pose2d,
        score=float("nan"),
        is_exemplar=False,
        pose3d=result.points,
        video=video_entries,
        start_frame=keypoints.first_frame,
    )
    session = SessionData(
        event=event, level=level, athlete=athlete, fps=float(fps), skeleton=skeleton, cameras=cameras, takes=[take],
        source=f"imported from {Path(calibration_path).name} and {Path(keypoints_dir).name}",
    )
    return ImportedRecording(session, calibration, ordered, videos, result.observations)
