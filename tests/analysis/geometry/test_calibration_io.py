"""Calibration files: round trips for every format, file order, units, errors."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.calibration_easymocap import write_easymocap_calibration
from analysis.geometry.calibration_io import read_calibration
from analysis.geometry.calibration_qualisys import write_qualisys_calibration
from analysis.geometry.calibration_toml import write_toml_calibration
from analysis.geometry.cameras import Camera, look_at, project_all
from analysis.synthetic.rig import make_rig

RIG = make_rig(apparatus_for("MFE"), np.random.default_rng(7))
POINTS = np.random.default_rng(1).uniform([-1, -1, 0.2], [1, 1, 2], size=(5, 17, 3))


def twelve_cameras() -> list[Camera]:
    """Twelve cameras whose names sort differently as text than as numbers."""
    cameras = []
    for index in range(12):
        angle = 2 * np.pi * index / 12
        R, t = look_at([6 * np.cos(angle), 6 * np.sin(angle), 2.0], [0, 0, 1])
        K = np.array([[700.0 + index, 0, 640], [0, 700.0 + index, 360], [0, 0, 1]])
        cameras.append(Camera(f"cam_{index + 1}", K, [-0.1, 0.02, 0.001, -0.001, 0.0], R, t, 1280, 720))
    return cameras


def assert_same_cameras(read, expected):
    assert [c.name for c in read] == [c.name for c in expected]
    np.testing.assert_allclose(project_all(read, POINTS), project_all(expected, POINTS), atol=1e-6)
    for a, b in zip(read, expected):
        assert (a.width, a.height) == (b.width, b.height)
        np.testing.assert_allclose(a.t, b.t, atol=1e-9)


@pytest.mark.parametrize("units", ["m", "mm"])
def test_toml_round_trip_with_units(tmp_path, units):
    path = write_toml_calibration(tmp_path / "calibration.toml", RIG, units=units)
    calibration = read_calibration(path, units=units)
    assert_same_cameras(calibration.cameras, RIG)
    assert calibration.conversion == ("translations in metres, not converted" if units == "m"
                                      else "translations in mm, converted to metres (x 0.001)")


def test_toml_in_mm_read_as_metres_is_a_thousand_times_too_far(tmp_path):
    path = write_toml_calibration(tmp_path / "calibration.toml", RIG, units="mm")
    wrong = read_calibration(path, units="m")
    np.testing.assert_allclose(wrong.cameras[0].center, RIG[0].center * 1000)


def test_twelve_camera_toml_keeps_file_order(tmp_path):
    cameras = twelve_cameras()
    path = write_toml_calibration(tmp_path / "calibration.toml", cameras)
    text = path.read_text()
    assert text.index('name = "cam_9"') < text.index('name = "cam_10"')
    assert [c.name for c in read_calibration(path).cameras] == [f"cam_{i}" for i in range(1, 13)]


def test_toml_written_by_hand_in_reverse_order(tmp_path):
    sections = []
    for index in (10, 9, 2, 1):
        sections.append(f"""[cam_{index}]
name = "view{index}"
size = [ 1920, 1080,]
matrix = [ [ 1500.0, 0.0, 960.0,], [ 0.0, 1500.0, 540.0,], [ 0.0, 0.0, 1.0,],]
distortions = [ -0.05, 0.01, 0.0, 0.0,]
rotation = [ 1.2, 0.1, -0.1,]
translation = [ 0.1, 0.9, {index}.0,]
""")
    path = tmp_path / "calibration.toml"
    path.write_text("\n".join(sections) + "\n[metadata]\nadjusted = false\nerror = 0.0\n")
    cameras = read_calibration(path).cameras
    assert [c.name for c in cameras] == ["view10", "view9", "view2", "view1"]
    assert cameras[0].t[2] == 10.0 and cameras[0].dist.size == 4


def test_easymocap_round_trip(tmp_path):
    intri, extri = write_easymocap_calibration(tmp_path, RIG)
    assert intri.read_text().startswith("%YAML")
    assert_same_cameras(read_calibration(intri).cameras, RIG)
    assert_same_cameras(read_calibration(tmp_path).cameras, RIG)


def test_easymocap_without_image_size_says_so(tmp_path):
    write_easymocap_calibration(tmp_path, RIG[:2])
    intri = tmp_path / "intri.yml"
    kept = [line for line in intri.read_text().splitlines() if not line.startswith(("H_", "W_"))]
    intri.write_text("\n".join(kept) + "\n")
    calibration = read_calibration(tmp_path)
    assert calibration.cameras[0].width == round(2 * RIG[0].K[0, 2])
    assert "twice the principal point" in calibration.notes[0]


def test_qualisys_round_trip_in_millimetres(tmp_path):
    path = write_qualisys_calibration(tmp_path / "rig.qca.txt", RIG)
    text = path.read_text()
    assert "<calibration" in text and f'serial="{RIG[0].name}"' in text
    calibration = read_calibration(path)
    assert calibration.units == "mm" and "x 0.001" in calibration.conversion
    assert_same_cameras(calibration.cameras, RIG)


def test_qualisys_camera_looks_the_right_way(tmp_path):
    """A hand-written camera 5 m up the -Y axis, level, looking at the origin along +Y."""
    path = tmp_path / "one.qca.txt"
    # Qualisys camera frame: x right, y up, z backwards (towards -Y in the world here).
    path.write_text("""<?xml version="1.0"?>
<calibration><cameras><camera serial="101">
<fov_video left="0" top="0" right="1919" bottom="1079"/>
<transform x="0" y="-5000" z="1000" r11="1" r12="0" r13="0" r21="0" r22="0" r23="1" r31="0" r32="-1" r33="0"/>
<intrinsic focalLengthU="96000" focalLengthV="96000" centerPointU="61440" centerPointV="34560"
 radialDistortion1="0" radialDistortion2="0" radialDistortion3="0" tangentalDistortion1="0" tangentalDistortion2="0"/>
</camera></cameras></calibration>""")
    (camera,) = read_calibration(path).cameras
    np.testing.assert_allclose(camera.center, [0, -5, 1])
    pixel = camera.project(np.array([0.0, 0.0, 2.0]))   # above the camera's height: appears above centre
    assert abs(pixel[0] - 960) < 1e-6 and pixel[1] < 540
    assert (camera.width, camera.height) == (1920, 1080)


@pytest.mark.parametrize("name, content, message", [
    ("calibration.toml", "[cam_1]\nname = 'a'\nmatrix = [[1,0,0],[0,1,0],[0,0,1]]\n", "missing key 'size'"),
    ("calibration.toml", "not toml at all [", "not a valid TOML file"),
    ("rig.qca.txt", "<calibration><cameras/></calibration>", "no <cameras><camera> elements"),
    ("rig.json", "{}", "unknown calibration format"),
])
def test_bad_files_are_refused_with_their_name(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=message) as error:
        read_calibration(path)
    assert name in str(error.value)
