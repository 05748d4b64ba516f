"""What the *New session from recording* wizard has gathered so far, step by step.

Each page fills its part and clears everything after it (a new calibration
makes the keypoint matching, the offsets and the 3D stale).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from analysis.geometry.calibration_io import Calibration
from analysis.geometry.keypoints_io import KeypointViews, natural_key
from analysis.geometry.recording_folder import RecordingFolder
from analysis.geometry.recording_import import MatchedViews, TriangulatedViews
from analysis.geometry.sync_result import SyncResult
from analysis.motion.skeleton import Skeleton
from analysis.session.video_file import VideoInfo

#: The steps, in order; :meth:`RecordingDraft.clear_after` empties what follows one.
STEPS = ("folder", "cameras", "calibration", "keypoints", "sync", "triangulation", "names")
#: The attributes each step fills.
_OWNED = {"folder": ("found",), "cameras": ("videos", "infos", "fps"),
          "calibration": ("calibration", "calibration_source", "board_report"),
          "keypoints": ("keypoints", "skeleton", "matched"), "sync": ("sync", "synced"),
          "triangulation": ("triangulated",), "names": ()}


@dataclass
class RecordingDraft:
    """The wizard's state (plain data; the pages own the widgets).

    Attributes
    ----------
    found : RecordingFolder or None
        The chosen folder and what it holds.
    videos : dict of camera name to Path
        The video file of each camera, named on the cameras page.
    infos : dict of camera name to VideoInfo
    fps : float or None
        The one frame rate of the videos.
    calibration : Calibration or None
    calibration_source : str
        Where the calibration came from, for the summary.
    board_report : dict or None
        The fit of a calibration computed from a board recording
        (:attr:`analysis.geometry.board_calibration.RigCalibration.report`); None when
        it was read from a file. *Finish* writes a computed calibration beside the session.
    keypoints : KeypointViews or None
    skeleton : Skeleton or None
    matched : MatchedViews or None
        The keypoint views matched to the calibration's cameras.
    sync : SyncResult or None
        The estimated offsets (None when the views were taken as synchronized, or read from a file).
    synced : MatchedViews or None
        ``matched`` on one clock.
    triangulated : TriangulatedViews or None
    """

    found: RecordingFolder | None = None
    videos: dict[str, Path] = field(default_factory=dict)
    infos: dict[str, VideoInfo] = field(default_factory=dict)
    fps: float | None = None
    calibration: Calibration | None = None
    calibration_source: str = ""
    board_report: dict | None = None
    keypoints: KeypointViews | None = None
    skeleton: Skeleton | None = None
    matched: MatchedViews | None = None
    sync: SyncResult | None = None
    synced: MatchedViews | None = None
    triangulated: TriangulatedViews | None = None

    @property
    def folder(self) -> Path | None:
        return None if self.found is None else self.found.folder

    def clear_after(self, step: str) -> None:
        """Forget what the steps after ``step`` found."""
        defaults = {f.name: f for f in fields(self)}
        for later in STEPS[STEPS.index(step) + 1:]:
            for name in _OWNED[later]:
                default = defaults[name]
                setattr(self, name, default.default_factory() if callable(default.default_factory)
                        else default.default)

    def camera_videos(self) -> dict[str, Path]:
        """The video of each calibrated camera: by name where every video names one, else in natural order.

        Raises
        ------
        ValueError
            When the videos and the calibration's cameras cannot be paired.
        """
        cameras = [camera.name for camera in self.calibration.cameras]
        if set(self.videos) <= set(cameras):
            return dict(self.videos)
        if len(self.videos) != len(cameras):
            raise ValueError(f"{len(self.videos)} videos ({', '.join(self.videos)}) but the calibration has "
                             f"{len(cameras)} cameras ({', '.join(cameras)}): name each video after its camera")
        names = sorted(self.videos, key=natural_key)
        return {camera: self.videos[name] for camera, name in zip(sorted(cameras, key=natural_key), names)}
