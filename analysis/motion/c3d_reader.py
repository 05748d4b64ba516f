"""Reading C3D motion-capture files with ezc3d: labelled marker (or joint-centre) trajectories.

Points whose residual is negative are, by the C3D convention, not valid and
are read as missing. Units come from ``POINT:UNITS`` (mm, cm or m); the
world is taken as the file's own, Z up as most laboratories write it (a
Y-up file can be turned with ``y_up``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from analysis.motion.marker_sets import (
    MarkerTrajectories,
    existing_file,
    marker_trajectories,
)


def read_c3d(path: str | Path, y_up: bool = False) -> MarkerTrajectories:
    """Read the point trajectories of a C3D file.

    Parameters
    ----------
    path : str or Path
    y_up : bool
        Whether the laboratory wrote the file Y up (then it is turned into the session's Z-up world).

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    ValueError
        Naming the file and the parameter (units, labels, rate) that is wrong, or why ezc3d cannot read it.
    """
    import ezc3d

    path = existing_file(path, "C3D file")
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
    points = np.transpose(data[:3], (2, 1, 0)).copy()                          # (T, M, 3)
    points[np.transpose(residuals[0] < 0)] = np.nan
    return marker_trajectories(path, labels, points, fps, units, y_up, ("POINT:UNITS", "POINT:LABELS", "POINT:RATE"))
