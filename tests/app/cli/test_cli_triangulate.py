"""`main.py triangulate`: re-triangulating a session into a new file, with a JSON summary."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.session.reader import Session
from analysis.session.writer import write_session
from app.cli.main import main
from tests.helpers import file_digest, make_session_data


@pytest.fixture
def session_with_bad_camera(tmp_path):
    """A session whose cam3 detections are all 80 px off, and whose stored pose3d is zeros."""
    data = make_session_data(seed=3, n_takes=2, n_frames=8, video_views=1)
    for take in data.takes:
        take.pose2d[2, ..., 0] += 80.0
        take.pose3d = np.zeros_like(take.pose3d)
    return write_session(tmp_path / "in.h5", data)


def test_retriangulation_reports_and_fixes_a_bad_camera(session_with_bad_camera, tmp_path, capsys):
    before = file_digest(session_with_bad_camera)
    out, report = tmp_path / "sub" / "out.h5", tmp_path / "report.json"
    code = main(["triangulate", str(session_with_bad_camera), "--out", str(out), "--threshold", "5",
                 "--json", str(report)])
    assert code == 0 and file_digest(session_with_bad_camera) == before
    summary = json.loads(report.read_text())
    assert {"mean_reprojection_px", "mean_reprojection_all_px", "per_view", "per_joint", "excluded_fraction",
            "per_take"} <= set(summary)
    assert summary["excluded_fraction"] == pytest.approx(1 / 8, abs=1e-6)     # every cam3 detection
    assert summary["mean_reprojection_px"] < 0.01                             # the 3D fits the kept views ...
    assert summary["mean_reprojection_all_px"] == pytest.approx(80.0 / 8, rel=0.01)   # ... not cam3, 80 px off
    assert summary["per_view"]["cam3"] is None and len(summary["per_joint"]) == 17
    assert summary["per_take"]["take2"]["mean_reprojection_all_px"] == pytest.approx(10.0, rel=0.01)
    printed = capsys.readouterr().out
    assert "views excluded as outliers: 12.5 %" in printed
    figures = {line.split("  ")[0]: line.split()[-2] for line in printed.splitlines()
               if line.startswith("mean reprojection error")}
    assert figures == {"mean reprojection error, kept (within 5 px of the 3D)": f"{summary['mean_reprojection_px']:.2f}",
                       "mean reprojection error, all valid observations": f"{summary['mean_reprojection_all_px']:.2f}"}
    with Session.open(out) as session:
        assert session.takes["take1"].video_views == ("cam1",)
        np.testing.assert_allclose(session.pose3d("take2"), session.pose3d_reference("take2"), atol=1e-5)


def test_excluding_the_bad_view(session_with_bad_camera, tmp_path):
    report = tmp_path / "report.json"
    assert main(["triangulate", str(session_with_bad_camera), "--out", str(tmp_path / "o.h5"),
                 "--exclude", "cam3", "--json", str(report)]) == 0
    summary = json.loads(report.read_text())
    assert summary["excluded_fraction"] == 0.0 and summary["per_view"]["cam3"] is None
    assert summary["per_view"]["cam1"] < 0.01
    assert summary["mean_reprojection_all_px"] < 0.01      # the view left out is not averaged
    assert summary["excluded_views"] == ["cam3"]


def test_plain_threshold_keeps_the_bad_view_and_shows_it(session_with_bad_camera, tmp_path):
    report = tmp_path / "report.json"
    assert main(["triangulate", str(session_with_bad_camera), "--out", str(tmp_path / "o.h5"),
                 "--threshold", "1000", "--json", str(report)]) == 0
    summary = json.loads(report.read_text())
    assert summary["excluded_fraction"] == 0.0
    assert max(summary["per_view"], key=summary["per_view"].get) == "cam3"


@pytest.mark.parametrize("extra, message", [
    (["--exclude", "cam9"], "no view named 'cam9'"),
    (["--exclude", "cam1", "cam2", "cam3", "cam4", "cam5", "cam6", "cam7"], "fewer than two views"),
])
def test_bad_requests_exit_2_naming_the_file(session_with_bad_camera, tmp_path, capsys, extra, message):
    out = tmp_path / "o.h5"
    assert main(["triangulate", str(session_with_bad_camera), "--out", str(out)] + extra) == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert message in error and str(session_with_bad_camera) in error and not out.exists()


def test_output_must_be_a_new_file(session_with_bad_camera, capsys):
    before = file_digest(session_with_bad_camera)
    assert main(["triangulate", str(session_with_bad_camera), "--out", str(session_with_bad_camera)]) == 2
    assert "must be a new file" in capsys.readouterr().err
    assert file_digest(session_with_bad_camera) == before
