"""Ctrl+C in the window's terminal, or SIGTERM, closes the window as its close button does: the
program ends at once, cleanly, without a traceback (Qt used to print the KeyboardInterrupt raised
inside one of its slots and carry on, so the window stayed open)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analysis.session.writer import write_session
from tests.helpers import make_session_data

ROOT = Path(__file__).resolve().parents[3]
#: Long enough for the window to be up on a slow machine; a signal before that ends the program too.
STARTED_S = 8.0


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_the_window_and_ends_the_program_without_a_traceback(tmp_path, signal_number):
    session = write_session(tmp_path / "s.h5", make_session_data(seed=4, n_takes=1, n_frames=20, video_views=0))
    env = dict(os.environ, HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), CUDA_VISIBLE_DEVICES="")
    window = subprocess.Popen([sys.executable, "main.py", "open", str(session)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(STARTED_S)
    assert window.poll() is None, window.communicate()[1][-2000:]   # the window is open
    window.send_signal(signal_number)
    try:
        _, errors = window.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        window.kill()
        pytest.fail(f"the window was still open 30 s after {signal.Signals(signal_number).name}")
    assert window.returncode == 0, errors[-2000:]
    assert "Traceback" not in errors
