"""`main.py import --pose3d`: C3D and OpenSim TRC files become 3D takes; Pose2Sim's associated folders import."""

from __future__ import annotations

import json
from pathlib import Path

import ezc3d
import numpy as np

from analysis.geometry.calibration_toml import write_toml_calibration
from analysis.motion.marker_sets import MARKER_EDGES
from analysis.motion.skeleton import BODY25, COCO17
from analysis.session.reader import Session
from analysis.session.writer import write_session
from app.cli.main import main
from tests.helpers import make_session_data, random_walk_pose

PLUG_IN_GAIT_CENTRES = ("LSJC", "RSJC", "LEJC", "REJC", "LWJC", "RWJC", "LHJC", "RHJC", "LKJC", "RKJC", "LAJC", "RAJC")
SURFACE_MARKERS = ("LASI", "RASI", "LPSI", "RPSI", "LKNE", "LANK", "LHEE", "LTOE", "OTHER")


def write_c3d(path: Path, labels: tuple[str, ...], points_mm: np.ndarray, fps: float = 100.0,
              invalid: tuple[int, int] | None = None) -> Path:
    """A C3D file of ``points_mm`` ``(T, M, 3)``; the point ``(frame, marker)`` in ``invalid`` has residual -1."""
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [fps]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = list(labels)
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    data = np.ones((4, len(labels), len(points_mm)))
    data[:3] = np.transpose(points_mm, (2, 1, 0))
    c3d["data"]["points"] = data
    residuals = np.zeros((1, len(labels), len(points_mm)))
    if invalid is not None:
        residuals[0, invalid[1], invalid[0]] = -1.0
    c3d["data"]["meta_points"]["residuals"] = residuals
    c3d.write(str(path))
    return path


def test_trc_export_comes_back_as_the_same_take(tmp_path, capsys):
    source = write_session(tmp_path / "source.h5", make_session_data(n_takes=1, n_frames=9))
    assert main(["export-pose", str(source), "--trc", str(tmp_path / "jump.trc")]) == 0
    out = tmp_path / "from_trc.h5"
    assert main(["import", "--pose3d", str(tmp_path / "jump.trc"), str(tmp_path / "jump.trc"), "--out", str(out),
                 "--event", "WFE", "--athlete", "A2"]) == 0
    assert "coco17 (the labels are its joint names); 30 fps" in capsys.readouterr().out
    with Session.open(source) as session:
        original = session.pose3d(session.take_ids[0])
    with Session.open(out) as imported:
        assert imported.take_ids == ("jump", "jump_2") and imported.view_names == ()
        assert imported.skeleton == COCO17 and imported.event == "WFE" and imported.fps == 30
        np.testing.assert_allclose(imported.pose3d("jump"), original, atol=2e-6)     # Y-up file, Z-up session
        assert imported.pose2d("jump").shape == (0, 9, 17, 3)


