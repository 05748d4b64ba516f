"""Shared fixtures: small sessions built in temporary folders, a tiny training library and one
tiny scoring model trained on it (seconds), shared by every test that needs a trained model."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.session.writer import write_session
from tests.helpers import TINY_TRAINING, make_session_data


@pytest.fixture(scope="session", autouse=True)
def user_cache_folder(tmp_path_factory):
    """The user cache folder (exemplar embeddings, indexes of read-only libraries) of every test: a temporary one."""
    patch = pytest.MonkeyPatch()
    folder = tmp_path_factory.mktemp("user-cache")
    patch.setenv("XDG_CACHE_HOME", str(folder))
    yield folder
    patch.undo()


@pytest.fixture
def session_file(tmp_path: Path) -> Path:
    """Path of a freshly written small session file."""
    return write_session(tmp_path / "session.h5", make_session_data())


@pytest.fixture
def state(session_file):
    """A viewer state showing take2 of :func:`session_file` (the session is closed afterwards)."""
    from analysis.session.reader import Session
    from viewer.model.state import ViewerState
    from viewer.model.take_bundle import load_take_bundle

    session = Session.open(session_file)
    state = ViewerState()
    state.set_session(session)
    state.set_take(load_take_bundle(session, "take2"))
    yield state
    session.close()


@pytest.fixture
def window(qtbot, tmp_path):
    """The workstation's main window, shown at 1500 x 950, its settings in a temporary file; errors are
    recorded in ``last_error`` rather than shown in dialogs."""
    from PySide6.QtCore import QSettings

    from app.gui.main_window import MainWindow
    from app.gui.settings import AppSettings

    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings, show_errors=False)
    window.resize(1500, 950)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def tiny_model_window(qtbot, tmp_path, tiny_model_file):
    """:func:`window` scoring with the tiny model (as the shipped one), without scoring takes as they open."""
    from PySide6.QtCore import QSettings

    from app.gui.main_window import MainWindow
    from app.gui.model_registry import ModelRegistry
    from app.gui.scoring_controller import AUTO_SCORE_KEY
    from app.gui.settings import AppSettings

    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.set_value(AUTO_SCORE_KEY, False)
    models = ModelRegistry(settings, folder=tmp_path / "models", default_path=tiny_model_file)
    window = MainWindow(settings=settings, show_errors=False, models=models)
    window.resize(1500, 950)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture(scope="session")
def synthetic_session_file(tmp_path_factory) -> Path:
    """A real synthetic session (women's floor, level 1): 3 takes, the first 2 with 640x360 video."""
    from analysis.synthetic.library_builder import build_session, plan_library

    job = next(j for j in plan_library(seed=1, n_athletes=2, repetitions=1, video_takes=2, levels=(1,))
               if j.is_showcase)
    return write_session(tmp_path_factory.mktemp("synthetic") / job.file_name, build_session(job))


@pytest.fixture(scope="session")
def tiny_library(tmp_path_factory) -> Path:
    """A small poses-only library for training scorers: 4 athletes, level 1, one take per action."""
    from analysis.synthetic.library_builder import generate_library

    folder = tmp_path_factory.mktemp("tiny_library")
    generate_library(folder, seed=3, n_athletes=4, video_takes=0, repetitions=1, levels=(1,), workers=1)
    return folder


@pytest.fixture(scope="session")
def tiny_data(tiny_library):
    """The scored takes of :func:`tiny_library`, read for :data:`tests.helpers.TINY_TRAINING`."""
    from analysis.catalogue.penalties import load_penalty_catalogue
    from app.cli.training_data import load_library_data

    return load_library_data(tiny_library, TINY_TRAINING.modality, TINY_TRAINING.n_steps,
                             tuple(load_penalty_catalogue()), angles=TINY_TRAINING.angles)


@pytest.fixture(scope="session")
def tiny_model(tiny_data):
    """A tiny scoring model trained on :func:`tiny_library` in seconds (seed 0, CPU)."""
    from models.train import train

    return train(tiny_data, TINY_TRAINING, seed=0, device="cpu", log=lambda _line: None)


@pytest.fixture(scope="session")
def tiny_model_file(tiny_model, tmp_path_factory) -> Path:
    """:func:`tiny_model` saved as a checkpoint (the stand-in for the shipped default model)."""
    from models.checkpoint import save_checkpoint

    return save_checkpoint(tmp_path_factory.mktemp("tiny_model") / "default_model.pt", tiny_model)
