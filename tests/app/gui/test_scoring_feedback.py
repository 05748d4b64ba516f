"""What the user sees of scoring in the window at 1920 x 1080: every penalty row, readable progress,
a status line when S is pressed, a plain message when the library has no exemplar of the action, and
the penalty heatmap named and in sight above the curves."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QComboBox, QLabel, QProgressBar, QScrollArea

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.motion.kinematics import CURVE_GROUPS
from analysis.session.library import Library
from app.gui.main_window import MainWindow
from app.gui.model_registry import ModelRegistry
from app.gui.settings import AppSettings
from viewer.widgets.penalty_heatmap import HEATMAP_ITEMS

WAIT_MS = 60_000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, tiny_model_file):
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_data_path", lambda *args, **kwargs: tmp_path / "user_data")
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    registry = ModelRegistry(settings, folder=tmp_path / "models", default_path=tiny_model_file)
    window = MainWindow(settings=settings, show_errors=False, models=registry)
    window.resize(1920, 1080)                           # the default layout, on a full HD screen
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def trainee(library_folder):
    index = Library.scan(library_folder).index
    row = index[~index["is_exemplar"]].sort_values(["file", "take"]).iloc[0]
    return library_folder / row["file"], row["take"]


def labelled(panel, text: str) -> QLabel:
    """The label of ``panel`` showing ``text``."""
    return next(label for label in panel.findChildren(QLabel) if label.text() == text)


def fully_shown(widget) -> bool:
    """Whether the whole widget is on screen: not scrolled away or clipped by its parents."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_every_penalty_row_and_the_progress_text_show_at_1920_by_1080(window, qtbot, tiny_library):
    assert window.open_file(*trainee(tiny_library))
    qtbot.waitUntil(lambda: window.state.scoring is not None, timeout=WAIT_MS)
    qtbot.wait(50)
    panel = window.scoring_panel
    bars = [bar for bar in panel.findChildren(QProgressBar) if bar.isTextVisible()]   # one per penalty item
    assert len(bars) == len(panel.penalty_bars()) == len(window.state.scoring.penalty_codes) > 10
    for bar in bars:
        assert fully_shown(bar), bar.toolTip()
    assert fully_shown(panel.findChild(QComboBox))                    # the active model, at the bottom

    panel.set_busy(True)
    panel.set_progress(1, 5, "Reading exemplar WFE-1-01-r1 (1/4) …")
    qtbot.wait(50)
    assert panel.progress_text() == "Reading exemplar WFE-1-01-r1 (1/4) …"
    label = labelled(panel, panel.progress_text())
    bar = next(bar for bar in panel.findChildren(QProgressBar) if not bar.isTextVisible())
    assert fully_shown(label) and fully_shown(bar) and fully_shown(bars[-1])
    assert not label.geometry().intersects(bar.geometry())            # the bar does not cover its text
    assert label.height() >= label.heightForWidth(label.width())       # room for every line of it
    panel.set_busy(False)


def test_pressing_s_says_in_the_status_bar_that_scoring_ran_and_the_panel_shows_it_busy(window, qtbot, tiny_library):
    path, take = trainee(tiny_library)
    assert window.open_file(path, take)
    qtbot.waitUntil(lambda: window.state.scoring is not None and not window.scoring.busy, timeout=WAIT_MS)
    with qtbot.waitActive(window):
        window.activateWindow()
    window.video_grid.setFocus()
    qtbot.keyClick(window.video_grid, Qt.Key.Key_S)
    assert window.scoring_panel.is_busy() and labelled(window.scoring_panel, "scoring …").isVisible()
    assert window.statusBar().currentMessage().startswith(f"Scoring take {take}")
    qtbot.waitUntil(lambda: not window.scoring.busy and window.state.scoring is not None, timeout=WAIT_MS)
    scoring = window.state.scoring
    message = window.statusBar().currentMessage()
    assert message.startswith(f"Scored take {take}: {scoring.predicted:.2f} against {len(scoring.exemplars)} exemplar")
    assert not window.scoring_panel.is_busy()


def test_a_take_without_an_exemplar_in_the_library_says_so_and_what_to_do(window, qtbot, tiny_library, tmp_path):
    index = Library.scan(tiny_library).index
    trainee_files = index.groupby("file")["is_exemplar"].any()
    folder = tmp_path / "no_exemplars"
    folder.mkdir()
    for file in trainee_files[~trainee_files].index:
        shutil.copy(tiny_library / file, folder / file)
    path, take = trainee(folder)
    assert window.open_file(path, take)
    window.docks["compare"].raise_()
    action_name = window.state.take.info.action_name
    expected = f"No exemplar of {action_name} in the library no_exemplars. Open a library folder that has an exemplar"
    qtbot.waitUntil(lambda: window.scoring_panel.problem_text().startswith(expected), timeout=WAIT_MS)
    assert "Not scored yet" not in window.scoring_panel.exemplars_text()
    assert window.compare.tiles.message().startswith(expected)
    assert window.compare.tiles.isVisible()
    assert fully_shown(labelled(window.scoring_panel, window.scoring_panel.problem_text()))


def test_the_penalty_heatmap_names_its_items_readably_and_stays_above_the_scrolled_curves(window, qtbot,
                                                                                          tiny_library):
    assert window.open_file(*trainee(tiny_library))
    qtbot.waitUntil(lambda: window.state.scoring is not None, timeout=WAIT_MS)
    curves = window.curves
    curves.set_visible_groups([group.name for group in CURVE_GROUPS])   # more curves than fit: they scroll
    heatmap = curves.penalty_heatmap
    qtbot.wait(50)
    catalogue = load_penalty_catalogue()
    names = [catalogue[code].name for code, _, _ in window.state.scoring.ranked_penalties()[:HEATMAP_ITEMS]]
    assert heatmap.row_names() == names
    axis = curves.heatmap_plot.getAxis("left")
    assert [label for _, label in axis._tickLevels[0]][::-1] == names
    font = axis.style["tickFont"]
    assert font.pointSizeF() >= 9
    widest = max(QFontMetrics(font).horizontalAdvance(name) for name in names)
    qtbot.waitUntil(lambda: axis.width() >= widest, timeout=WAIT_MS)   # not cut, once laid out

    scroll = curves.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    qtbot.wait(50)
    assert fully_shown(heatmap.viewport())                              # pinned: in sight whatever the scroll
    heat_box, curve_box = (plot.vb.sceneBoundingRect() for plot in (curves.heatmap_plot, curves.plot_items()[0]))
    heat_left = heatmap.mapToGlobal(heatmap.mapFromScene(heat_box.topLeft())).x()
    curve_left = curves.graphics.mapToGlobal(curves.graphics.mapFromScene(curve_box.topLeft())).x()
    assert abs(heat_left - curve_left) <= 1 and abs(heat_box.width() - curve_box.width()) <= 1   # one time axis
    assert curves.heatmap_plot.viewRange()[0] == pytest.approx(curves.plot_items()[0].viewRange()[0])
