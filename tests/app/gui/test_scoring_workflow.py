"""Coach workflow: scoring a take in the app (panel, heatmap under the curves, 3D blame) and
fine-tuning the scoring model from the app (new versioned checkpoint, cancel, active model)."""

from __future__ import annotations

import hashlib
import math
import threading
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.finetune_dialog import FinetuneDialog
from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import ScoringController
from app.gui.settings import AppSettings
from viewer.model.scoring_result import joint_responsibility
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.widgets.curves import CurvesPanel
from viewer.widgets.penalty_heatmap import HEATMAP_ITEMS
from tests.helpers import InThisProcess
from viewer.widgets.scoring_panel import ScoringPanel

WAIT_MS = 60_000


@pytest.fixture(scope="module")
def library(tiny_library) -> Library:
    return Library.scan(tiny_library)


@pytest.fixture
def settings(tmp_path, monkeypatch) -> AppSettings:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_path", lambda *args, **kwargs: tmp_path / "user_data")
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def registry(settings, tiny_model_file, tmp_path) -> ModelRegistry:
    return ModelRegistry(settings, folder=tmp_path / "models", default_path=tiny_model_file)


def library_state(library: Library) -> ViewerState:
    """A viewer state on ``library`` (what the application puts there once it is indexed)."""
    state = ViewerState()
    state.set_library(library)
    return state


def trainee_take(library: Library) -> tuple[Path, str]:
    """A scored, non-exemplar take of the library whose action has exemplars elsewhere."""
    index = library.index
    row = index[~index["is_exemplar"]].sort_values(["file", "take"]).iloc[0]
    return library.path_of(row["file"]), row["take"]


def open_take(state: ViewerState, path: Path, take_id: str) -> Session:
    session = Session.open(path)
    state.set_session(session)
    state.set_take(load_take_bundle(session, take_id))
    return session


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- scoring
def test_scoring_a_take_fills_the_panel_and_the_heatmap_under_the_curves(qtbot, library, registry, settings):
    state = library_state(library)
    controller = ScoringController(state, registry, settings)
    panel = ScoringPanel(state)
    curves = CurvesPanel(state)
    for widget in (panel, curves):
        qtbot.addWidget(widget)
    controller.busy_changed.connect(panel.set_busy)
    path, take_id = trainee_take(library)
    assert panel.score_text() == "–"

    with qtbot.waitSignal(state.scoring_changed, timeout=WAIT_MS):
        session = open_take(state, path, take_id)   # auto-score is on by default
    scoring = state.scoring
    assert scoring is not None and scoring.take_id == take_id
    assert panel.score_text() == f"{scoring.predicted:.2f}"
    assert math.isfinite(float(panel.score_text()))
    assert f"{state.take.info.score:.2f}" in panel.annotation_text()
    assert "judges" in panel.annotation_text()
    assert not panel.is_busy()

    # the exemplars: same action, never the take itself
    index = library.index
    assert scoring.exemplars
    for used in scoring.exemplars:
        row = index[(index["file"] == used.file) & (index["take"] == used.take)].iloc[0]
        assert row["is_exemplar"] and row["action"] == state.take.info.action
        assert (library.path_of(used.file), used.take) != (path, take_id)
        assert used.athlete == row["athlete_name"] and f"{used.athlete} {used.take}" in panel.exemplars_text()

    # one bar per penalty item, named from the catalogue, most probable first
    catalogue = load_penalty_catalogue()
    bars = panel.penalty_bars()
    assert [name for name, _ in bars] == [catalogue[code].name for code, _, _ in scoring.ranked_penalties()]
    assert len(bars) == len(catalogue)
    percents = [percent for _, percent in bars]
    assert percents == sorted(percents, reverse=True)
    assert percents[0] == round(100 * scoring.probabilities.max())

    # the heatmap is pinned above the curves: x-linked, the most probable items by name, its cursor seeks
    heatmap = curves.heatmap_plot
    assert heatmap is not None
    images = [item for item in heatmap.items if isinstance(item, pg.ImageItem)]
    assert images[0].image.shape == (state.n_frames, HEATMAP_ITEMS)
    assert heatmap.getViewBox().linkedView(pg.ViewBox.XAxis) is curves.plot_items()[0].getViewBox()
    ranked_names = [name for _, name, _ in scoring.ranked_penalties()]
    assert curves.penalty_heatmap.row_names() == ranked_names[:HEATMAP_ITEMS]   # most probable on top
    ticks = [label for _, label in heatmap.getAxis("left")._tickLevels[0]]
    assert ticks[::-1] == ranked_names[:HEATMAP_ITEMS]
    state.seek(20)
    assert curves.cursor_positions() == pytest.approx([20 / state.fps] * (len(curves.plot_items()) + 1))
    cursor = [item for item in heatmap.items if isinstance(item, pg.InfiniteLine) and item.movable][0]
    cursor.setValue(35 / state.fps)
    cursor.sigDragged.emit(cursor)
    assert state.frame == 35

    # another take clears the verdict, and the heatmap goes away until it is scored again
    controller.set_auto_score(False)
    other = [t for t in session.take_ids if t != take_id][0]
    state.set_take(load_take_bundle(session, other))
    assert state.scoring is None and curves.heatmap_plot is None and panel.score_text() == "–"
    controller.close()
    state.set_session(None)
    session.close()


