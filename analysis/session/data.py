"""In-memory descriptions of a session: what the reader reports and the writer takes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import Skeleton


@dataclass(frozen=True)
class Penalties:
    """Penalty items deducted from one take.

    Attributes
    ----------
    codes : tuple of str, length P
        Item codes from the penalty catalogue.
    values : ndarray (P,) float32
        Deductions, each in {0.1, 0.3, 0.5, 1.0}.
    start, end : ndarray (P,) int32
        Frame span of each fault (end exclusive); -1 where unknown.
    """

    codes: tuple[str, ...] = ()
    values: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    start: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))
    end: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int32))

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def total(self) -> float:
        """Sum of the deductions, in points."""
        return float(np.sum(self.values, dtype=np.float64))


@dataclass(frozen=True)
class EmbeddedVideo:
    """Encoded frames stored in the file: one JPEG or PNG byte string per frame."""

    frames: Sequence[bytes]
    codec: str = "jpeg"


@dataclass(frozen=True)
class VideoFile:
    """A video file beside the session: ``path`` relative to the .h5 file's folder."""

    path: str
    frame_offset: int = 0


@dataclass
class TakeData:
    """Everything stored for one take, as the writer takes it.

    Attributes
    ----------
    take_id : str
    action, action_name : str
    pose2d : ndarray (V, T, J, 3) float32
        x, y in pixels and confidence in [0, 1]; NaN where not detected.
    score : float
        Mean judge score; NaN when unscored.
    is_exemplar : bool
    pose3d, pose3d_reference : ndarray (T, J, 3) float32 or None
        Metres.
    judge_scores : ndarray (A,) float32 or None
    penalties : Penalties or None
    video : dict of view name to EmbeddedVideo or VideoFile
    start_frame : int or None
    """

    take_id: str
    action: str
    action_name: str
    pose2d: np.ndarray
    score: float
    is_exemplar: bool
    pose3d: np.ndarray | None = None
    pose3d_reference: np.ndarray | None = None
    judge_scores: np.ndarray | None = None
    penalties: Penalties | None = None
    video: dict[str, EmbeddedVideo | VideoFile] = field(default_factory=dict)
    start_frame: int | None = None

    @property
    def n_frames(self) -> int:
        return int(self.pose2d.shape[1])


@dataclass
class SessionData:
    """A whole session, as the writer takes it (root attributes, skeleton, cameras, takes)."""

    event: str
    level: int
    athlete: str
    fps: float
    skeleton: Skeleton
    cameras: list[Camera]
    takes: list[TakeData]
    title: str | None = None
    created: str | None = None
    source: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class TakeInfo:
    """What opening a session tells about one take (attributes and shapes only)."""

    take_id: str
    action: str
    action_name: str
    n_frames: int
    score: float
    is_exemplar: bool
    start_frame: int | None
    has_pose3d: bool
    has_reference: bool
    n_judges: int
    n_penalties: int
    video_views: tuple[str, ...]
