"""TRC and long-CSV export of 3D poses, and calibration export, through the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.geometry.calibration_io import read_calibration
from analysis.motion.pose_export import trc_text
from analysis.session.reader import Session
from app.cli.main import main


def test_trc_header_and_rows_follow_opensim_layout():
    points = np.array([[[0.1, 0.2, 1.5], [np.nan, np.nan, np.nan]],
                       [[0.1, 0.3, 1.4], [0.0, 0.0, 0.9]]])
    lines = trc_text(points, ["nose", "hip"], fps=50.0, file_name="jump.trc").splitlines()
    assert lines[0].split("\t") == ["PathFileType", "4", "(X/Y/Z)", "jump.trc"]
    assert dict(zip(lines[1].split("\t"), lines[2].split("\t")))["Units"] == "m"
    assert dict(zip(lines[1].split("\t"), lines[2].split("\t")))["NumFrames"] == "2"
    assert lines[3].split("\t")[:5] == ["Frame#", "Time", "nose", "", ""]
    assert lines[4].split("\t")[2:8] == ["X1", "Y1", "Z1", "X2", "Y2", "Z2"]
    first = lines[6].split("\t")
    assert first[:2] == ["1", "0.000000"]
    # Y up in OpenSim: the 1.5 m height is Y, and world +Y becomes -Z.
    assert [float(v) for v in first[2:5]] == [0.1, 1.5, -0.2]
    assert first[5:8] == ["", "", ""]                      # missing marker: empty fields
    assert lines[7].split("\t")[1] == "0.020000"


def test_export_command_writes_trc_csv_and_toml(session_file, tmp_path, capsys):
    with Session.open(session_file) as session:
        pose = session.pose3d("take2")
        cameras = session.cameras
        joints = session.skeleton.joint_names
    code = main(["export-pose", str(session_file), "--take", "take2", "--trc", str(tmp_path / "t.trc"),
                 "--csv", str(tmp_path / "all.csv"), "--calibration", str(tmp_path / "calibration.toml")])
    assert code == 0
    rows = (tmp_path / "t.trc").read_text().splitlines()[6:]
    assert len(rows) == pose.shape[0]
    assert float(rows[3].split("\t")[2 + 3 * 5 + 1]) == round(float(pose[3, 5, 2]), 6)   # Y of joint 6 = height
    table = pd.read_csv(tmp_path / "all.csv")
    assert list(table.columns) == ["take", "frame", "time_s", "joint", "x_m", "y_m", "z_m"]
    assert len(table) == 2 * pose.shape[0] * len(joints)
    row = table[(table["take"] == "take2") & (table["frame"] == 3) & (table["joint"] == joints[5])].iloc[0]
    np.testing.assert_allclose([row.x_m, row.y_m, row.z_m], pose[3, 5], atol=1e-6)
    exported = read_calibration(tmp_path / "calibration.toml").cameras
    assert [c.name for c in exported] == [c.name for c in cameras]
    np.testing.assert_allclose(exported[3].center, cameras[3].center, atol=1e-9)


def test_export_of_several_takes_needs_a_take_for_trc(session_file, tmp_path, capsys):
    assert main(["export-pose", str(session_file), "--trc", str(tmp_path / "t.trc")]) == 2
    assert "choose one with --take" in capsys.readouterr().err
    assert not (tmp_path / "t.trc").exists()
