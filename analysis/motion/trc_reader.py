"""Reading OpenSim TRC marker files (the inverse of :func:`analysis.motion.pose_export.trc_text`).

A TRC file has a header line, a line of keys (``DataRate CameraRate
NumFrames NumMarkers Units ...``) and their values, a line of marker names
(each followed by two empty columns), a line of ``X1 Y1 Z1 ...`` and then one
tab-separated row per frame: frame number, time, and x y z per marker; an
empty field is a missing marker. OpenSim's world is Y up: by default the
points are turned back into the session's Z-up world.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.motion.marker_sets import MarkerTrajectories
from analysis.motion.pose_export import Z_UP_TO_Y_UP

#: Metres per unit of the units a TRC file may be written in.
TRC_UNITS = {"m": 1.0, "mm": 0.001, "cm": 0.01}


def _fields(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t")


def _number(text: str) -> float:
    text = text.strip()
    return float(text) if text else np.nan


def read_trc(path: str | Path, y_up: bool = True) -> MarkerTrajectories:
    """Read a TRC file.

    Parameters
    ----------
    path : str or Path
    y_up : bool
        The file's world is Y up (OpenSim's): rotate it into the session's Z-up world.

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file and what is wrong with it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: TRC file not found")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        header = dict(zip((key.strip() for key in _fields(lines[1])), (value.strip() for value in _fields(lines[2]))))
        fps = float(header["DataRate"])
        n_markers = int(header["NumMarkers"])
        units = header.get("Units", "m").lower()
        scale = TRC_UNITS[units]
        labels = tuple(name.strip() for name in _fields(lines[3])[2:] if name.strip())
        rows = [_fields(line) for line in lines[5:] if line.strip()]
        values = np.array([[_number(text) for text in row[2:2 + 3 * n_markers]]
                           + [np.nan] * (3 * n_markers - len(row[2:2 + 3 * n_markers])) for row in rows])
    except (OSError, IndexError, KeyError, ValueError) as error:
        raise ValueError(f"{path}: not a readable TRC file ({type(error).__name__}: {error})") from None
    if units not in TRC_UNITS:
        raise ValueError(f"{path}: unknown units {units!r}; TRC files in {', '.join(TRC_UNITS)} are read")
    if len(labels) != n_markers:
        raise ValueError(f"{path}: NumMarkers is {n_markers} but {len(labels)} marker names are listed")
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"{path}: DataRate must be a positive number, got {fps}")
    points = values.reshape(len(rows), n_markers, 3) * scale
    if y_up:
        points = points @ Z_UP_TO_Y_UP
    return MarkerTrajectories(labels, points, fps, path)
