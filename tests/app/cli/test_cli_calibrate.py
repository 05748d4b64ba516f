"""`main.py calibrate`: a rig's calibration.toml from rendered board recordings, and its errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.geometry.board import parse_board_spec
from analysis.geometry.calibration_toml import read_toml_calibration
from app.cli.main import main
from tests.helpers_board import (
    board_pose,
    ring_rig,
    write_board_recording,
    write_images,
)

CHARUCO = "charuco:7x5:0.10:0.075:DICT_4X4_50"
CHECKERBOARD = "checkerboard:9x6:0.08"
TARGET = np.array([0.0, 0.0, 1.0])


def render_rig(folder, spec_text, seed, as_video, facings, azimuths=(-40.0, 0.0, 40.0)):
    """Three cameras around a board moving in front of them; returns (cameras, board poses).

    ``facings`` are the directions (degrees) the board's face turns to, one per frame.
    """
    spec = parse_board_spec(spec_text)
    rng = np.random.default_rng(seed)
    cameras = ring_rig(list(azimuths), 1.8, [1.3, 1.0, 1.6], TARGET, (640, 480), 520.0, rng)
    poses = [board_pose(TARGET + rng.uniform([-0.45, -0.45, -0.35], [0.45, 0.45, 0.35]), facing,
                        rng.uniform(-35, 35), rng.uniform(-30, 30), spec) for facing in facings]
    write_board_recording(folder, cameras, spec, poses, rng, as_video)
    return cameras, poses


def centre_in_board_world(camera, pose):
    """A camera's centre in the ``--origin board`` world of a board pose (board to world)."""
    rotation, translation = pose
    return np.diag([1.0, -1.0, -1.0]) @ rotation.T @ (camera.center - translation)


def one_error_line(capsys) -> str:
    """The one error line on stderr (progress bars may precede it)."""
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in err
    return errors[0]


def test_videos_of_a_charuco_board_give_the_rig_in_the_board_world(tmp_path, capsys):
    cameras, poses = render_rig(tmp_path / "videos", CHARUCO, seed=1, as_video=True, facings=np.linspace(-25, 25, 12))
    out, report_path = tmp_path / "out" / "calibration.toml", tmp_path / "report.json"
    assert main(["calibrate", "--videos", str(tmp_path / "videos"), "--board", CHARUCO, "--out", str(out),
                 "--json", str(report_path), "--origin", "board"]) == 0
    report = json.loads(report_path.read_text())
    assert set(report["per_camera"]) == {"cam1", "cam2", "cam3"}
    for entry in report["per_camera"].values():
        assert set(entry) == {"rms_px", "n_frames", "f_px"} and entry["n_frames"] >= 8
    assert report["mean_rms_px"] < 0.6 and report["n_shared_frames"] >= 8
    frame = int(report["origin"].removeprefix("board frame "))
    estimated = read_toml_calibration(out).cameras
    assert [c.name for c in estimated] == ["cam1", "cam2", "cam3"]
    for truth, camera in zip(cameras, estimated, strict=True):
        assert camera.K[0, 0] == pytest.approx(truth.K[0, 0], rel=0.01)
        assert report["per_camera"][camera.name]["f_px"] == pytest.approx(truth.K[0, 0], rel=0.01)
        assert np.linalg.norm(camera.center - centre_in_board_world(truth, poses[frame])) < 0.02
    assert "mean RMS" in capsys.readouterr().out


def test_image_folders_of_a_checkerboard_give_the_rig_in_the_first_camera_world(tmp_path):
    cameras, _ = render_rig(tmp_path / "images", CHECKERBOARD, seed=2, as_video=False,
                            facings=np.linspace(25, -25, 12))
    out = tmp_path / "calibration.toml"
    assert main(["calibrate", "--images", str(tmp_path / "images"), "--board", CHECKERBOARD, "--out", str(out)]) == 0
    estimated = read_toml_calibration(out).cameras
    np.testing.assert_allclose(estimated[0].R, np.eye(3), atol=1e-9)
    np.testing.assert_allclose(estimated[0].t, 0.0, atol=1e-9)
    first = cameras[0]
    for truth, camera in zip(cameras, estimated, strict=True):
        assert camera.K[0, 0] == pytest.approx(truth.K[0, 0], rel=0.01)
        assert np.linalg.norm(camera.center - first.to_camera(truth.center)) < 0.02
        relative = truth.R @ first.R.T
        assert np.degrees(np.arccos(np.clip((np.trace(relative @ camera.R.T) - 1) / 2, -1, 1))) < 1.0


def test_a_camera_that_never_shares_a_board_view_is_named_and_the_old_file_stays(tmp_path, capsys):
    folder = tmp_path / "split"
    render_rig(folder, CHARUCO, seed=3, as_video=False, facings=[0.0] * 4 + [180.0] * 4, azimuths=(-30.0, 30.0, 180.0))
    out = tmp_path / "calibration.toml"
    out.write_text("previous calibration\n")
    code = main(["calibrate", "--images", str(folder), "--board", CHARUCO, "--out", str(out)])
    assert code == 2
    message = one_error_line(capsys)
    assert f"{folder}: cam3 never sees the board in a frame where cam1, cam2 see it" in message
    assert out.read_text() == "previous calibration\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["calibration.toml", "split"]


def test_bad_spec_is_refused_before_reading_anything(tmp_path, capsys):
    assert main(["calibrate", "--videos", str(tmp_path / "missing"), "--board", "charuco:10x7:0.1",
                 "--out", str(tmp_path / "c.toml")]) == 2
    assert "board spec 'charuco:10x7:0.1'" in one_error_line(capsys)


def test_bad_recordings_name_the_file_and_the_problem(tmp_path, capsys):
    def run(*source: str) -> str:
        assert main(["calibrate", *source, "--board", CHARUCO, "--out", str(tmp_path / "c.toml")]) == 2
        return one_error_line(capsys)

    assert f"{tmp_path / 'missing'}: video folder not found" in run("--videos", str(tmp_path / "missing"))
    assert f"{tmp_path / 'missing'}: image folder not found" in run("--images", str(tmp_path / "missing"))
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("cam1.mp4", "cam2.mp4"):
        (broken / name).write_bytes(b"not a video at all" * 100)
    assert f"{broken / 'cam1.mp4'}: cannot be read as a video" in run("--videos", str(broken))
    assert f"{broken}: a rig needs one image folder per camera and at least 2 cameras; found 0" in run(
        "--images", str(broken))
    empty = tmp_path / "empty"
    blank = np.full((120, 160), 128, np.uint8)
    for name in ("left", "right"):
        write_images(empty / name, [blank] * 3)
    assert f"{empty / 'left'}: no charuco board 7x5 found in 3 frames" in run("--images", str(empty))
    assert not (tmp_path / "c.toml").exists()


def test_ctrl_c_stops_without_writing(tmp_path, monkeypatch, capsys):
    import analysis.geometry.board_recording as board_recording

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    for name in ("left", "right"):
        write_images(tmp_path / "rec" / name, [np.full((120, 160), 128, np.uint8)])
    monkeypatch.setattr(board_recording, "detect_boards", interrupted)
    out = tmp_path / "calibration.toml"
    assert main(["calibrate", "--images", str(tmp_path / "rec"), "--board", CHARUCO, "--out", str(out)]) == 130
    assert f"interrupted; {out} not written" in capsys.readouterr().err and not out.exists()
