"""Wiring of the scoring panel and the Model menu (score, auto-score, fine-tune, active model)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import ScoringController
from viewer.widgets.scoring_panel import ScoringPanel


def connect_scoring_panel(panel: ScoringPanel, scoring: ScoringController, registry: ModelRegistry) -> None:
    """Panel requests go to the controller and the registry; their news comes back to the panel."""
    panel.score_requested.connect(scoring.score_current)
    panel.cancel_requested.connect(scoring.cancel)
    panel.auto_score_toggled.connect(scoring.set_auto_score)
    panel.model_chosen.connect(lambda path: registry.set_active(Path(path)))
    scoring.busy_changed.connect(panel.set_busy)
    scoring.progress.connect(panel.set_progress)
    scoring.failed.connect(lambda _title, message: panel.show_problem(message))
    scoring.auto_score_changed.connect(panel.set_auto_score)
    panel.set_auto_score(scoring.auto_score)

    def show_models(*_args) -> None:
        active = registry.active()
        where = "shipped with the app" if active.is_default else str(active.path.parent)
        panel.set_models([(str(e.path), e.label) for e in registry.models()], str(active.path),
                         f"{active.name} · {active.version} · {where}")

    registry.active_changed.connect(show_models)
    registry.models_changed.connect(show_models)
    show_models()


def build_model_menu(window: QMainWindow, scoring: ScoringController, registry: ModelRegistry,
                     fine_tune) -> QMenu:
    """Model menu: Score this take (S), Cancel scoring, Score takes when they open, Fine-tune…, Active model.

    ``fine_tune`` is called by Model > Fine-tune…. The menu goes before Help when there is one.
    """
    menu = QMenu("&Model", window)
    score = menu.addAction("&Score this take", scoring.score_current)
    score.setShortcut(QKeySequence("S"))
    menu.addAction("&Cancel scoring", scoring.cancel)
    auto = QAction("Score takes when they &open", window, checkable=True, checked=scoring.auto_score)
    auto.toggled.connect(scoring.set_auto_score)
    scoring.auto_score_changed.connect(auto.setChecked)
    menu.addAction(auto)
    menu.addSeparator()
    menu.addAction("&Fine-tune…", fine_tune)
    active_menu = menu.addMenu("&Active model")

    def fill_active_menu() -> None:
        active_menu.clear()
        group = QActionGroup(active_menu)
        current = registry.active()
        for entry in registry.models():
            action = active_menu.addAction(entry.label, lambda e=entry: registry.set_active(e.path))
            action.setCheckable(True)
            action.setChecked(entry == current)
            action.setToolTip(str(entry.path))
            group.addAction(action)

    active_menu.aboutToShow.connect(fill_active_menu)
    actions = window.menuBar().actions()
    help_action = next((a for a in actions if a.text().replace("&", "") == "Help"), None)
    if help_action is not None:
        window.menuBar().insertMenu(help_action, menu)
    else:
        window.menuBar().addMenu(menu)
    return menu