@pytest.mark.parametrize("how", ["cancel", "another take"])
def test_a_result_that_arrives_after_a_cancel_or_another_take_is_dropped(qtbot, monkeypatch, library, registry,
                                                                          settings, how):
    from models.scorer import Scorer

    computing, finish, computed = threading.Event(), threading.Event(), []
    score = Scorer.score

    def held_score(self, *args):
        computing.set()
        assert finish.wait(WAIT_MS / 1000)
        computed.append(score(self, *args))
        return computed[-1]

    monkeypatch.setattr(Scorer, "score", held_score)
    settings.set_value("scoring/auto_score", False)
    state = library_state(library)
    controller = ScoringController(state, registry, settings, compute=InThisProcess())   # where the patch holds
    panel = ScoringPanel(state)
    qtbot.addWidget(panel)
    path, take_id = trainee_take(library)
    session = open_take(state, path, take_id)
    received = []
    state.scoring_changed.connect(received.append)

    # undisturbed, the result is shown
    controller.score_current()
    assert computing.wait(WAIT_MS / 1000)
    finish.set()
    qtbot.waitUntil(lambda: state.scoring is not None, timeout=WAIT_MS)
    first = state.scoring
    assert received == [first] and panel.score_text() == f"{first.predicted:.2f}"

    # the same request again, disturbed while the model computes: its result comes in, and is dropped
    computing.clear()
    finish.clear()
    controller.score_current()
    assert computing.wait(WAIT_MS / 1000) and controller.busy
    if how == "cancel":
        controller.cancel()
    else:
        other = next(t for t in session.take_ids if t != take_id)
        state.set_take(load_take_bundle(session, other))
    assert not controller.busy
    finish.set()
    qtbot.waitUntil(lambda: len(computed) == 2, timeout=WAIT_MS)
    controller.close()          # waits for the worker: its result has been emitted
    qtbot.wait(100)             # ... and delivered to the GUI thread
    if how == "cancel":
        assert received == [first] and state.scoring is first
        assert panel.score_text() == f"{first.predicted:.2f}"
    else:
        assert received == [first, None] and state.scoring is None and panel.score_text() == "–"
    state.set_session(None)
    session.close()


def test_joint_responsibility_follows_the_catalogue_joints():
    catalogue = load_penalty_catalogue()
    names = ("nose", "left_knee", "right_knee", "left_elbow")
    codes = ("KNEES", "ARMS")
    blame = joint_responsibility(np.array([0.9, 0.1]), codes, names, catalogue)
    assert blame[1] == pytest.approx(0.9) and blame[2] == pytest.approx(0.9)
    assert blame[3] == pytest.approx(0.1)
    assert blame[0] == 0.0


