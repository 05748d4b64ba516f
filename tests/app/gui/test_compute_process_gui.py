"""The window's heavy work runs in the compute process: its own interpreter never imports torch or
scipy.signal (which held it for seconds and froze the window), and the take is still scored, its
kinematics computed and its exemplar aligned.

Run in a fresh interpreter, since this test process has imported torch long ago.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from analysis.session.library import Library

ROOT = Path(__file__).resolve().parents[3]

SCRIPT = """
import sys
from pathlib import Path
from PySide6.QtCore import QSettings
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.exemplar_controller import ExemplarController
from app.gui.launch import application, wait_until
from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import ScoringController
from app.gui.settings import AppSettings
from app.gui.take_loading import compute_kinematics
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle

session_path, take_id, model, scratch = sys.argv[1:5]
application()
settings = AppSettings(QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat))
registry = ModelRegistry(settings, folder=Path(scratch) / "models", default_path=Path(model))
state = ViewerState()
scoring = ScoringController(state, registry, settings)
exemplars = ExemplarController(state)
session = Session.open(session_path)
state.set_session(session)
take = compute_kinematics(load_take_bundle(session, take_id))
state.set_take(take)
state.set_library(Library.scan(Path(session_path).parent))
wait_until(lambda: state.scoring is not None and state.exemplar is not None, timeout_s=120)
print("scored", state.scoring is not None and 0 <= state.scoring.predicted <= 10)
print("exemplar", state.exemplar is not None and len(state.exemplar.kinematics) == take.n_frames)
print("kinematics", len(take.kinematics) == take.n_frames and "left_knee_flexion_deg" in take.kinematics)
print("torch here", "torch" in sys.modules, "scipy.signal here", "scipy.signal" in sys.modules)
scoring.close()
exemplars.close()
session.close()
"""


def test_scoring_kinematics_and_alignment_leave_torch_and_scipy_signal_out_of_the_window(tiny_library,
                                                                                         tiny_model_file, tmp_path):
    index = Library.scan(tiny_library).index
    row = index[~index["is_exemplar"]].iloc[0]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tiny_library / row["file"]), row["take"],
                           str(tiny_model_file), str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "scored True" in lines and "exemplar True" in lines and "kinematics True" in lines
    assert "torch here False scipy.signal here False" in lines
