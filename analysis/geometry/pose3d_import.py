"""Sessions from 3D motion-capture files: C3D and OpenSim TRC, one take per file.

Each file's markers (or joint centres) become a take's ``pose3d`` under the
skeleton their labels make (:func:`analysis.motion.marker_sets.skeleton_for_markers`).
With a calibration the session gets its cameras (the 3D can then be seen
reprojected in them); the takes have no 2D detections (``pose2d`` is empty:
NaN, confidence 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.geometry.calibration_io import Calibration, read_calibration
from analysis.motion.c3d_reader import read_c3d
from analysis.motion.marker_sets import (
    MarkerTrajectories,
    joints_from_markers,
    skeleton_for_markers,
)
from analysis.motion.trc_reader import read_trc
from analysis.session.data import SessionData, TakeData

#: File suffixes read as 3D takes, with the world's up axis each format has by default.
POSE3D_SUFFIXES = {".c3d": "z", ".trc": "y"}


@dataclass
class Imported3D:
    """What :func:`import_pose3d` built, with what a user should be told about it.

    Attributes
    ----------
    session : SessionData
    skeleton_how : str
        Which skeleton the labels made, and why.
    calibration : Calibration or None
    """

    session: SessionData
    skeleton_how: str
    calibration: Calibration | None


def read_pose3d_file(path: str | Path, up: str | None = None) -> MarkerTrajectories:
    """Read a C3D or TRC file; ``up`` (``"y"`` or ``"z"``) is its world's up axis (default: the format's).

    Raises
    ------
    FileNotFoundError, ValueError
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in POSE3D_SUFFIXES:
        raise ValueError(f"{path}: not a 3D motion file; {', '.join(POSE3D_SUFFIXES)} files are read")
    y_up = (up or POSE3D_SUFFIXES[suffix]) == "y"
    return read_c3d(path, y_up) if suffix == ".c3d" else read_trc(path, y_up)


def _take_ids(paths: list[Path]) -> list[str]:
    """One take id per file, its name without suffix (numbered where names repeat)."""
    ids: list[str] = []
    for path in paths:
        base, candidate, count = path.stem, path.stem, 1
        while candidate in ids:
            count += 1
            candidate = f"{base}_{count}"
        ids.append(candidate)
    return ids


def import_pose3d(files: list[Path], calibration_path: Path | None = None, units: str | None = None,
                  up: str | None = None, event: str = "MFE", level: int = 1, athlete: str = "unknown") -> Imported3D:
    """Build (but do not write) a session with one take per 3D file.

    Parameters
    ----------
    files : list of Path
        C3D or TRC files with the same labels and frame rate.
    calibration_path : Path, optional
        The cameras of the session (toml, EasyMocap or Qualisys).
    units : {"m", "mm"}, optional
        Unit of the calibration's translations.
    up : {"y", "z"}, optional
        The files' up axis (default: Z for C3D, Y for TRC, OpenSim's).
    event, level, athlete : session attributes.

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the files that disagree (labels, frame rates) or cannot be read.
    """
    if not files:
        raise ValueError("no 3D motion file given")
    paths = [Path(f) for f in files]
    trajectories = [read_pose3d_file(path, up) for path in paths]
    first = trajectories[0]
    for other in trajectories[1:]:
        if other.labels != first.labels:
            raise ValueError(f"{other.source} has other markers than {first.source}; the takes of a session "
                             f"share one skeleton")
        if abs(other.fps - first.fps) > 1e-6 * first.fps:
            raise ValueError(f"{other.source} runs at {other.fps:g} fps but {first.source} at {first.fps:g} fps; "
                             f"a session has one frame rate")
    skeleton, columns, how = skeleton_for_markers(first.labels)
    calibration = read_calibration(calibration_path, units) if calibration_path is not None else None
    cameras = calibration.cameras if calibration is not None else []
    takes = []
    for take_id, markers in zip(_take_ids(paths), trajectories):
        pose3d = joints_from_markers(markers.points, columns).astype(np.float32)
        pose2d = np.full((len(cameras), len(pose3d), skeleton.n_joints, 3), np.nan, dtype=np.float32)
        pose2d[..., 2] = 0.0
        takes.append(TakeData(take_id=take_id, action="unknown", action_name="imported 3D motion", pose2d=pose2d,
                              score=float("nan"), is_exemplar=False, pose3d=pose3d))
    names = ", ".join(path.name for path in paths[:3]) + (" ..." if len(paths) > 3 else "")
    session = SessionData(event=event, level=level, athlete=athlete, fps=first.fps, skeleton=skeleton,
                          cameras=cameras, takes=takes, source=f"imported from {names}")
    return Imported3D(session, how, calibration)
