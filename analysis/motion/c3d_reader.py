"""Reading C3D motion-capture files with ezc3d: labelled marker (or joint-centre) trajectories.

Points whose residual is negative are, by the C3D convention, not valid and
are read as missing. Units come from ``POINT:UNITS`` (mm, cm or m); the
world is taken as the file's own, Z up as most laboratories write it (a
Y-up file can be turned with ``y_up``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.motion.marker_sets import MarkerTrajectories
from analysis.motion.pose_export import Z_UP_TO_Y_UP

#: Metres per unit of the units a C3D file may be written in.
C3D_UNITS = {"m": 1.0, "mm": 0.001, "cm": 0.01}


def read_c3d(path: str | Path, y_up: bool = False) -> MarkerTrajectories:
    """Read the point trajectories of a C3D file.

    Parameters
    ----------
    path : str or Path
    y_up : bool
        The file's world is Y up: rotate it into the session's Z-up world.

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file and what is wrong with it.
    """
    import ezc3d

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: C3D file not found")
    try:
        c3d = ezc3d.c3d(str(path))
        point = c3d["parameters"]["POINT"]
        labels = tuple(str(label).strip() for label in point["LABELS"]["value"])
        fps = float(np.asarray(point["RATE"]["value"]).reshape(-1)[0])
        units = str(point["UNITS"]["value"][0]).strip().lower() if point["UNITS"]["value"] else "mm"
        data = np.asarray(c3d["data"]["points"], dtype=np.float64)         # (4, M, T)
        residuals = np.asarray(c3d["data"]["meta_points"]["residuals"], dtype=np.float64)  # (1, M, T)
    except (RuntimeError, OSError, KeyError, IndexError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a readable C3D file ({type(error).__name__}: {error})") from None
    if units not in C3D_UNITS:
        raise ValueError(f"{path}: unknown POINT:UNITS {units!r}; C3D files in {', '.join(C3D_UNITS)} are read")
    if not labels or data.shape[1] != len(labels):
        raise ValueError(f"{path}: {data.shape[1]} points but {len(labels)} POINT:LABELS")
    if not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"{path}: POINT:RATE must be a positive number, got {fps}")
    points = np.transpose(data[:3], (2, 1, 0)) * C3D_UNITS[units]               # (T, M, 3)
    points[np.transpose(residuals[0] < 0)] = np.nan
    if y_up:
        points = points @ Z_UP_TO_Y_UP
    return MarkerTrajectories(labels, points, fps, path)
