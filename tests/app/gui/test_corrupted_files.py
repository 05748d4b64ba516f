"""Opening, dropping and selecting corrupted session files never takes the window down.

Each corrupted file either opens (and every take of it can be shown and
painted) or is refused with a dialog naming it while the session and take
that were open stay on screen.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from app.gui.main_window import MainWindow
from app.gui.settings import AppSettings
from tests.fuzz import h5edit
from tests.fuzz.corpus import build_corpus

#: Mutation kinds tried in the window (one file of each).
KINDS = ("huge_shape", "edge_values", "flip_bytes", "truncate", "bad_video_frames", "nonfinite", "huge_string",
         "retype_dataset", "external_link", "decompression_bomb", "video_path_escape", "reshape_dataset")


def _no_cameras(handle: h5py.File) -> None:
    handle["/cameras"].attrs["order"] = np.array([], dtype=h5py.string_dtype())


def _string_spans(handle: h5py.File) -> None:
    h5edit.replace_dataset(handle, "/takes/take2/penalties/start", data=np.array(["2", "x"], dtype=h5py.string_dtype()))


def _huge_sizes(handle: h5py.File) -> None:
    h5edit.resize_take(handle, "take2", 1 << 31)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings)
    window.resize(1200, 800)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.dialogs = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: window.dialogs.append((title, text)))
    return window


def _drop(window, path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    window.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                                Qt.KeyboardModifier.NoModifier))


def _corrupted_files(folder: Path) -> list[Path]:
    corpus = build_corpus(folder / "corpus", len(KINDS), seed=5, kinds=KINDS)
    files = [variant.path for variant in corpus.variants]
    for name, edit in (("no_cameras", _no_cameras), ("string_spans", _string_spans), ("huge_sizes", _huge_sizes)):
        path = folder / name / "session.h5"
        path.parent.mkdir()
        path.write_bytes(corpus.root.joinpath("bases", "base0.h5").read_bytes())
        with h5py.File(path, "r+") as handle:
            edit(handle)
        files.append(path)
    return files


def _shows(window, path: Path, take_id: str) -> bool:
    return window.state.session.path == path and window.state.take.take_id == take_id


def test_corrupted_files_are_refused_or_shown_and_the_window_survives(window, qtbot, session_file, tmp_path):
    files = _corrupted_files(tmp_path)
    refused = opened = 0
    for number, path in enumerate(files):
        assert window.open_file(session_file, "take2")
        window.state.seek(3)
        dialogs_before = len(window.dialogs)
        if number % 2:
            _drop(window, path)
        else:
            window.open_file(path)
        if window.state.session.path == path:
            opened += 1
            for take_id in window.state.session.take_ids:
                window.controller.open_take(take_id)
                window.grab()
        else:
            refused += 1
            title, text = window.dialogs[dialogs_before]
            assert title == "Cannot open session" and str(path) in text and "\n" not in text
            assert _shows(window, session_file, "take2") and window.state.frame == 3
            window.grab()
    assert refused >= len(KINDS) and opened >= 3
    names = {path.parent.name for path in files if any(str(path) in text for _, text in window.dialogs)}
    assert {"no_cameras", "string_spans", "huge_sizes"} <= names
