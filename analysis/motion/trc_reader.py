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

from analysis.motion.marker_sets import (
    MarkerTrajectories,
    existing_file,
    marker_trajectories,
)


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
    FileNotFoundError
        When there is no such file.
    ValueError
        Naming the file and the header value (Units, NumMarkers, DataRate) that is wrong, or the line that is.
    """
    path = existing_file(path, "TRC file")
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        header = dict(zip((key.strip() for key in _fields(lines[1])), (value.strip() for value in _fields(lines[2]))))
        fps = float(header["DataRate"])
        width = 3 * int(header["NumMarkers"])
        labels = tuple(name.strip() for name in _fields(lines[3])[2:] if name.strip())
        rows = [_fields(line)[2:2 + width] for line in lines[5:] if line.strip()]
        values = np.array([[_number(text) for text in row] + [np.nan] * (width - len(row)) for row in rows])
    except (OSError, IndexError, KeyError, ValueError) as error:
        raise ValueError(f"{path}: not a readable TRC file ({type(error).__name__}: {error})") from None
    return marker_trajectories(path, labels, values.reshape(len(rows), width // 3, 3), fps,
                               header.get("Units", "m").lower(), y_up, ("Units", "marker names", "DataRate"))
