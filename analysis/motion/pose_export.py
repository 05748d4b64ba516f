"""Exporting 3D poses: OpenSim TRC and long-format CSV.

The session world is Z-up (metres). OpenSim expects Y up, so TRC export
rotates by -90 degrees about X by default: (x, y, z) -> (x, z, -y).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.session.atomic import atomic_output, write_text_atomically

#: Z-up world to OpenSim's Y-up frame (rotation of -90 degrees about X).
Z_UP_TO_Y_UP = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])


def trc_text(points3d: np.ndarray, marker_names: list[str], fps: float, file_name: str = "pose.trc",
             y_up: bool = True) -> str:
    """OpenSim TRC text of a ``(T, J, 3)`` pose in metres.

    Parameters
    ----------
    points3d : ndarray, shape (T, J, 3)
        Metres, Z-up world; NaN = missing (written as empty fields, which
        OpenSim reads as missing markers).
    marker_names : list of str, length J
    fps : float
        Frames per second.
    file_name : str
        Name written in the header.
    y_up : bool
        Rotate into OpenSim's Y-up frame.
    """
    points = np.asarray(points3d, dtype=np.float64)
    n_frames, n_markers, _ = points.shape
    if len(marker_names) != n_markers:
        raise ValueError(f"{len(marker_names)} marker names for {n_markers} markers")
    if y_up:
        points = points @ Z_UP_TO_Y_UP.T
    lines = [
        f"PathFileType\t4\t(X/Y/Z)\t{file_name}",
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames",
        f"{fps:g}\t{fps:g}\t{n_frames}\t{n_markers}\tm\t{fps:g}\t1\t{n_frames}",
        "Frame#\tTime\t" + "\t".join(f"{name}\t\t" for name in marker_names).rstrip("\t"),
        "\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, n_markers + 1)),
        "",
    ]
    for frame in range(n_frames):
        values = ["" if not np.isfinite(v) else f"{v:.6f}" for v in points[frame].reshape(-1)]
        lines.append(f"{frame + 1}\t{frame / fps:.6f}\t" + "\t".join(values))
    return "\n".join(lines) + "\n"


def write_trc(path: str | Path, points3d: np.ndarray, marker_names: list[str], fps: float, y_up: bool = True) -> Path:
    """Write a TRC file atomically; see :func:`trc_text`."""
    path = Path(path)
    return write_text_atomically(path, trc_text(points3d, marker_names, fps, path.name, y_up))


def long_table(poses: dict[str, np.ndarray], joint_names: list[str], fps: float) -> pd.DataFrame:
    """One row per take, frame and joint: ``take, frame, time_s, joint, x_m, y_m, z_m``.

    Parameters
    ----------
    poses : dict of take id to ndarray (T, J, 3)
        Metres, session world (Z up); NaN stays NaN (empty in CSV).
    joint_names : list of str, length J
    fps : float
    """
    frames = []
    for take, points in poses.items():
        points = np.asarray(points, dtype=np.float64)
        n_frames, n_joints, _ = points.shape
        frame = np.repeat(np.arange(n_frames), n_joints)
        frames.append(pd.DataFrame({
            "take": take,
            "frame": frame,
            "time_s": frame / fps,
            "joint": np.tile(np.asarray(joint_names, dtype=object), n_frames),
            "x_m": points[..., 0].reshape(-1),
            "y_m": points[..., 1].reshape(-1),
            "z_m": points[..., 2].reshape(-1),
        }))
    columns = ["take", "frame", "time_s", "joint", "x_m", "y_m", "z_m"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def write_long_csv(path: str | Path, poses: dict[str, np.ndarray], joint_names: list[str], fps: float) -> Path:
    """Write :func:`long_table` as CSV atomically."""
    path = Path(path)
    with atomic_output(path) as temporary:
        long_table(poses, joint_names, fps).to_csv(temporary, index=False, float_format="%.6f")
    return path
