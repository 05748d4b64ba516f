"""Lazy, validating reader of session files (the HDF5 contract, format_version 1).

Opening reads attributes, shapes and the small calibration arrays; poses and
video frames are read on demand. A file that breaks the contract raises
:class:`SessionFormatError` naming the file, the path inside it and the
problem. Files are opened read-only and never modified.
"""

from __future__ import annotations

import threading
from pathlib import Path

import h5py
import numpy as np

from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import Skeleton
from analysis.session.contract import (
    EVENTS,
    FORMAT_NAME,
    FORMAT_VERSION,
    FPS_RANGE,
    MAX_IMAGE_SIDE,
    PENALTY_VALUES,
    ContractChecker,
    SessionFormatError,
    as_text,
    camera_problem,
)
from analysis.session.data import Penalties, TakeInfo
from analysis.session.session_videos import SessionVideos, VideoReference
from analysis.session.video_file import VideoInfo
from analysis.session.video_source import decode_image

_READ_ERRORS = (OSError, ValueError, TypeError, KeyError, RuntimeError)


class Session:
    """An open session file.

    Use :meth:`open` (or ``with Session.open(path) as session``).

    Attributes
    ----------
    path : pathlib.Path
    event : str
    level : int
    athlete : str
    fps : float
        Frames per second.
    title, created, source, notes : str or None
    skeleton : Skeleton
    cameras : list of Camera, length V, in display order
    takes : dict of str to TakeInfo, in session order
    video_root : Path or None
        The folder chosen to find the camera files in instead of the session's folder.
    """

    def __init__(self, path: Path, handle: h5py.File, video_root: Path | None = None) -> None:
        self.path = path
        self._file = handle
        self._check = ContractChecker(path)
        self._lock = threading.RLock()
        self._warnings: list[str] = []
        self._read_root()
        self.video_root = video_root
        self._videos = SessionVideos(path, self.fps, video_root)
        self.skeleton = self._read_skeleton()
        self.cameras = self._read_cameras()
        self.takes = self._read_takes()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path, video_root: str | Path | None = None) -> "Session":
        """Open and validate a session file read-only.

        ``video_root`` is a folder to find the referenced camera files in
        instead of the session's folder (after they were moved): each stored
        relative path is looked for inside it, then the file's name alone.

        Raises
        ------
        SessionFormatError
            If the file is missing, is not HDF5, is truncated or breaks the contract.
        """
        path = Path(path)
        if not path.is_file():
            raise SessionFormatError(path, "/", "file not found")
        if path.stat().st_size == 0:
            raise SessionFormatError(path, "/", "the file is empty")
        if not h5py.is_hdf5(path):
            raise SessionFormatError(path, "/", "not an HDF5 file")
        try:
            handle = h5py.File(path, "r", locking=False)
        except _READ_ERRORS as error:
            raise SessionFormatError(path, "/", f"cannot be opened as HDF5, it may be truncated or corrupt ({error})") from None
        try:
            return cls(path, handle, None if video_root is None else Path(video_root))
        except SessionFormatError:
            handle.close()
            raise
        except _READ_ERRORS as error:
            handle.close()
            raise SessionFormatError(path, "/", f"unreadable, it may be truncated or corrupt ({error})") from None

    def close(self) -> None:
        """Release the file and any open video files."""
        with self._lock:
            self._videos.close()
            if self._file.id.valid:
                self._file.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _read_root(self) -> None:
        check, root = self._check, self._file
        file_format = check.str_attr(root, "format")
        if file_format != FORMAT_NAME:
            raise check.fail("/", f"attribute 'format' is {file_format!r}, expected {FORMAT_NAME!r}; this is not a Lucid session file")
        version = check.int_attr(root, "format_version", 0)
        if version != FORMAT_VERSION:
            raise check.fail("/", f"format_version {version} is not supported (this workstation reads version {FORMAT_VERSION})")
        self.event = check.str_attr(root, "event")
        if self.event not in EVENTS:
            raise check.fail("/", f"event {self.event!r} is not one of {', '.join(EVENTS)}")
        self.level = check.int_attr(root, "level", 1)
        self.athlete = check.str_attr(root, "athlete")
        self.fps = check.float_attr(root, "fps")
        if not (np.isfinite(self.fps) and FPS_RANGE[0] <= self.fps <= FPS_RANGE[1]):
            raise check.fail("/", f"fps must be a positive number from {FPS_RANGE[0]:g} to {FPS_RANGE[1]:g}, got {self.fps:g}")
        self.title = check.str_attr(root, "title", optional=True)
        self.created = check.str_attr(root, "created", optional=True)
        self.source = check.str_attr(root, "source", optional=True)
        self.notes = check.str_attr(root, "notes", optional=True)

    def _read_skeleton(self) -> Skeleton:
        check = self._check
        group = check.group(self._file, "skeleton")
        names_ds = check.dataset(group, "joint_names")
        check.shape(names_ds, (None,), "joint_names")
        names = tuple(as_text(v) for v in check.read_array(names_ds))
        if not names or any(n is None or n == "" for n in names) or len(set(names)) != len(names):
            raise check.fail(names_ds.name, "joint names must be distinct non-empty strings")
        edges_ds = check.dataset(group, "edges")
        check.shape(edges_ds, (None, 2), "edges")
        if edges_ds.dtype.kind not in "iu":
            raise check.fail(edges_ds.name, f"expected integer joint indices, found dtype {edges_ds.dtype}")
        edges = check.read_array(edges_ds)
        if edges.size and (edges.min() < 0 or edges.max() >= len(names)):
            raise check.fail(edges_ds.name, f"joint index out of range 0..{len(names) - 1}")
        layout = check.str_attr(group, "name", optional=True) or "custom"
        try:
            return Skeleton(layout, names, tuple((int(a), int(b)) for a, b in edges))
        except ValueError as error:
            raise check.fail(edges_ds.name, str(error)) from None

    def _read_cameras(self) -> list[Camera]:
        check = self._check
        group = check.group(self._file, "cameras")
        order = check.str_list_attr(group, "order")   # none: a session of 3D takes (C3D, TRC)
        cameras = []
        for view in order:
            camera = check.group(group, view, missing=f"view {view!r} is listed in /cameras order but missing")
            cameras.append(self._read_camera(camera, view))
        return cameras

    def _read_camera(self, group: h5py.Group, view: str) -> Camera:
        check = self._check
        arrays = {}
        for name, shape in (("K", (3, 3)), ("R", (3, 3)), ("t", (3,)), ("dist", (None,))):
            dataset = check.dataset(group, name)
            check.shape(dataset, shape, name)
            check.numeric(dataset)
            arrays[name] = check.read_array(dataset, finite=True).astype(np.float64)
        problem = camera_problem(**arrays)
        if problem is not None:
            raise check.fail(f"{group.name}/{problem[0]}", problem[1])
        width = check.int_attr(group, "width", 1, maximum=MAX_IMAGE_SIDE)
        height = check.int_attr(group, "height", 1, maximum=MAX_IMAGE_SIDE)
        return Camera(view, arrays["K"], arrays["dist"], arrays["R"], arrays["t"], width, height)

    def _read_takes(self) -> dict[str, TakeInfo]:
        check = self._check
        group = check.group(self._file, "takes")
        order = check.str_list_attr(group, "order") if "order" in group.attrs else ()
        takes = {}
        for take_id in order:
            take = check.group(group, take_id, missing=f"take {take_id!r} is listed in /takes order but missing")
            takes[take_id] = self._read_take(take, take_id)
        return takes

    def _read_take(self, group: h5py.Group, take_id: str) -> TakeInfo:
        check = self._check
        n_views, n_joints = len(self.cameras), self.skeleton.n_joints
        n_frames = check.int_attr(group, "n_frames", 1)
        score = check.float_attr(group, "score")
        pose2d = check.dataset(group, "pose2d")
        check.shape(pose2d, (n_views, n_frames, n_joints, 3), "pose2d (views, frames, joints, xyc)")
        check.numeric(pose2d)
        optional = {}
        for name in ("pose3d", "pose3d_reference"):
            dataset = check.dataset(group, name, optional=True)
            if dataset is not None:
                check.shape(dataset, (n_frames, n_joints, 3), f"{name} (frames, joints, xyz)")
                check.numeric(dataset)
            optional[name] = dataset is not None
        judges = check.dataset(group, "judge_scores", optional=True)
        if judges is not None:
            check.shape(judges, (None,), "judge_scores")
            check.numeric(judges)
        return TakeInfo(
            take_id=take_id,
            action=check.str_attr(group, "action"),
            action_name=check.str_attr(group, "action_name"),
            n_frames=n_frames,
            score=score,
            is_exemplar=check.bool_attr(group, "is_exemplar"),
            start_frame=check.int_attr(group, "start_frame", 0, optional=True),
            has_pose3d=optional["pose3d"],
            has_reference=optional["pose3d_reference"],
            n_judges=0 if judges is None else int(judges.shape[0]),
            n_penalties=self._penalty_count(group),
            video_views=self._check_video(group, take_id, n_frames),
        )

    def _penalty_count(self, take: h5py.Group) -> int:
        check = self._check
        group = check.group(take, "penalties", optional=True)
        if group is None:
            return 0
        codes = check.dataset(group, "code")
        (count,) = check.shape(codes, (None,), "penalty codes")
        check.text(codes)
        values = check.dataset(group, "value")
        check.shape(values, (count,), "penalty values")
        check.numeric(values)
        for name in ("start", "end"):
            dataset = check.dataset(group, name, optional=True)
            if dataset is not None:
                check.shape(dataset, (count,), f"penalty {name}")
                check.integer(dataset)
        return count

    def _check_video(self, take: h5py.Group, take_id: str, n_frames: int) -> tuple[str, ...]:
        """The take's views with video; missing or refused camera files become warnings."""
        check = self._check
        group = check.group(take, "video", optional=True)
        if group is None:
            return ()
        cameras = {camera.name: camera for camera in self.cameras}
        views = []
        for view in group:
            dataset = check.dataset(group, view)
            if view not in cameras:
                raise check.fail(dataset.name, f"video for view {view!r}, which is not in /cameras order")
            if dataset.shape == ():
                relative = as_text(check.read_array(dataset))
                if relative is None:
                    raise check.fail(dataset.name, "a scalar video entry must be a file path string")
                offset = check.int_attr(dataset, "frame_offset", 0, optional=True) or 0
                size = (cameras[view].width, cameras[view].height)
                warning = self._videos.add(VideoReference(take_id, view, dataset.name, relative, offset, n_frames, size))
                if warning is not None:
                    self._warnings.append(warning)
                    continue
            else:
                check.shape(dataset, (n_frames,), "encoded frames (one per frame)")
                if h5py.check_vlen_dtype(dataset.dtype) != np.uint8:
                    raise check.fail(dataset.name, f"expected variable-length uint8 encoded frames, found dtype {dataset.dtype}")
            views.append(view)
        return tuple(v for v in cameras if v in views)

    # ----------------------------------------------------------------- access
    @property
    def warnings(self) -> list[str]:
        """Problems that leave the session open: camera files missing or refused, then :attr:`file_warnings`."""
        return self._warnings + self.file_warnings

    @property
    def file_warnings(self) -> list[str]:
        """How the camera files found disagree with the session (frame rate, length, size); read from their headers."""
        return self._videos.file_warnings()

    @property
    def view_names(self) -> tuple[str, ...]:
        return tuple(camera.name for camera in self.cameras)

    @property
    def take_ids(self) -> tuple[str, ...]:
        return tuple(self.takes)

    def take(self, take_id: str) -> TakeInfo:
        try:
            return self.takes[take_id]
        except KeyError:
            raise KeyError(f"{self.path}: /takes: the session has no take {take_id!r}") from None

    def _take_group(self, take_id: str) -> h5py.Group:
        self.take(take_id)
        return self._file["takes"][take_id]

    def _read(self, take_id: str, name: str) -> np.ndarray | None:
        with self._lock:
            group = self._take_group(take_id)
            if name not in group:
                return None
            return self._check.read_array(group[name])

    def pose2d(self, take_id: str) -> np.ndarray:
        """2D detections ``(V, T, J, 3)`` float32: x, y pixels and confidence."""
        return self._read(take_id, "pose2d").astype(np.float32, copy=False)

    def pose3d(self, take_id: str) -> np.ndarray | None:
        """Triangulated 3D ``(T, J, 3)`` float32 metres, or None if absent."""
        array = self._read(take_id, "pose3d")
        return None if array is None else array.astype(np.float32, copy=False)

    def pose3d_reference(self, take_id: str) -> np.ndarray | None:
        """Ground-truth 3D ``(T, J, 3)`` float32 metres, or None if absent."""
        array = self._read(take_id, "pose3d_reference")
        return None if array is None else array.astype(np.float32, copy=False)

    def judge_scores(self, take_id: str) -> np.ndarray | None:
        """Annotator scores ``(A,)`` float32, or None if absent."""
        array = self._read(take_id, "judge_scores")
        return None if array is None else array.astype(np.float32, copy=False)

    def penalties(self, take_id: str) -> Penalties:
        """The take's penalty items; empty when none are recorded."""
        if self.take(take_id).n_penalties == 0:
            return Penalties()
        with self._lock:
            group = self._take_group(take_id)["penalties"]
            check = self._check
            codes = tuple(as_text(v) for v in check.read_array(group["code"]))
            values = check.read_array(group["value"]).astype(np.float32)
            start, end = (check.read_array(group[name]).astype(np.int32) if name in group
                          else np.full(len(codes), -1, np.int32) for name in ("start", "end"))
        if any(code is None or code == "" for code in codes):
            raise check.fail(group.name + "/code", "penalty codes must be non-empty strings")
        if not np.all(np.isclose(values[:, None], PENALTY_VALUES, atol=1e-4).any(axis=1)):
            raise check.fail(group.name + "/value", f"penalty values must be one of {PENALTY_VALUES}, got {values.tolist()}")
        return Penalties(codes, values, start, end)

    # ------------------------------------------------------------------ video
    def has_video(self, take_id: str, view: str) -> bool:
        return view in self.take(take_id).video_views

    def encoded_frame(self, take_id: str, view: str, index: int) -> np.ndarray | None:
        """Encoded bytes of one embedded frame (uint8 ``(n,)``), or None (also for a view in a camera file);
        decode them with :func:`analysis.session.video_source.decode_image` outside the file lock."""
        frames = self.encoded_frames(take_id, view, index, index + 1)
        return None if frames is None else frames[0]

    def encoded_frames(self, take_id: str, view: str, start: int, stop: int) -> list[np.ndarray] | None:
        """Encoded bytes of embedded frames ``start`` to ``stop - 1`` in one read (cheaper per frame), or None."""
        self._check_index(take_id, start)
        self._check_index(take_id, stop - 1)
        if not self.has_video(take_id, view) or (take_id, view) in self._videos:
            return None
        with self._lock:
            dataset = self._take_group(take_id)["video"][view]
            try:
                return list(dataset[start:stop])
            except _READ_ERRORS as error:
                frames = f"frame {start}" if stop == start + 1 else f"frames {start}-{stop - 1}"
                raise self._check.fail(dataset.name, f"{frames} cannot be read ({error})") from None

    def frame(self, take_id: str, view: str, index: int) -> np.ndarray | None:
        """Frame ``index`` of one view as BGR uint8 ``(H, W, 3)``; None for a view without video,
        a frame past the end of its camera file, and a frame that cannot be decoded."""
        encoded = self.encoded_frame(take_id, view, index)
        return decode_image(encoded) if encoded is not None else self._videos.frame((take_id, view), index)

    def frames(self, take_id: str, index: int) -> list[np.ndarray | None]:
        """Frame ``index`` of every view, in camera order (None for views without video)."""
        return [self.frame(take_id, view, index) for view in self.view_names]

    def video_info(self, take_id: str, view: str) -> VideoInfo | None:
        """Frame rate, frame count and size of the view's camera file; None without a readable file."""
        self.take(take_id)
        return self._videos.info((take_id, view))

    def missing_videos(self) -> dict[tuple[str, str], Path]:
        """``(take_id, view) -> path looked for`` of every referenced camera file not found."""
        return self._videos.missing()

    def refused_videos(self) -> dict[tuple[str, str], str]:
        return self._videos.refused()     # (take_id, view) -> why the stored path was refused for safety

    def _check_index(self, take_id: str, index: int) -> None:
        n_frames = self.take(take_id).n_frames
        if not 0 <= index < n_frames:
            raise IndexError(f"{self.path}: /takes/{take_id}: frame {index} is outside take {take_id!r} (0..{n_frames - 1})")
