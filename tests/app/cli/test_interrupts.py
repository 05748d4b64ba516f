"""Interrupted long jobs leave nothing: no output, no temporary file, the previous file intact, one line.

The jobs run in a child process that pauses at a known point
(:mod:`tests.app.cli.pausing_main`) where the test sends the signal. After
SIGKILL, which no process can clean up after, the next run removes the
temporary file the killed one left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import cv2
import pytest

from analysis.session.atomic import atomic_output
from analysis.session.writer import write_session
from tests.helpers import make_session_data

REPO = Path(__file__).resolve().parents[3]
PREVIOUS = b"the previous output"


@pytest.fixture(scope="module")
def long_session(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    return write_session(folder / "long.h5", make_session_data(n_takes=1, n_frames=40, video_views=1))


def _start(point: str, ready: Path, args: list[str]) -> subprocess.Popen:
    env = dict(os.environ, TQDM_DISABLE="1")
    return subprocess.Popen([sys.executable, "-m", "tests.app.cli.pausing_main", point, str(ready), *map(str, args)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _interrupt(process: subprocess.Popen, ready: Path, signum: int) -> tuple[int, str]:
    deadline = time.monotonic() + 180
    while not ready.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the job never reached its pause"
        time.sleep(0.02)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    return process.returncode, stderr


def _only_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_export_keeps_the_previous_clip_and_leaves_nothing(long_session, tmp_path, signum):
    out = tmp_path / "clip.mp4"
    out.write_bytes(PREVIOUS)
    process = _start("export-frame", tmp_path / "ready", ["export", long_session, "--take", "take1", "--out", out])
    code, stderr = _interrupt(process, tmp_path / "ready", signum)
    assert code == 128 + signum
    assert "interrupted" in _only_line(stderr)
    assert out.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "ready"]


def test_a_killed_export_leaves_a_temporary_file_that_the_next_export_removes(long_session, tmp_path):
    out = tmp_path / "clip.mp4"
    process = _start("export-frame", tmp_path / "ready", ["export", long_session, "--take", "take1", "--out", out])
    code, _ = _interrupt(process, tmp_path / "ready", signal.SIGKILL)
    assert code == -signal.SIGKILL and not out.exists()
    left = _temporaries(tmp_path)
    assert left and all(name.startswith(f".clip.mp4.{process.pid}.") for name in left)
    finished = subprocess.run([sys.executable, "main.py", "export", str(long_session), "--take", "take1", "--out",
                               str(out), "--start", "0", "--end", "3"], cwd=REPO, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert _temporaries(tmp_path) == []
    assert cv2.VideoCapture(str(out)).read()[0]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_triangulation_keeps_the_previous_file_and_leaves_nothing(long_session, tmp_path, signum):
    out = tmp_path / "tri.h5"
    out.write_bytes(PREVIOUS)
    process = _start("triangulate-write", tmp_path / "ready", ["triangulate", long_session, "--out", out])
    code, stderr = _interrupt(process, tmp_path / "ready", signum)
    assert code == 128 + signum
    assert _only_line(stderr) == f"triangulate: interrupted ({signal.Signals(signum).name}); nothing was written"
    assert out.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ready", "tri.h5"]


def test_training_interrupted_while_saving_keeps_the_previous_model(tiny_library, tmp_path):
    out = tmp_path / "model.pt"
    out.write_bytes(PREVIOUS)
    process = _start("checkpoint-save", tmp_path / "ready",
                     ["train", "--library", tiny_library, "--out", out, "--preset", "tiny", "--epochs", "1"])
    code, stderr = _interrupt(process, tmp_path / "ready", signal.SIGINT)
    assert code == 130
    assert _only_line(stderr) == "train: interrupted (SIGINT); nothing was written"
    assert out.read_bytes() == PREVIOUS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.pt", "ready"]


def test_temporary_files_of_dead_writers_are_removed_and_those_of_live_ones_kept(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".report.json.{dead.pid}.x1y2.tmp"
    live = tmp_path / f".report.json.{os.getppid()}.a1b2.tmp"
    other = tmp_path / f".other.json.{dead.pid}.c3d4.tmp"
    for path in (stale, live, other):
        path.write_text("partial")
    with atomic_output(tmp_path / "report.json") as temporary:
        temporary.write_text("{}")
    assert not stale.exists() and live.exists() and other.exists()
    assert (tmp_path / "report.json").read_text() == "{}"
