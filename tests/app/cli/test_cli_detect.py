"""`python main.py detect`: videos to OpenPose folders that `import` turns into a session of the athlete alone.

The models are tiny ONNX files with RTMPose's, RTMO's and YOLOX's signatures
(tests/analysis/detection/tiny_models.py); nothing is downloaded.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import rtmlib

from analysis.catalogue.apparatus import apparatus_for
from analysis.detection import model_files
from analysis.detection.estimators import load_estimator
from analysis.detection.job import SELECTING, run_detection
from analysis.detection.video_frames import find_view_videos
from analysis.geometry.calibration_io import read_calibration
from analysis.geometry.calibration_toml import write_toml_calibration
from analysis.geometry.cameras import project_all
from analysis.session.reader import Session
from analysis.synthetic.rig import make_rig
from app.cli.main import main
from tests.analysis.detection.scenes import (
    keypoints_in,
    render_frames,
    walking_boxes,
    write_video,
)
from tests.analysis.detection.tiny_models import (
    write_detector,
    write_rtmo,
    write_rtmpose,
)

REPO = Path(__file__).resolve().parents[3]
CAMERAS = make_rig(apparatus_for("MFE"), np.random.default_rng(11), size=(640, 360))
FILMED = ("cam1", "cam3", "cam5", "cam7")        # the views with videos; the calibration has all 8 cameras
N_FRAMES = 12
BYSTANDER_AT = np.array([-2.0, -1.5, 0.0])       # in view of all four cameras, apart from the athlete
CORNERS = np.array([[x, y, z] for x in (-0.25, 0.25) for y in (-0.25, 0.25) for z in (0.0, 1.8)])
UNREACHABLE = "http://127.0.0.1:9/onnx_sdk/{}.zip"


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("models")
    return {"pose": write_rtmpose(folder / "rtmpose.onnx"), "detector": write_detector(folder / "detector.onnx"),
            "rtmo": write_rtmo(folder / "rtmo.onnx")}


def drawn_boxes(position: np.ndarray) -> np.ndarray:
    """(V, 4) int boxes of a 0.5 x 0.5 x 1.8 m person standing at ``position``, in the filmed views."""
    cameras = [c for c in CAMERAS if c.name in FILMED]
    pixels = project_all(cameras, CORNERS + position)
    return np.round(np.concatenate([pixels.min(axis=1), pixels.max(axis=1)], axis=1)).astype(int)


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> tuple[Path, np.ndarray]:
    """Videos of the athlete walking along x, joined at frame 3 by a bystander; the athlete's boxes (T, V, 4)."""
    root = tmp_path_factory.mktemp("recording")
    athlete = np.stack([drawn_boxes(np.array([0.05 * t, 0.0, 0.0])) for t in range(N_FRAMES)])
    bystander = np.stack([drawn_boxes(BYSTANDER_AT) if t >= 3 else np.full((len(FILMED), 4), -1)
                          for t in range(N_FRAMES)])
    for v, view in enumerate(FILMED):
        write_video(root / "videos" / f"{view}.mp4", render_frames((640, 360), {0: athlete[:, v], 1: bystander[:, v]}))
    write_toml_calibration(root / "calibration.toml", CAMERAS)
    return root, athlete


