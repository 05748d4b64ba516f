"""anipose / Pose2Sim ``calibration.toml``: one ``[section]`` per camera.

Each camera section holds ``name``, ``size = [width, height]``, ``matrix``
(3x3 intrinsics), ``distortions`` (OpenCV order), ``rotation`` (Rodrigues
vector, world to camera) and ``translation`` (world to camera). Sections
without a ``matrix`` (``[metadata]``) are not cameras. Section order is kept.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
from scipy.spatial.transform import Rotation

from analysis.geometry.calibration_io import Calibration, unit_scale
from analysis.geometry.cameras import Camera
from analysis.session.atomic import write_text_atomically


def read_toml_calibration(path: str | Path, units: str = "m") -> Calibration:
    """Read a calibration.toml; translations in ``units`` are returned in metres.

    Raises
    ------
    ValueError
        Naming the file and the section for malformed content.
    """
    path = Path(path)
    scale = unit_scale(units, path)
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a valid TOML file ({error})") from None
    cameras = []
    for section, entry in document.items():
        if not isinstance(entry, dict) or "matrix" not in entry:
            continue
        try:
            if entry.get("fisheye", False):
                raise ValueError("fisheye lenses are not supported")
            width, height = (int(v) for v in entry["size"])
            cameras.append(Camera(
                name=str(entry.get("name", section)),
                K=np.asarray(entry["matrix"], dtype=np.float64),
                dist=np.asarray(entry.get("distortions", []), dtype=np.float64),
                R=Rotation.from_rotvec(np.asarray(entry["rotation"], dtype=np.float64)).as_matrix(),
                t=np.asarray(entry["translation"], dtype=np.float64) * scale,
                width=width,
                height=height,
            ))
        except (KeyError, TypeError, ValueError) as error:
            problem = f"missing key {error}" if isinstance(error, KeyError) else str(error)
            raise ValueError(f"{path}: [{section}]: {problem}") from None
    if not cameras:
        raise ValueError(f"{path}: no camera sections (a section with 'matrix', 'size', 'rotation', 'translation')")
    return Calibration(cameras, "toml", units)


def _number(value: float) -> str:
    return repr(float(value))


def _array(values) -> str:
    return "[" + ", ".join(_number(v) for v in np.asarray(values, dtype=np.float64).reshape(-1)) + "]"


def toml_calibration_text(cameras: list[Camera], units: str = "m") -> str:
    """The calibration.toml text of ``cameras``, translations written in ``units``."""
    scale = unit_scale(units, "calibration.toml")
    lines = []
    for index, camera in enumerate(cameras):
        lines += [
            f"[cam_{index + 1}]",
            f"name = {json.dumps(camera.name)}",
            f"size = [{int(camera.width)}, {int(camera.height)}]",
            "matrix = [" + ", ".join(_array(row) for row in camera.K) + "]",
            f"distortions = {_array(camera.dist)}",
            f"rotation = {_array(Rotation.from_matrix(camera.R).as_rotvec())}",
            f"translation = {_array(camera.t / scale)}",
            "fisheye = false",
            "",
        ]
    lines += ["[metadata]", "adjusted = false", "error = 0.0", ""]
    return "\n".join(lines)


def write_toml_calibration(path: str | Path, cameras: list[Camera], units: str = "m") -> Path:
    """Write ``cameras`` as an anipose / Pose2Sim calibration.toml, atomically."""
    return write_text_atomically(path, toml_calibration_text(cameras, units))
