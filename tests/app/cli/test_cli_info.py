"""`python main.py info`: a readable summary, JSON output, and exit 2 with one line on bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from analysis.session.writer import write_session
from tests.helpers import make_session_data

REPO = Path(__file__).resolve().parents[3]


def run_main(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", *map(str, args)], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


def test_info_summarises_the_session(session_file, tmp_path):
    out = tmp_path / "summary.json"
    result = run_main("info", session_file, "--json", out)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Event:     MFE (Men's floor exercise)" in text and "Level: 1" in text and "Athlete: A01" in text
    assert "fps: 30" in text and "cam1 cam2 cam3 cam4 cam5 cam6 cam7 cam8" in text
    take2 = next(line for line in text.splitlines() if line.strip().startswith("take2"))
    assert "9.60" in take2 and "BENT_KNEES 0.3 [2-6)" in take2 and "LEGS_APART 0.1" in take2
    take1 = next(line for line in text.splitlines() if line.strip().startswith("take1"))
    assert " yes " in take1 and take1.rstrip().endswith("none")
    assert " video " in text and " all 8 " in take1 and " all 8 " in take2   # which takes have video
    summary = json.loads(out.read_text())
    assert summary["event"] == "MFE" and summary["n_takes"] == 2 and len(summary["views"]) == 8
    assert summary["takes"][1]["penalties"][0] == {"code": "BENT_KNEES", "value": 0.3, "start": 2, "end": 6}
    assert summary["takes"][0]["is_exemplar"] is True


def test_info_names_the_takes_without_video(tmp_path):
    path = write_session(tmp_path / "poses_only.h5", make_session_data(video_views=3))
    take1 = next(line for line in run_main("info", path).stdout.splitlines() if line.strip().startswith("take1"))
    assert " 3 of 8 " in take1
    path = write_session(tmp_path / "no_video.h5", make_session_data(video_views=0))
    take1 = next(line for line in run_main("info", path).stdout.splitlines() if line.strip().startswith("take1"))
    assert take1.split()[-2:] == ["none", "none"]                     # no video, no penalty


def test_info_on_a_bad_file_exits_2_with_one_line(tmp_path):
    bad = tmp_path / "movie.h5"
    bad.write_bytes(b"\x00\x01garbage" * 100)
    result = run_main("info", bad)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert str(bad) in lines[0] and "not an HDF5 file" in lines[0] and "/:" not in lines[0]
    assert result.stdout == ""


def test_info_on_a_missing_file_exits_2(tmp_path):
    result = run_main("info", tmp_path / "missing.h5")
    assert result.returncode == 2 and "file not found" in result.stderr and "Traceback" not in result.stderr
