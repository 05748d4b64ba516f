"""EasyMocap calibration: ``intri.yml`` and ``extri.yml`` (OpenCV FileStorage YAML).

``intri.yml`` lists the camera ``names`` and holds ``K_<name>`` (3x3) and
``dist_<name>`` (1x5); ``extri.yml`` holds ``Rot_<name>`` (3x3 world-to-camera
rotation; ``R_<name>``, its Rodrigues vector, is used when ``Rot`` is absent)
and ``T_<name>`` (3x1 translation). EasyMocap works in metres. Image sizes
are not part of the format: ``H_<name>`` / ``W_<name>`` are read when present,
otherwise the size is taken as twice the principal point (and noted).
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
from scipy.spatial.transform import Rotation

from analysis.geometry.calibration_io import Calibration, unit_scale
from analysis.geometry.cameras import Camera
from analysis.session.atomic import write_text_atomically

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def easymocap_paths(path: str | Path) -> tuple[Path, Path]:
    """``(intri.yml, extri.yml)`` for either file or the folder holding them."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    return folder / "intri.yml", folder / "extri.yml"


def _open(path: Path) -> cv2.FileStorage:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: EasyMocap calibration file not found")
    try:
        storage = cv2.FileStorage(str(path), cv2.FILE_STORAGE_READ)
    except cv2.error as error:
        raise ValueError(f"{path}: not a readable OpenCV YAML file ({error.err})") from None
    if not storage.isOpened():
        raise ValueError(f"{path}: not a readable OpenCV YAML file")
    return storage


def _names(storage: cv2.FileStorage, path: Path) -> list[str]:
    node = storage.getNode("names")
    if node.empty() or not node.isSeq():
        raise ValueError(f"{path}: missing the 'names' list")
    return [node.at(i).string() for i in range(node.size())]


def _matrix(storage: cv2.FileStorage, key: str, path: Path, size: int) -> np.ndarray:
    node = storage.getNode(key)
    matrix = None if node.empty() else node.mat()
    if matrix is None or matrix.size != size:
        raise ValueError(f"{path}: {key}: missing or not a matrix of {size} numbers")
    return np.asarray(matrix, dtype=np.float64)


def read_easymocap_calibration(path: str | Path, units: str = "m") -> Calibration:
    """Read EasyMocap's intri.yml and extri.yml (``path`` is either file or their folder)."""
    intri_path, extri_path = easymocap_paths(path)
    scale = unit_scale(units, extri_path)
    intri, extri = _open(intri_path), _open(extri_path)
    try:
        names = _names(intri, intri_path)
        missing = [name for name in names if extri.getNode(f"T_{name}").empty()]
        if missing:
            raise ValueError(f"{extri_path}: no extrinsics for camera(s) {', '.join(missing)}")
        cameras, derived = [], []
        for name in names:
            K = _matrix(intri, f"K_{name}", intri_path, 9).reshape(3, 3)
            dist_node = intri.getNode(f"dist_{name}")
            dist = np.zeros(0) if dist_node.empty() else np.asarray(dist_node.mat(), dtype=np.float64).reshape(-1)
            if extri.getNode(f"Rot_{name}").empty():
                R = Rotation.from_rotvec(_matrix(extri, f"R_{name}", extri_path, 3).reshape(3)).as_matrix()
            else:
                R = _matrix(extri, f"Rot_{name}", extri_path, 9).reshape(3, 3)
            t = _matrix(extri, f"T_{name}", extri_path, 3).reshape(3) * scale
            height_node, width_node = intri.getNode(f"H_{name}"), intri.getNode(f"W_{name}")
            if height_node.empty() or width_node.empty():
                width, height = int(round(2 * K[0, 2])), int(round(2 * K[1, 2]))
                derived.append(name)
            else:
                width, height = int(width_node.real()), int(height_node.real())
            try:
                cameras.append(Camera(name, K, dist, R, t, width, height))
            except ValueError as error:
                raise ValueError(f"{intri_path}: {error}") from None
    finally:
        intri.release()
        extri.release()
    notes = (f"image size of {', '.join(derived)} taken as twice the principal point (not in the file)",) if derived else ()
    return Calibration(cameras, "easymocap", units, notes)


def _yaml_text(write) -> str:
    storage = cv2.FileStorage(".yml", cv2.FILE_STORAGE_WRITE | cv2.FILE_STORAGE_MEMORY)
    write(storage)
    return storage.releaseAndGetString()


def write_easymocap_calibration(folder: str | Path, cameras: list[Camera], units: str = "m") -> tuple[Path, Path]:
    """Write ``intri.yml`` and ``extri.yml`` into ``folder``, atomically.

    Camera names must be letters, digits, ``_`` or ``-`` (they become YAML keys).
    """
    folder = Path(folder)
    scale = unit_scale(units, folder)
    for camera in cameras:
        if not _NAME.match(camera.name):
            raise ValueError(f"{folder}: camera name {camera.name!r} cannot be an EasyMocap key")

    def names(storage: cv2.FileStorage) -> None:
        storage.startWriteStruct("names", cv2.FileNode_SEQ)
        for camera in cameras:
            storage.write("", camera.name)
        storage.endWriteStruct()

    def intrinsics(storage: cv2.FileStorage) -> None:
        names(storage)
        for camera in cameras:
            storage.write(f"K_{camera.name}", camera.K)
            storage.write(f"dist_{camera.name}", camera.dist.reshape(1, -1))
            storage.write(f"H_{camera.name}", int(camera.height))
            storage.write(f"W_{camera.name}", int(camera.width))

    def extrinsics(storage: cv2.FileStorage) -> None:
        names(storage)
        for camera in cameras:
            storage.write(f"R_{camera.name}", Rotation.from_matrix(camera.R).as_rotvec().reshape(3, 1))
            storage.write(f"Rot_{camera.name}", camera.R)
            storage.write(f"T_{camera.name}", (camera.t / scale).reshape(3, 1))

    intri_path, extri_path = folder / "intri.yml", folder / "extri.yml"
    write_text_atomically(intri_path, _yaml_text(intrinsics))
    write_text_atomically(extri_path, _yaml_text(extrinsics))
    return intri_path, extri_path
