"""What is drawn over a clip besides the video: the options, and skeleton points, angles, score, penalty rows.

Plain data: :class:`OverlayOptions` says which overlays a clip shows; the rest
is built from a session by :mod:`analysis.render.take_overlays` and drawn by
:class:`analysis.render.clip_render.ClipRenderer`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.annotations.items import Drawing, Marker
from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import Skeleton

#: Where the drawn skeleton comes from: the 2D detections, the 3D pose reprojected, or nowhere.
SKELETON_SOURCES: tuple[str, ...] = ("detections", "reprojection", "none")

#: Joints that can carry an angle label: joint name -> (kinematics column, short label).
ANGLE_JOINTS: dict[str, tuple[str, str]] = {
    f"{side}_{part}": (f"{side}_{part}_{quantity}", f"{side[0].upper()} {part}")
    for part, quantity in (("knee", "flexion_deg"), ("hip", "flexion_deg"), ("elbow", "flexion_deg"),
                           ("shoulder", "elevation_deg"))
    for side in ("left", "right")
}


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
    anonymize : bool
        Blur each face, located from the head keypoints of the 2D detections
        (:mod:`analysis.render.anonymize`), in every view shown.
    annotations : bool
        Burn in the coach's drawings (on their views and frames) and markers (their
        notes over the video, ticks on the penalty strip).
    """

    skeleton: str = "detections"
    angle_joints: tuple[str, ...] = ("left_knee", "right_knee")
    score: bool = True
    penalties: bool = True
    timestamp: bool = True
    anonymize: bool = False
    annotations: bool = False

    def __post_init__(self) -> None:
        if self.skeleton not in SKELETON_SOURCES:
            raise ValueError(f"unknown skeleton source {self.skeleton!r}; expected one of {', '.join(SKELETON_SOURCES)}")
        unknown = [joint for joint in self.angle_joints if joint not in ANGLE_JOINTS]
        if unknown:
            raise ValueError(f"no angle is defined at {', '.join(unknown)}; choose from {', '.join(ANGLE_JOINTS)}")


DEFAULT_OVERLAYS = OverlayOptions()


@dataclass(frozen=True)
class AngleTrack:
    """A joint angle written next to its joint.

    Attributes
    ----------
    joint : int
        Index of the joint in the skeleton where the label is placed.
    label : str
        Short name shown before the value (``"L knee"``).
    degrees : ndarray (T,)
        The angle per frame, degrees; NaN where unknown (nothing is written).
    """

    joint: int
    label: str
    degrees: np.ndarray


@dataclass(frozen=True)
class TakeOverlays:
    """What is drawn over the views of one take.

    Attributes
    ----------
    label : str
        Names the take in titles (``"take3 · Straight jump"``).
    skeleton : Skeleton
    points : ndarray (V, T, J, 2) or None
        Joint positions in each camera's pixels (2D detections or reprojected
        3D); NaN where missing. None draws no skeleton.
    angles : tuple of AngleTrack
    fps : float
        Frames per second of the take.
    faces : ndarray (V, T, 3) or None
        Face disc (centre x, y and radius, camera pixels) blurred in each view
        and frame (:func:`analysis.render.anonymize.face_tracks`); None blurs nothing.
    drawings : tuple of Drawing
        The coach's drawings on the take's views (camera pixels), drawn on their frames.
    """

    label: str
    skeleton: Skeleton
    points: np.ndarray | None
    angles: tuple[AngleTrack, ...]
    fps: float
    faces: np.ndarray | None = None
    drawings: tuple[Drawing, ...] = ()

    def in_view(self, view: int) -> "TakeOverlays":
        """These overlays with only view ``view`` (then at index 0)."""
        def one(array: np.ndarray | None) -> np.ndarray | None:
            return None if array is None else array[view:view + 1]
        return TakeOverlays(self.label, self.skeleton, one(self.points), self.angles, self.fps, one(self.faces),
                            self.drawings)


@dataclass(frozen=True)
class PenaltyTrack:
    """One row of the penalty strip.

    Attributes
    ----------
    name : str
        Item name from the penalty catalogue (the code when the catalogue lacks it).
    deduction : float or None
        The annotated deduction in points; None for a predicted item.
    activity : ndarray (T,)
        Per frame, how strongly the fault is present: 1 inside a recorded span
        and 0 outside, or the model's probability; NaN everywhere when the
        recorded span is unknown.
    """

    name: str
    deduction: float | None
    activity: np.ndarray


@dataclass(frozen=True)
class ClipOverlays:
    """Everything drawn over a clip besides the video.

    Attributes
    ----------
    take : TakeOverlays
        The (trainee) take's skeleton and angles.
    score : float or None
        Score shown in the information band; None shows no score.
    score_source : str
        Where the score comes from, shown beside it (``"annotated"``, ``"predicted"``).
    penalties : tuple of PenaltyTrack or None
        Rows of the penalty strip; None draws no strip, an empty tuple a strip
        saying that no penalty is recorded.
    timestamp : bool
        Write the frame index and time in the information band.
    markers : tuple of Marker
        The coach's markers: each note over the video for a moment from its frame.
    """

    take: TakeOverlays
    score: float | None = None
    score_source: str = "annotated"
    penalties: tuple[PenaltyTrack, ...] | None = None
    timestamp: bool = True
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class ExemplarPane:
    """The exemplar side of the ``compare`` layout.

    Attributes
    ----------
    take : TakeOverlays
    camera : Camera
        The exemplar's camera of the compared view.
    is_exemplar : bool
        Whether the take shown is an exemplar (else another take of the action, a reference).
    frame_for : ndarray (T_trainee,) int
        Exemplar frame shown with each trainee frame (the time alignment).
    """

    take: TakeOverlays
    camera: Camera
    frame_for: np.ndarray
    is_exemplar: bool = True
