"""One take meets the same exemplars everywhere: the app's scoring, the compare tab's proposal,
the export dialog, ``score --json``, ``evaluate --json`` and ``export --layout compare``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.session.library import Library
from analysis.session.reader import Session
from analysis.session.writer import write_session
from app.cli.main import main
from app.gui.exemplar_controller import ExemplarController
from app.gui.export_dialog import ExportDialog
from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import ScoringController
from app.gui.settings import AppSettings
from tests.helpers import TINY_TRAINING, exemplar_session_data, make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.widgets.compare_view import CompareView

WAIT_MS = 60_000
# The policy on the library below: footage first (the trainee's own session, then b_filmed, the higher
# score first), then by score, then by file: not the order of the files.
EXPECTED = ["c_trainee.h5#take1", "b_filmed.h5#take1", "a_plain.h5#take1", "d_plain.h5#take1", "e_plain.h5#take1",
            "f_plain.h5#take1", "g_plain.h5#take1"]


@pytest.fixture
def library_folder(tmp_path) -> Path:
    """Seven exemplars of one action (MFE-1-01) and a trainee take (c_trainee.h5, take2)."""
    write_session(tmp_path / "a_plain.h5", exemplar_session_data(seed=1, athlete="A01", score=10.0))
    write_session(tmp_path / "b_filmed.h5", exemplar_session_data(seed=2, athlete="A02", score=9.9, video_grey=120))
    write_session(tmp_path / "c_trainee.h5", replace(make_session_data(seed=3), athlete="A03"))
    for name, seed, score in (("d_plain", 4, 10.0), ("e_plain", 5, 9.95), ("f_plain", 6, 9.8), ("g_plain", 7, 9.7)):
        write_session(tmp_path / f"{name}.h5", exemplar_session_data(seed=seed, athlete=f"A0{seed}", score=score))
    return tmp_path


def _gui_choices(qtbot, folder: Path, model: Path, settings_path: Path) -> tuple[list[str], str, str, list[str]]:
    """The exemplars the app scores take2 against, the one the compare tab proposes, its first label,
    and the export dialog's exemplars (its default first)."""
    settings = AppSettings(QSettings(str(settings_path), QSettings.Format.IniFormat))
    state = ViewerState()
    scoring = ScoringController(state, ModelRegistry(settings, folder=settings_path.parent / "models",
                                                     default_path=model), settings)
    exemplars = ExemplarController(state)
    compare = CompareView(state, lambda _view, _frame: None, exemplars.exemplar_frame)
    qtbot.addWidget(compare)
    session = Session.open(folder / "c_trainee.h5")
    state.set_session(session)
    state.set_take(load_take_bundle(session, "take2"))
    state.set_library(Library.scan(folder))           # what the application does once the folder is indexed
    qtbot.waitUntil(lambda: state.scoring is not None and state.exemplar is not None, timeout=WAIT_MS)
    scored = [f"{used.file}#{used.take}" for used in state.scoring.exemplars]
    proposed = f"{state.exemplar.path.name}#{state.exemplar.take.take_id}"
    label = compare.candidate_labels()[0]
    dialog = ExportDialog(state)
    qtbot.addWidget(dialog)
    exported = [f"{path.name}#{take}" for path, take in
                (dialog.exemplar_combo.itemData(i) for i in range(dialog.exemplar_combo.count()))]
    scoring.close()
    exemplars.close()
    state.set_session(None)
    session.close()
    return scored, proposed, label, exported


def test_every_caller_chooses_the_same_exemplars_for_a_take(qtbot, library_folder, tiny_model_file, tmp_path_factory,
                                                            capsys):
    k = TINY_TRAINING.k_exemplars
    assert k < len(EXPECTED)
    scored, proposed, label, exported = _gui_choices(qtbot, library_folder, tiny_model_file,
                                           tmp_path_factory.mktemp("settings") / "settings.ini")
    assert scored == EXPECTED[:k]
    assert proposed == EXPECTED[0] and label.startswith("A03 · take1")
    assert exported == EXPECTED

    out = tmp_path_factory.mktemp("out")
    trainee = library_folder / "c_trainee.h5"
    assert main(["score", str(trainee), "--model", str(tiny_model_file), "--json", str(out / "score.json"),
                 "--device", "cpu"]) == 0
    takes = {take["take"]: take for take in json.loads((out / "score.json").read_text())["takes"]}
    assert takes["take2"]["exemplars"] == EXPECTED[:k]
    assert takes["take1"]["exemplars"] == EXPECTED[1:k + 1]          # an exemplar is never its own reference
    assert {p["code"] for p in takes["take2"]["penalties"]} == set(load_penalty_catalogue())
    assert "predicted" in capsys.readouterr().out

    assert main(["evaluate", "--library", str(library_folder), "--model", str(tiny_model_file),
                 "--json", str(out / "metrics.json"), "--device", "cpu"]) == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"spearman", "rl2x100", "mae", "n_takes", "per_level", "per_event"} <= set(metrics)
    evaluated = {(take["file"], take["take"]): take for take in metrics["takes"]}
    assert evaluated[("c_trainee.h5", "take2")]["exemplars"] == EXPECTED[:k]
    assert evaluated[("c_trainee.h5", "take1")]["exemplars"] == EXPECTED[1:k + 1]
    assert evaluated[("c_trainee.h5", "take2")]["predicted"] == pytest.approx(takes["take2"]["predicted"], abs=1e-4)
    assert metrics["n_takes"] == len(EXPECTED) + 1 and np.isfinite(metrics["mae"])

    capsys.readouterr()
    assert main(["export", str(trainee), "--take", "take2", "--layout", "compare", "--snapshot",
                 str(out / "compare.png"), "--frame", "3"]) == 0
    assert f"exemplar: {EXPECTED[0]}\n" in capsys.readouterr().out
