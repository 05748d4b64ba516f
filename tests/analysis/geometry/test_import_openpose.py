"""Importing OpenPose JSON folders, calibration and videos into a session."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.calibration_toml import write_toml_calibration
from analysis.geometry.cameras import project_all
from analysis.geometry.keypoints_io import detect_layout
from analysis.session.reader import Session
from analysis.synthetic.rig import make_rig
from app.cli.main import main

N_FRAMES = 10
CAMERAS = make_rig(apparatus_for("MFE"), np.random.default_rng(11))
BYSTANDER_OFFSET = np.array([2.5, 1.5, 0.0])


def athlete_motion(n_joints: int = 17) -> np.ndarray:
    rng = np.random.default_rng(4)
    base = rng.uniform([-0.3, -0.2, 0.1], [0.3, 0.2, 1.7], size=(1, n_joints, 3))
    return base + np.linspace(0, 0.3, N_FRAMES)[:, None, None] * np.array([1.0, 0.0, 0.0])


def openpose_person(pixels: np.ndarray) -> dict:
    keypoints = np.concatenate([pixels, np.full((len(pixels), 1), 0.9)], axis=1)
    keypoints[np.isnan(keypoints[:, 0])] = 0.0
    return {"person_id": [-1], "pose_keypoints_2d": keypoints.reshape(-1).round(4).tolist(), "face_keypoints_2d": []}


def write_recording(root: Path, view_names: list[str], n_joints: int = 17) -> np.ndarray:
    """OpenPose folders with a bystander in some frames, empty frames and a missing file."""
    truth = athlete_motion(n_joints)
    athlete = project_all(CAMERAS, truth)
    bystander = project_all(CAMERAS, truth + BYSTANDER_OFFSET)
    for v, name in enumerate(view_names):
        folder = root / "keypoints" / name
        folder.mkdir(parents=True)
        for t in range(N_FRAMES):
            if v == 2 and t == 7:
                continue                                  # no file at all: an empty frame
            people = [openpose_person(athlete[v, t])]
            if t in (2, 3, 4):
                people.insert(0 if v % 2 else 1, openpose_person(bystander[v, t]))
            if t == 5:
                people = []                               # the detector found nobody
            if t == 6 and v < 2:
                people = [openpose_person(bystander[v, t])]  # only the bystander, in two views
            document = {"version": 1.3, "people": people}
            (folder / f"{name}_{t:012d}_keypoints.json").write_text(json.dumps(document))
    return truth


def write_videos(folder: Path, view_names: list[str], fps: dict[str, float] | None = None,
                 frames: dict[str, int] | None = None) -> None:
    """One MJPEG file per view, 30 fps and N_FRAMES frames unless ``fps`` / ``frames`` say otherwise."""
    folder.mkdir()
    for name in view_names:
        rate = (fps or {}).get(name, 30)
        writer = cv2.VideoWriter(str(folder / f"{name}.avi"), cv2.VideoWriter_fourcc(*"MJPG"), rate, (64, 48))
        for t in range((frames or {}).get(name, N_FRAMES)):
            writer.write(np.full((48, 64, 3), 20 * t, np.uint8))
        writer.release()


def test_import_picks_the_athlete_and_writes_a_session_that_opens(tmp_path, capsys):
    views = [f"view{i}" for i in range(1, 9)]          # not the camera names: matched in natural order
    truth = write_recording(tmp_path, views)
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS, units="mm")
    (tmp_path / "out").mkdir()
    write_videos(tmp_path / "out" / "videos", views)
    out = tmp_path / "out" / "imported.h5"

    code = main(["import", "--calibration", str(tmp_path / "calibration.toml"), "--units", "mm",
                 "--keypoints", str(tmp_path / "keypoints"), "--videos", str(tmp_path / "out" / "videos"),
                 "--out", str(out), "--event", "WBB", "--athlete", "A7"])

    printed = capsys.readouterr().out
    assert code == 0
    assert "translations in mm, converted to metres (x 0.001)" in printed
    assert "30 fps" in printed                                              # the videos' rate
    assert "view1 -> cam1 (by natural order)" in printed and "view8 -> cam8 (by natural order)" in printed
    assert "views excluded as outliers" in printed and "left_knee" in printed
    with Session.open(out) as session:
        assert session.event == "WBB" and session.fps == 30 and session.skeleton.name == "coco17"
        assert session.view_names == tuple(c.name for c in CAMERAS)
        (take,) = session.takes.values()
        assert take.n_frames == N_FRAMES and take.video_views == session.view_names
        pose2d, pose3d = session.pose2d(take.take_id), session.pose3d(take.take_id)
        assert session.frame(take.take_id, "cam3", 4) is not None
    good = [0, 1, 2, 3, 4, 8, 9]
    np.testing.assert_allclose(pose3d[good], truth[good], atol=2e-3)     # the bystander never wins
    assert np.isnan(pose3d[5]).all() and np.isnan(pose2d[:, 5, :, :2]).all()
    assert np.isnan(pose2d[2, 7, :, :2]).all()                             # missing file = empty frame
    np.testing.assert_allclose(pose3d[7], truth[7], atol=2e-3)
    assert np.isnan(pose2d[:2, 6, :, :2]).all()                            # bystander alone: not taken
    np.testing.assert_allclose(pose3d[6], truth[6], atol=2e-3)            # ...the other 6 views suffice


def test_embedded_videos_and_name_matching(tmp_path, capsys):
    views = [c.name for c in CAMERAS][::-1]
    write_recording(tmp_path, views)
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS)
    write_videos(tmp_path / "videos", views)
    out = tmp_path / "embedded.h5"
    assert main(["import", "--calibration", str(tmp_path / "calibration.toml"), "--keypoints",
                 str(tmp_path / "keypoints"), "--videos", str(tmp_path / "videos"), "--embed-videos",
                 "--fps", "30", "--out", str(out)]) == 0
    assert "cam10" not in capsys.readouterr().out
    with Session.open(out) as session:
        take = session.take_ids[0]
        frame = session.frame(take, "cam2", 6)
        assert frame.shape == (48, 64, 3) and abs(int(frame.mean()) - 120) <= 3


def test_videos_outside_the_session_folder_are_embedded_or_refused(tmp_path, capsys):
    write_recording(tmp_path, [c.name for c in CAMERAS])
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS)
    write_videos(tmp_path / "videos", [c.name for c in CAMERAS])
    arguments = ["import", "--calibration", str(tmp_path / "calibration.toml"), "--keypoints",
                 str(tmp_path / "keypoints"), "--videos", str(tmp_path / "videos"), "--fps", "30",
                 "--out", str(tmp_path / "sessions" / "s.h5")]
    assert main(arguments) == 2
    assert "references video files inside its own folder only" in capsys.readouterr().err
    assert not (tmp_path / "sessions" / "s.h5").exists()


def test_ambiguous_layout_needs_the_layout_option(tmp_path, capsys):
    write_recording(tmp_path, [c.name for c in CAMERAS], n_joints=25)
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS)
    arguments = ["import", "--calibration", str(tmp_path / "calibration.toml"), "--keypoints",
                 str(tmp_path / "keypoints"), "--fps", "30", "--out", str(tmp_path / "b.h5")]
    assert main(arguments) == 2
    assert "could be BODY_25 or BODY_25B; choose one with --layout" in capsys.readouterr().err
    assert main(arguments + ["--layout", "BODY_25B"]) == 0
    with Session.open(tmp_path / "b.h5") as session:
        assert session.skeleton.name == "body25b" and "HeadTop" in session.skeleton.joint_names


@pytest.mark.parametrize("count, name", [(17, "coco17"), (26, "halpe26")])
def test_unambiguous_counts_are_detected(count, name):
    assert detect_layout(count).name == name


def test_broken_keypoint_file_is_named(tmp_path, capsys):
    write_recording(tmp_path, [c.name for c in CAMERAS])
    broken = tmp_path / "keypoints" / "cam4" / "cam4_000000000003_keypoints.json"
    broken.write_text("{not json")
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS)
    assert main(["import", "--calibration", str(tmp_path / "calibration.toml"), "--keypoints",
                 str(tmp_path / "keypoints"), "--fps", "30", "--out", str(tmp_path / "x.h5")]) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]   # above it: the progress bar
    assert error.startswith("error: ") and str(broken) in error
    assert not (tmp_path / "x.h5").exists()


def _import_with_videos(tmp_path: Path, extra: list[str] = (), **videos) -> tuple[int, Path]:
    names = [c.name for c in CAMERAS]
    write_recording(tmp_path, names)
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS)
    write_videos(tmp_path / "videos", names, **videos)
    out = tmp_path / "s.h5"
    code = main(["import", "--calibration", str(tmp_path / "calibration.toml"), "--keypoints",
                 str(tmp_path / "keypoints"), "--videos", str(tmp_path / "videos"), "--out", str(out), *extra])
    return code, out


def test_videos_at_different_frame_rates_are_refused(tmp_path, capsys):
    code, out = _import_with_videos(tmp_path, fps={"cam3": 25})
    error = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "different frame rates" in error and "cam1.avi 30 fps" in error and "cam3.avi 25 fps" in error


def test_a_frame_rate_other_than_the_videos_is_refused(tmp_path, capsys):
    code, out = _import_with_videos(tmp_path, ["--fps", "50"])
    error = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "50 fps, is not the videos'" in error and "cam2.avi 30 fps" in error


def test_videos_of_different_lengths_keep_the_frames_all_cover(tmp_path, capsys):
    code, out = _import_with_videos(tmp_path, frames={"cam5": N_FRAMES - 3})
    printed = capsys.readouterr().out
    assert code == 0
    assert "differ in length" in printed and "cam5.avi 7" in printed and f"keeps the {N_FRAMES - 3} frames" in printed
    with Session.open(out) as session:
        take = session.take_ids[0]
        assert session.takes[take].n_frames == N_FRAMES - 3
        assert not [warning for warning in session.warnings if "the take needs" in warning]
        assert session.frame(take, "cam5", N_FRAMES - 4) is not None


def test_pose2sim_people_without_keypoints_are_no_detection(tmp_path, capsys):
    """Pose2Sim's pose-associated folders write ``{"people": [{}]}`` where nobody was associated."""
    write_recording(tmp_path, [c.name for c in CAMERAS])
    folder = tmp_path / "keypoints"
    empty_people = {("cam1", 1): [{}], ("cam2", 1): [{"person_id": [-1], "pose_keypoints_2d": []}],
                    ("cam3", 8): [{"pose_keypoints_2d": [310.0, 120.0, 0.8]}]}   # one keypoint of 17
    for (view, t), people in empty_people.items():
        (folder / view / f"{view}_{t:012d}_keypoints.json").write_text(json.dumps({"people": people}))
    write_toml_calibration(tmp_path / "calibration.toml", CAMERAS)
    out = tmp_path / "associated.h5"
    assert main(["import", "--calibration", str(tmp_path / "calibration.toml"), "--keypoints", str(folder),
                 "--fps", "30", "--out", str(out)]) == 0
    with Session.open(out) as session:
        pose2d = session.pose2d(session.take_ids[0])
    for view, t in empty_people:
        assert np.isnan(pose2d[session.view_names.index(view), t, :, :2]).all()
    assert np.isfinite(pose2d[3:, 1, :, :2]).all() and np.isfinite(pose2d[:2, 8, :, :2]).all()