def test_detect_keeps_the_athlete_alone_and_import_makes_a_session_of_them(recording, models, tmp_path, capsys):
    root, athlete = recording
    out = tmp_path / "keypoints"
    code = main(["detect", "--videos", str(root / "videos"), "--out", str(out), "--model-file", str(models["pose"]),
                 "--detector-file", str(models["detector"]), "--calibration", str(root / "calibration.toml")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "model: rtmpose.onnx (17 keypoints) on cpu" in printed and "4 videos: cam1, cam3, cam5, cam7" in printed
    assert "cam5: 12 frames detected, 0 kept from an earlier run, 2 people tracked, athlete in 12" in printed
    for v, view in enumerate(FILMED):
        for t in range(N_FRAMES):
            (person,) = json.loads((out / view / f"{view}_{t:012d}_keypoints.json").read_text())["people"]
            keypoints = np.reshape(person["pose_keypoints_2d"], (17, 3))
            np.testing.assert_allclose(keypoints[:, :2], keypoints_in(athlete[t, v]), atol=1.5)

    session_file = tmp_path / "athlete.h5"
    assert main(["import", "--calibration", str(root / "calibration.toml"), "--keypoints", str(out),
                 "--fps", "25", "--out", str(session_file)]) == 0
    with Session.open(session_file) as session:
        assert session.view_names == FILMED
        pose3d = session.pose3d(session.take_ids[0])
    centres = np.nanmean(pose3d, axis=1)                                          # (T, 3)
    walked = np.column_stack([0.05 * np.arange(N_FRAMES), np.zeros(N_FRAMES), np.full(N_FRAMES, 0.9)])
    assert np.abs(centres - walked).max() < 0.3                                   # the athlete, every frame


def test_without_network_a_missing_model_exits_2_naming_it_and_where_to_put_it(recording, models, tmp_path,
                                                                               monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for name, model in model_files.NAMED_MODELS.items():                        # rtmlib publishes no reachable URL
        monkeypatch.setitem(getattr(rtmlib, model.solution).MODE, "balanced", {
            "pose": UNREACHABLE.format(f"{name}-pose"), "det": UNREACHABLE.format("detector")})
    videos = str(recording[0] / "videos")
    assert main(["detect", "--videos", videos, "--out", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    expected = tmp_path / "cache" / "lucid-workstation" / "pose-models" / "body17-pose.onnx"
    assert line.startswith("error: the body17 pose model body17-pose.onnx is not in the cache and could not be "
                           "downloaded from http://127.0.0.1:9/onnx_sdk/body17-pose.zip (")
    assert line.endswith(f"put the ONNX file at {expected} or pass --model-file PATH.onnx")

    pose_only = ["detect", "--videos", videos, "--out", str(tmp_path / "out"), "--model-file", str(models["pose"])]
    assert main(pose_only) == 2
    assert "pass --detector-file PATH.onnx" in capsys.readouterr().err
    assert main(["detect", "--videos", videos, "--out", str(tmp_path / "rtmo"), "--model-file", str(models["rtmo"]),
                 "--every", "4"]) == 0                                           # RTMO needs no detector
    assert len(list((tmp_path / "rtmo" / "cam3").glob("*.json"))) == 3
    assert list(expected.parent.iterdir()) == []                                 # nothing half-downloaded


def test_bad_input_exits_2_with_one_line(recording, models, tmp_path, capsys):
    videos = tmp_path / "videos"
    videos.mkdir()
    (videos / "cam2.mp4").write_bytes(b"\x00not a video" * 400)
    files = ["--model-file", str(models["pose"]), "--detector-file", str(models["detector"])]
    assert main(["detect", "--videos", str(videos), "--out", str(tmp_path / "out"), *files]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"error: {videos / 'cam2.mp4'}: cannot be read as a video (")
    assert main(["detect", "--videos", str(recording[0] / "videos"), "--out", str(tmp_path / "out"), "--model",
                 "halpe26", *files]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("gives 17 keypoints per person but the halpe26 model has 26; choose the model of that "
                         "keypoint set")


def test_ctrl_c_stops_between_frames_and_the_same_command_resumes(models, tmp_path, capsys):
    n_frames = 60
    write_video(tmp_path / "videos" / "cam1.mp4",
                render_frames((160, 120), {0: walking_boxes(n_frames, (10, 20), 0, (20, 60))}))
    out = tmp_path / "out"
    arguments = ["detect", "--videos", str(tmp_path / "videos"), "--out", str(out), "--model-file",
                 str(models["pose"]), "--detector-file", str(models["detector"])]
    process = subprocess.Popen([sys.executable, "main.py", *arguments], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while len(list(out.glob("cam1/*.json"))) < 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    assert "run the same command again to resume" in errors.splitlines()[-1]
    written = len(list(out.glob("cam1/*.json")))
    assert 2 <= written < n_frames and not [p for p in out.rglob("*") if p.suffix == ".tmp"]

    assert main(arguments) == 0
    assert f"cam1: {n_frames - written} frames detected, {written} kept from an earlier run" in capsys.readouterr().out
    assert len(list(out.glob("cam1/*.json"))) == n_frames


def test_cancelled_while_selecting_the_athlete_every_view_keeps_everyone(recording, models, tmp_path):
    root, _ = recording
    stages = []
    estimator = load_estimator(models["pose"], "cpu", lambda: models["detector"])
    result = run_detection(find_view_videos(root / "videos"), tmp_path / "out", estimator,
                           cameras=read_calibration(root / "calibration.toml").cameras,
                           progress=lambda stage, done, total: stages.append(stage),
                           cancelled=lambda: SELECTING in stages)
    assert result.cancelled and stages[-1] == SELECTING and result.views["cam1"].athlete_frames is None
    last = json.loads((tmp_path / "out" / "cam1" / f"cam1_{N_FRAMES - 1:012d}_keypoints.json").read_text())
    assert len(last["people"]) == 2                                   # the bystander is still there
