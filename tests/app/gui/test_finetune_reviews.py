"""Fine-tuning on reviewed takes: a coach's penalty review stands for the file's labels of that take."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6.QtCore import QSettings

from analysis.annotations.document import (
    AnnotationsDocument,
    annotations_path,
    write_annotations,
)
from analysis.annotations.items import ReviewedPenalty
from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.session.library import Library
from app.cli.training_data import load_library_data
from app.gui.finetune_dialog import FinetuneDialog
from app.gui.model_registry import ModelRegistry
from app.gui.settings import AppSettings
from tests.helpers import TINY_TRAINING
from viewer.model.state import ViewerState

WAIT_MS = 120_000
CODES = tuple(load_penalty_catalogue())


@pytest.fixture
def reviewed_library(tiny_library, tmp_path):
    """A copy of the tiny library where a coach reviewed one trainee take: bent knees (−0.5) kept, the rest rejected."""
    folder = shutil.copytree(tiny_library, tmp_path / "library")
    index = Library.scan(folder).index
    row = index[~index["is_exemplar"]].sort_values(["file", "take"]).iloc[0]
    items = (ReviewedPenalty(row["take"], "KNEES", 10, 30, 0.5, "edited", 0.7),
             ReviewedPenalty(row["take"], "HEAD", 5, 9, 0.3, "rejected", 0.6))
    write_annotations(annotations_path(folder / row["file"]), AnnotationsDocument(items), row["file"])
    return folder, row["file"], row["take"]


def _load(folder, **options):
    return load_library_data(folder, TINY_TRAINING.modality, TINY_TRAINING.n_steps, CODES,
                             angles=TINY_TRAINING.angles, **options)


def test_a_reviewed_take_trains_on_its_review(reviewed_library):
    folder, file, take = reviewed_library
    data = _load(folder)
    at = data.index.index[(data.index["file"] == file) & (data.index["take"] == take)][0]
    assert data.index.loc[at, "reviewed"] and data.index["reviewed"].sum() == 1
    assert data.index.loc[at, "score"] == pytest.approx(9.5) and data.index.loc[at, "clean_score"] == pytest.approx(9.5)
    assert [CODES[h] for h in np.flatnonzero(data.labels[at])] == ["KNEES"]
    assert data.spans[at] == {"KNEES": (10, 30)}
    plain = _load(folder, use_reviews=False)
    assert not plain.index["reviewed"].any()
    assert plain.index.loc[at, "score"] != pytest.approx(9.5)
    others = data.index.index != at
    assert np.allclose(data.index.loc[others, "score"], plain.index.loc[others, "score"])


def test_fine_tuning_on_reviewed_takes_only_from_the_dialog(qtbot, reviewed_library, tmp_path, tiny_model_file):
    folder, file, take = reviewed_library
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    registry = ModelRegistry(settings, folder=tmp_path / "models", default_path=tiny_model_file)
    state = ViewerState()
    state.set_library(Library.scan(folder))
    dialog = FinetuneDialog(registry, state, device="cpu")
    qtbot.addWidget(dialog)
    dialog.set_settings(epochs=1, current_session=False, reviewed_only=True)
    assert dialog.request().reviewed_only
    assert "1 scored take(s) from 1 session(s), 1 reviewed by a coach" in dialog._count_label.text()
    dialog.start()
    qtbot.waitUntil(lambda: not dialog.is_running(), timeout=WAIT_MS)
    assert dialog.last_error is None

    from models.checkpoint import load_checkpoint
    metadata = load_checkpoint(registry.active().path).metadata["finetune"]
    assert (metadata["n_chosen_takes"], metadata["n_reviewed_takes"], metadata["reviewed_only"]) == (1, 1, True)


def test_an_unreadable_annotations_file_is_named_before_training(reviewed_library, qtbot, tmp_path, tiny_model_file):
    folder, file, _take = reviewed_library
    annotations_path(folder / file).write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ValueError, match=r"annotations\.json: not valid JSON.*move it aside"):
        _load(folder)
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    state = ViewerState()
    state.set_library(Library.scan(folder))
    with pytest.raises(ValueError, match="annotations.json"):
        FinetuneDialog(ModelRegistry(settings, folder=tmp_path / "models", default_path=tiny_model_file), state)
