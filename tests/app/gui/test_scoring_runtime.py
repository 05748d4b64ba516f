"""The first score of a window comes sooner: torch is imported while the library is still being indexed,
once the take's first frame is on screen (not before: the import would delay it).

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
from analysis.session.reader import Session
from app.gui.launch import application, wait_until
from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import ScoringController
from app.gui.settings import AppSettings
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle

session_path, take_id, model, scratch = sys.argv[1:5]
application()
print("torch before", "torch" in sys.modules)
settings = AppSettings(QSettings(str(Path(scratch) / "settings.ini"), QSettings.Format.IniFormat))
registry = ModelRegistry(settings, folder=Path(scratch) / "models", default_path=Path(model))
state = ViewerState()
controller = ScoringController(state, registry, settings)
session = Session.open(session_path)
state.set_session(session)
state.set_take(load_take_bundle(session, take_id))   # scoring is asked for; there is no library yet
wait_until(lambda: False, timeout_s=0.5)
print("imported before the first frame", "torch" in sys.modules)
controller.frame_shown()                             # as the window says once the take's first frame is painted
imported = wait_until(lambda: "models.scorer" in sys.modules, timeout_s=60)
print("imported while waiting", imported, "library", state.library, "busy", controller.busy)
controller.close()
session.close()
"""


def test_the_scoring_runtime_is_imported_while_the_library_is_indexed(tiny_library, tiny_model_file, tmp_path):
    index = Library.scan(tiny_library).index
    row = index[~index["is_exemplar"]].iloc[0]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tiny_library / row["file"]), row["take"],
                           str(tiny_model_file), str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                               "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""})
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "torch before False" in lines     # the window starts without torch
    assert "imported before the first frame False" in lines
    assert "imported while waiting True library None busy True" in lines
