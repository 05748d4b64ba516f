"""Exemplar embeddings are kept on disk per model: a new session scores its first take without reading
any exemplar's poses, and gets the same score; an unreadable stored embedding is computed again."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings

import app.cli.scoring as cli_scoring
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui import scoring_job
from app.gui.embedding_store import EmbeddingStore
from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import ScoringController
from app.gui.settings import AppSettings
from tests.helpers import InThisProcess
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle

WAIT_MS = 60_000


@pytest.fixture
def settings(tmp_path):
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def score_in_a_new_session(qtbot, library, model_file, settings, store, tmp_path):
    """Score the first trainee take with a fresh controller (no model loaded, nothing in memory)."""
    registry = ModelRegistry(settings, folder=tmp_path / "models", default_path=model_file)
    state = ViewerState()
    state.set_library(library)
    scoring_job._scorers.clear()             # a new process: no model loaded, no embedding in memory
    controller = ScoringController(state, registry, settings, embeddings=store, compute=InThisProcess())
    row = library.index[~library.index["is_exemplar"]].sort_values(["file", "take"]).iloc[0]
    session = Session.open(library.path_of(row["file"]))
    with qtbot.waitSignal(state.scoring_changed, timeout=WAIT_MS):
        state.set_session(session)
        state.set_take(load_take_bundle(session, row["take"]))
    result = state.scoring
    controller.close()
    state.set_session(None)
    session.close()
    return result


def test_a_new_session_scores_from_stored_embeddings_without_reading_exemplars(
        qtbot, tiny_library, tiny_model_file, settings, tmp_path, monkeypatch):
    library = Library.scan(tiny_library)
    store = EmbeddingStore(tmp_path / "embeddings")
    first = score_in_a_new_session(qtbot, library, tiny_model_file, settings, store, tmp_path)
    stored = list((tmp_path / "embeddings").rglob("*.npz"))
    assert first is not None and len(stored) == len(first.exemplars) > 0

    def no_reading(*args):
        raise AssertionError("an exemplar was read although its embedding is stored")

    monkeypatch.setattr(cli_scoring, "read_exemplar", no_reading)
    again = score_in_a_new_session(qtbot, library, tiny_model_file, settings, store, tmp_path)
    assert again.predicted == pytest.approx(first.predicted, abs=1e-5)
    np.testing.assert_allclose(again.probabilities, first.probabilities, atol=1e-5)


def test_an_unreadable_stored_embedding_is_computed_again(qtbot, tiny_library, tiny_model_file, settings, tmp_path):
    library = Library.scan(tiny_library)
    store = EmbeddingStore(tmp_path / "embeddings")
    first = score_in_a_new_session(qtbot, library, tiny_model_file, settings, store, tmp_path)
    for path in (tmp_path / "embeddings").rglob("*.npz"):
        path.write_bytes(b"not an npz")
    again = score_in_a_new_session(qtbot, library, tiny_model_file, settings, store, tmp_path)
    assert again.predicted == pytest.approx(first.predicted, abs=1e-5)
    rewritten = list((tmp_path / "embeddings").rglob("*.npz"))
    assert rewritten and all(path.read_bytes().startswith(b"PK") for path in rewritten)   # stored again
