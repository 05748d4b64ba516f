"""Atomic writer of session files (the HDF5 contract, format_version 1).

The file is written to a temporary file in the destination folder and renamed
into place, so a reader never sees a half-written session and an interrupted
write leaves the previous file untouched.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np

from analysis.session.atomic import atomic_output
from analysis.session.contract import FORMAT_NAME, FORMAT_VERSION
from analysis.session.data import EmbeddedVideo, SessionData, TakeData, VideoFile

_STR = h5py.string_dtype()


def _str_array(values) -> np.ndarray:
    return np.array(list(values), dtype=_STR)


def write_session(
    path: str | Path,
    session: SessionData,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write ``session`` to ``path`` atomically.

    Parameters
    ----------
    path : str or Path
        Destination ``.h5`` file; replaced if it exists.
    session : SessionData
    progress : callable, optional
        Called with the number of takes written so far.

    Returns
    -------
    Path
        The written file.
    """
    path = Path(path)
    with atomic_output(path) as temporary, h5py.File(temporary, "w") as handle:
        _write_root(handle, session)
        takes = handle.create_group("takes")
        takes.attrs["order"] = _str_array(take.take_id for take in session.takes)
        for done, take in enumerate(session.takes, start=1):
            _write_take(takes.create_group(take.take_id), take)
            if progress is not None:
                progress(done)
    return path


def _write_root(handle: h5py.File, session: SessionData) -> None:
    attrs = handle.attrs
    attrs["format"] = FORMAT_NAME
    attrs["format_version"] = FORMAT_VERSION
    attrs["event"] = session.event
    attrs["level"] = int(session.level)
    attrs["athlete"] = session.athlete
    attrs["fps"] = float(session.fps)
    for name in ("title", "created", "source", "notes"):
        value = getattr(session, name)
        if value is not None:
            attrs[name] = value
    skeleton = handle.create_group("skeleton")
    skeleton.attrs["name"] = session.skeleton.name
    skeleton.create_dataset("joint_names", data=_str_array(session.skeleton.joint_names))
    skeleton.create_dataset("edges", data=session.skeleton.edge_array.astype(np.int32))
    cameras = handle.create_group("cameras")
    cameras.attrs["order"] = _str_array(camera.name for camera in session.cameras)
    for camera in session.cameras:
        group = cameras.create_group(camera.name)
        for name in ("K", "dist", "R", "t"):
            group.create_dataset(name, data=np.asarray(getattr(camera, name), dtype=np.float64))
        group.attrs["width"] = int(camera.width)
        group.attrs["height"] = int(camera.height)


def _write_take(group: h5py.Group, take: TakeData) -> None:
    attrs = group.attrs
    attrs["action"] = take.action
    attrs["action_name"] = take.action_name
    attrs["n_frames"] = take.n_frames
    attrs["score"] = float(take.score)
    attrs["is_exemplar"] = bool(take.is_exemplar)
    if take.start_frame is not None:
        attrs["start_frame"] = int(take.start_frame)
    group.create_dataset("pose2d", data=np.asarray(take.pose2d, dtype=np.float32))
    for name in ("pose3d", "pose3d_reference"):
        value = getattr(take, name)
        if value is not None:
            group.create_dataset(name, data=np.asarray(value, dtype=np.float32))
    if take.judge_scores is not None:
        group.create_dataset("judge_scores", data=np.asarray(take.judge_scores, dtype=np.float32))
    if take.penalties is not None:
        penalties = group.create_group("penalties")
        penalties.create_dataset("code", data=_str_array(take.penalties.codes))
        penalties.create_dataset("value", data=np.asarray(take.penalties.values, dtype=np.float32))
        penalties.create_dataset("start", data=np.asarray(take.penalties.start, dtype=np.int32))
        penalties.create_dataset("end", data=np.asarray(take.penalties.end, dtype=np.int32))
    if take.video:
        video = group.create_group("video")
        for view, source in take.video.items():
            _write_video(video, view, source, take.n_frames)


def _write_video(group: h5py.Group, view: str, source: EmbeddedVideo | VideoFile, n_frames: int) -> None:
    if isinstance(source, VideoFile):
        dataset = group.create_dataset(view, data=source.path, dtype=_STR)
        dataset.attrs["frame_offset"] = int(source.frame_offset)
        return
    if len(source.frames) != n_frames:
        raise ValueError(f"view {view!r}: {len(source.frames)} encoded frames for a take of {n_frames} frames")
    dataset = group.create_dataset(view, shape=(n_frames,), dtype=h5py.vlen_dtype(np.uint8))
    dataset.attrs["codec"] = source.codec
    for index, encoded in enumerate(source.frames):
        dataset[index] = np.frombuffer(encoded, dtype=np.uint8)
