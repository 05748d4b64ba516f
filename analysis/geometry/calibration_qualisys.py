"""Qualisys calibration export (``.qca.txt``, XML).

Facts of the format (as Pose2Sim's converter reads it): one
``calibration/cameras/camera`` element per camera, named by its ``serial``;
``fov_video`` gives the image rectangle (left, top, right, bottom, inclusive);
``intrinsic`` stores ``focalLengthU/V``, ``centerPointU/V`` and the distortion
terms ``radialDistortion1..3``, ``tangentalDistortion1..2`` scaled by 64 (the
principal point relative to the full sensor, so ``fov_video`` left/top is
subtracted); ``transform`` holds the camera position ``x y z`` (millimetres)
and the rotation ``r11 .. r33`` of a camera frame whose y axis points up and
z axis backwards, so the OpenCV world-to-camera rotation is ``Rx(pi) @ M``
with ``M[i, j] = r{i+1}{j+1}``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import numpy as np

from analysis.geometry.calibration_io import Calibration, unit_scale
from analysis.geometry.cameras import Camera
from analysis.session.atomic import write_text_atomically

#: Qualisys stores intrinsics in 1/64 pixel.
_SUBPIXEL = 64.0
#: Rotation by pi about x: from Qualisys's camera frame (y up, z back) to OpenCV's.
_FLIP = np.diag([1.0, -1.0, -1.0])
_ROTATION_KEYS = tuple(f"r{i}{j}" for i in (1, 2, 3) for j in (1, 2, 3))


def _float(element: ElementTree.Element, key: str, path: Path, where: str) -> float:
    try:
        return float(element.attrib[key])
    except KeyError:
        raise ValueError(f"{path}: {where}: missing attribute {key!r}") from None
    except ValueError:
        raise ValueError(f"{path}: {where}: attribute {key!r} is not a number") from None


def _child(camera: ElementTree.Element, tag: str, path: Path, where: str) -> ElementTree.Element:
    element = camera.find(tag)
    if element is None:
        raise ValueError(f"{path}: {where}: missing <{tag}>")
    return element


def read_qualisys_calibration(path: str | Path, units: str = "mm") -> Calibration:
    """Read a Qualisys ``.qca.txt``; camera positions in ``units`` are returned in metres."""
    path = Path(path)
    scale = unit_scale(units, path)
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as error:
        raise ValueError(f"{path}: not a valid XML file ({error})") from None
    cameras = []
    for index, element in enumerate(root.findall("cameras/camera")):
        name = element.attrib.get("serial") or f"camera{index + 1}"
        where = f"camera {name}"
        fov = _child(element, "fov_video", path, where)
        left, top = _float(fov, "left", path, where), _float(fov, "top", path, where)
        width = int(round(_float(fov, "right", path, where) - left + 1))
        height = int(round(_float(fov, "bottom", path, where) - top + 1))
        intrinsic = _child(element, "intrinsic", path, where)
        value = {key: _float(intrinsic, key, path, where) / _SUBPIXEL for key in (
            "focalLengthU", "focalLengthV", "centerPointU", "centerPointV", "radialDistortion1",
            "radialDistortion2", "radialDistortion3", "tangentalDistortion1", "tangentalDistortion2")}
        K = np.array([
            [value["focalLengthU"], 0.0, value["centerPointU"] - left],
            [0.0, value["focalLengthV"], value["centerPointV"] - top],
            [0.0, 0.0, 1.0],
        ])
        dist = np.array([value["radialDistortion1"], value["radialDistortion2"], value["tangentalDistortion1"],
                         value["tangentalDistortion2"], value["radialDistortion3"]])
        transform = _child(element, "transform", path, where)
        position = np.array([_float(transform, key, path, where) for key in "xyz"]) * scale
        rotation = _FLIP @ np.array([_float(transform, key, path, where) for key in _ROTATION_KEYS]).reshape(3, 3)
        try:
            cameras.append(Camera(name, K, dist, rotation, -rotation @ position, width, height))
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    if not cameras:
        raise ValueError(f"{path}: no <cameras><camera> elements; is this a Qualisys calibration export?")
    return Calibration(cameras, "qualisys", units)


def qualisys_calibration_text(cameras: list[Camera], units: str = "mm") -> str:
    """The ``.qca.txt`` XML of ``cameras`` (the subset of the format that the reader uses)."""
    scale = unit_scale(units, "calibration.qca.txt")
    root = ElementTree.Element("calibration", {"source": "lucid-workstation", "type": "regular"})
    group = ElementTree.SubElement(root, "cameras")
    for camera in cameras:
        element = ElementTree.SubElement(group, "camera", {"active": "1", "serial": camera.name})
        fov = {"left": "0", "top": "0", "right": str(camera.width - 1), "bottom": str(camera.height - 1)}
        ElementTree.SubElement(element, "fov_video", fov)
        position = camera.center / scale
        rotation = _FLIP @ camera.R
        transform = {key: repr(float(v)) for key, v in zip("xyz", position)}
        transform.update({key: repr(float(v)) for key, v in zip(_ROTATION_KEYS, rotation.reshape(-1))})
        ElementTree.SubElement(element, "transform", transform)
        dist = np.zeros(5)
        dist[: min(5, camera.dist.size)] = camera.dist[:5]
        intrinsic = {
            "focalLengthU": camera.K[0, 0], "focalLengthV": camera.K[1, 1],
            "centerPointU": camera.K[0, 2], "centerPointV": camera.K[1, 2],
            "radialDistortion1": dist[0], "radialDistortion2": dist[1], "radialDistortion3": dist[4],
            "tangentalDistortion1": dist[2], "tangentalDistortion2": dist[3], "skew": 0.0,
        }
        ElementTree.SubElement(element, "intrinsic", {key: repr(float(v) * _SUBPIXEL) for key, v in intrinsic.items()})
    ElementTree.indent(root)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def write_qualisys_calibration(path: str | Path, cameras: list[Camera], units: str = "mm") -> Path:
    """Write ``cameras`` as a Qualisys ``.qca.txt``, atomically (distortion beyond k1 k2 p1 p2 k3 is dropped)."""
    return write_text_atomically(path, qualisys_calibration_text(cameras, units))