def test_c3d_joint_centres_map_to_coco17(tmp_path, capsys):
    rng = np.random.default_rng(1)
    truth = random_walk_pose(rng, 6)
    coco_index = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]       # shoulders .. ankles, left then right
    labels = tuple(f"Gymnast:{label}" for label in PLUG_IN_GAIT_CENTRES) + ("LKNE",)
    points = np.concatenate([truth[:, coco_index], truth[:, [13]] + 0.05], axis=1) * 1000.0
    c3d = write_c3d(tmp_path / "trial.c3d", labels, points, invalid=(2, 8))   # LKJC not valid in frame 2
    calibration = write_toml_calibration(tmp_path / "calibration.toml", make_session_data().cameras)
    out = tmp_path / "trial.h5"
    assert main(["import", "--pose3d", str(c3d), "--calibration", str(calibration), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "coco17 (joint centres mapped by name; not in the file: nose, left_eye, right_eye, left_ear, right_ear)" \
        in printed and "100 fps" in printed
    with Session.open(out) as session:
        pose3d = session.pose3d("trial")
        assert session.skeleton.name == "coco17" and len(session.view_names) == 8
        assert np.isnan(session.pose2d("trial")[..., :2]).all()
    assert np.isnan(pose3d[:, :5]).all()
    assert np.isnan(pose3d[2, 13]).all()                                     # the invalid point stays missing
    keep = np.ones(pose3d.shape[:2], bool)
    keep[:, :5], keep[2, 13] = False, False
    np.testing.assert_allclose(pose3d[keep], truth[keep], atol=1e-5)        # millimetres to metres


def test_c3d_surface_markers_are_kept_as_a_marker_set(tmp_path, capsys):
    points = np.random.default_rng(2).uniform(0, 1500, size=(5, len(SURFACE_MARKERS), 3))
    out = tmp_path / "markers.h5"
    assert main(["import", "--pose3d", str(write_c3d(tmp_path / "m.c3d", SURFACE_MARKERS, points)),
                 "--out", str(out)]) == 0
    assert "a marker set of 9 markers with" in capsys.readouterr().out
    with Session.open(out) as session:
        skeleton = session.skeleton
    assert skeleton.name == "markers" and skeleton.joint_names == SURFACE_MARKERS
    named = {(skeleton.joint_names[a], skeleton.joint_names[b]) for a, b in skeleton.edges}
    assert ("LASI", "RASI") in named and ("LKNE", "LANK") not in named        # no LTIB between them
    assert named <= set(MARKER_EDGES) and not any("OTHER" in edge for edge in named)


def test_3d_files_that_do_not_match_are_refused(tmp_path, capsys):
    points = np.zeros((4, len(SURFACE_MARKERS), 3))
    first = write_c3d(tmp_path / "a.c3d", SURFACE_MARKERS, points)
    other_rate = write_c3d(tmp_path / "b.c3d", SURFACE_MARKERS, points, fps=120.0)
    other_markers = write_c3d(tmp_path / "c.c3d", SURFACE_MARKERS[:-1], points[:, :-1])
    out = tmp_path / "x.h5"
    assert main(["import", "--pose3d", str(first), str(other_rate), "--out", str(out)]) == 2
    assert "b.c3d runs at 120 fps but" in capsys.readouterr().err
    assert main(["import", "--pose3d", str(first), str(other_markers), "--out", str(out)]) == 2
    assert "c.c3d has other markers than" in capsys.readouterr().err
    (tmp_path / "bad.trc").write_text("PathFileType\t4\n")
    assert main(["import", "--pose3d", str(tmp_path / "bad.trc"), "--out", str(out)]) == 2
    assert "bad.trc: not a readable TRC file" in capsys.readouterr().err
    assert not out.exists()


def write_pose2sim_associated(root: Path, cameras, truth: np.ndarray, other: np.ndarray) -> Path:
    """Pose2Sim's layout after person association: ``pose-associated/<cam>_json/<cam>_<frame>.json``, BODY_25.

    Person 0 is ``truth``; from frame 3 on, person 1 is ``other``, which the last camera does not see:
    Pose2Sim writes an empty person ``{}`` in its place.
    """
    folder = root / "pose-associated"

    def person(pixels: np.ndarray) -> dict:
        keypoints = np.column_stack([pixels, np.full(len(pixels), 0.9)]).reshape(-1)
        return {"person_id": [-1], "pose_keypoints_2d": keypoints.round(3).tolist()}

    for v, camera in enumerate(cameras):
        view = folder / f"{camera.name}_json"
        view.mkdir(parents=True)
        for t, (athlete, second) in enumerate(zip(camera.project(truth), camera.project(other))):
            people = [person(athlete)]
            if t >= 3:
                people.append({} if v == len(cameras) - 1 else person(second))
            (view / f"{camera.name}_{t:06d}.json").write_text(json.dumps({"version": 1.3, "people": people}))
    return folder


def test_pose2sim_associated_folders_import(tmp_path, capsys):
    cameras = make_session_data().cameras[:4]
    truth = random_walk_pose(np.random.default_rng(3), 8)
    truth = np.concatenate([truth, truth[:, :8] + 0.02], axis=1)             # 25 joints
    folder = write_pose2sim_associated(tmp_path, cameras, truth, truth + [2.0, 1.5, 0.0])
    calibration = write_toml_calibration(tmp_path / "Calib_board.toml", cameras)
    out = tmp_path / "s.h5"
    assert main(["import", "--calibration", str(calibration), "--keypoints", str(folder), "--layout", "BODY_25",
                 "--fps", "60", "--out", str(out)]) == 0
    assert "cam1_json -> cam1 (by name)" in capsys.readouterr().out
    with Session.open(out) as session:
        assert session.skeleton == BODY25 and session.view_names == ("cam1", "cam2", "cam3", "cam4")
        np.testing.assert_allclose(session.pose3d(session.take_ids[0]), truth, atol=3e-3)