# ------------------------------------------------------------ fine-tuning
def test_one_epoch_fine_tune_registers_a_new_model_that_can_be_made_active(qtbot, library, registry, tiny_model_file):
    base_model = tiny_model_file
    before = digest(base_model)
    dialog = FinetuneDialog(registry, library_state(library), device="cpu")
    qtbot.addWidget(dialog)
    dialog.set_settings(epochs=1, learning_rate=1e-3, filters={"level": 1})
    created = []
    dialog.model_created.connect(created.append)
    dialog.start()
    assert dialog.is_running()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)

    assert dialog.last_error is None
    assert len(created) == 1 and created[0].path.is_file()
    assert created[0].path.parent == registry.folder and created[0].path.name.startswith("finetuned-")
    assert created[0].version == "v1"
    assert [entry.path for entry in registry.models()] == [base_model, created[0].path]
    assert registry.active() == created[0]
    assert len(dialog.history) == 1 and "Saved" in dialog._status_label.text()
    assert sorted(p.name for p in registry.folder.iterdir()) == [created[0].path.name]   # no temporary left
    assert digest(base_model) == before                                                  # default untouched

    from models.checkpoint import load_checkpoint
    saved = load_checkpoint(created[0].path)
    assert saved.metadata["finetune"]["epochs"] == 1
    assert saved.metadata["training"]["history"][0]["loss"] == pytest.approx(dialog.history[0]["loss"])
    registry.set_active(base_model)
    assert registry.active().is_default
    assert registry.set_active(created[0].path) == registry.active()


def test_cancelling_a_fine_tune_keeps_the_old_model_and_writes_nothing(qtbot, library, registry, tiny_model_file):
    base_model = tiny_model_file
    before = digest(base_model)
    dialog = FinetuneDialog(registry, library_state(library), device="cpu")
    qtbot.addWidget(dialog)
    dialog.set_settings(epochs=200, filters={"level": 1})
    dialog.start()
    qtbot.waitUntil(lambda: len(dialog.history) >= 1, timeout=WAIT_MS)
    dialog.cancel()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)

    assert len(dialog.history) < 200
    assert "Cancelled" in dialog._status_label.text()
    assert registry.active().is_default and registry.active().path == base_model
    assert [entry.path for entry in registry.models()] == [base_model]
    assert not registry.folder.exists() or list(registry.folder.iterdir()) == []
    assert digest(base_model) == before


def test_switching_the_active_model_changes_what_the_scorer_uses(qtbot, library, registry, settings):
    dialog = FinetuneDialog(registry, library_state(library), device="cpu")
    qtbot.addWidget(dialog)
    dialog.set_settings(epochs=1, learning_rate=0.02, filters={"level": 1})
    dialog._make_active.setChecked(False)
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)
    tuned = registry.models()[-1]
    assert registry.active().is_default

    state = library_state(library)
    controller = ScoringController(state, registry, settings)
    panel = ScoringPanel(state)
    qtbot.addWidget(panel)
    path, take_id = trainee_take(library)
    with qtbot.waitSignal(state.scoring_changed, timeout=WAIT_MS):
        session = open_take(state, path, take_id)
    first = state.scoring
    assert first.model_name == "default"

    with qtbot.waitSignal(state.scoring_changed, timeout=WAIT_MS, check_params_cb=lambda s: s is not None):
        registry.set_active(tuned.path)          # the panel's combo does the same
    second = state.scoring
    assert (second.model_name, second.model_version) == (tuned.name, "v1")
    assert second.predicted != pytest.approx(first.predicted, abs=1e-6)
    assert panel.score_text() == f"{second.predicted:.2f}"
    controller.close()
    state.set_session(None)
    session.close()
