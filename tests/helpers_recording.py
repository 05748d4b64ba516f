"""Multi-view recordings with known clock offsets, for the synchronization tests, the wizard and the benchmark.

The athlete performs synthetic floor routines (``analysis.synthetic``); an
optional second person walks a circle around the floor. Each camera sees
them through a detector-like noise model, and starts its clock ``offset``
frames late: what the reference camera sees at frame ``n``, camera ``v`` sees
at its frame ``n + offsets[v]``. The people of a frame come in a random order.
This is test and benchmark data, not a feature, hence it lives in tests/.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.catalogue.apparatus import apparatus_for
from analysis.detection.openpose_json import frame_path, write_frame
from analysis.geometry.cameras import Camera
from analysis.geometry.keypoints_io import KeypointViews
from analysis.motion.skeleton import COCO17
from analysis.synthetic.actions import load_actions
from analysis.synthetic.athletes import make_athletes
from analysis.synthetic.detections import simulate_detections
from analysis.synthetic.motion import synthesize_take
from analysis.synthetic.rig import make_rig

FPS = 30.0


@dataclass(frozen=True)
class OffsetRecording:
    """A recording whose cameras' clocks are offset.

    Attributes
    ----------
    cameras : list of Camera, length V
    offsets : dict of camera name to int
        The truth: camera ``v``'s frame ``n + offsets[v]`` shows the first camera's frame ``n``.
    people : list (V) of list (T) of ndarray (P, J, 3)
        What each camera's detector found, on the camera's own clock.
    athlete : ndarray (T, 17, 3)
        The athlete's 3D on the first camera's clock, metres.
    """

    cameras: list[Camera]
    offsets: dict[str, int]
    people: list[list[np.ndarray]]
    athlete: np.ndarray

    @property
    def keypoints(self) -> KeypointViews:
        return KeypointViews(tuple(c.name for c in self.cameras), self.people, COCO17.n_joints, 0)


def _bystander(n_frames: int, rng: np.random.Generator) -> np.ndarray:
    """A person ``(T, 17, 3)`` walking a 3 x 2 m ellipse around the floor centre, legs swinging."""
    standing = synthesize_take(load_actions()[0], make_athletes(1, rng)[0], apparatus_for("MFE"), [], seed=99,
                               fps=FPS).pose3d[0]
    standing = standing - np.r_[standing[11:13].mean(axis=0)[:2], 0.0]
    angle = np.linspace(0.0, 2 * np.pi, n_frames) + rng.uniform(0, 2 * np.pi)
    path = np.stack([3.0 * np.cos(angle), 2.0 * np.sin(angle), np.zeros(n_frames)], axis=1)
    person = standing[None] + path[:, None, :]
    swing = 0.25 * np.sin(np.arange(n_frames) * 2 * np.pi / 18)
    person[:, [13, 15], 0] += swing[:, None]
    person[:, [14, 16], 0] -= swing[:, None]
    return person


def offset_recording(seed: int, offsets: list[int], n_actions: int = 2, bystander: bool = False,
                     views: list[int] | None = None) -> OffsetRecording:
    """A recording of ``n_actions`` floor routines seen by the cameras ``views`` of an 8-camera rig.

    Parameters
    ----------
    seed : int
    offsets : list of int, one per camera
        Frames each camera's clock runs behind the first's (the first's is 0).
    n_actions : int
        Routines performed one after the other (each 5-10 s).
    bystander : bool
        A second person walks around the floor the whole time.
    views : list of int, optional
        Which of the rig's 8 cameras film (default: all).
    """
    rng = np.random.default_rng(seed)
    apparatus = apparatus_for("MFE")
    rig = make_rig(apparatus, rng)
    cameras = [rig[v] for v in (views if views is not None else range(len(rig)))]
    if len(offsets) != len(cameras) or offsets[0] != 0:
        raise ValueError("one offset per camera, the first 0")
    athlete_model = make_athletes(1, rng)[0]
    routines = [a for a in load_actions() if a.event == "MFE"]
    picks = rng.choice(len(routines), size=n_actions, replace=False)
    athlete = np.concatenate([synthesize_take(routines[i], athlete_model, apparatus, [], seed=seed * 10 + k,
                                              fps=FPS).pose3d for k, i in enumerate(picks)])
    n_frames = len(athlete)
    seen = [simulate_detections(cameras, COCO17, athlete, rng)]
    if bystander:
        seen.append(simulate_detections(cameras, COCO17, _bystander(n_frames, rng), rng))
    people = []
    for v, offset in enumerate(offsets):
        frames = []
        for n in range(n_frames):
            instant = n - offset
            found = [detections[v, instant].astype(np.float64) for detections in seen
                     if 0 <= instant < n_frames and np.isfinite(detections[v, instant, :, 0]).sum() >= 4]
            order = rng.permutation(len(found))
            frames.append(np.stack([found[i] for i in order]) if found else np.zeros((0, COCO17.n_joints, 3)))
        people.append(frames)
    return OffsetRecording(cameras, {c.name: int(o) for c, o in zip(cameras, offsets)}, people, athlete)


def write_openpose_folders(root: Path, recording: OffsetRecording, folder_suffix: str = "") -> Path:
    """One OpenPose JSON folder per camera under ``root`` (named ``<camera><folder_suffix>``); returns ``root``."""
    for camera, frames in zip(recording.cameras, recording.people):
        view = camera.name + folder_suffix
        folder = root / view
        folder.mkdir(parents=True, exist_ok=True)
        for n, people in enumerate(frames):
            write_frame(frame_path(folder, view, n), people, np.arange(len(people)))
    return root


def write_recording_folder(folder: Path, recording: OffsetRecording) -> Path:
    """A recording folder as Pose2Sim lays it out: ``videos/camN.mp4`` (index videos as long as the
    recording) and ``pose/camN_json`` keypoint folders; returns ``folder``."""
    from tests.analysis.session.camera_sessions import write_index_video

    n_frames = len(recording.athlete)
    for camera in recording.cameras:
        write_index_video(folder / "videos" / f"{camera.name}.mp4", n_frames=n_frames, fps=FPS,
                          size=(camera.width, camera.height), g="30")
    return write_openpose_folders(folder / "pose", recording, folder_suffix="_json").parent
