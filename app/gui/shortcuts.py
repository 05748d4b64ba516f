"""Keyboard shortcuts: one table feeds both the key bindings and the Help dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model.state import ViewerState


@dataclass(frozen=True)
class Shortcut:
    """One key binding: the keys, what it does (for Help), and the state call."""

    keys: str
    description: str
    trigger: Callable[[ViewerState], None]


PLAYBACK_SHORTCUTS = (
    Shortcut("Space", "Play / pause", lambda s: s.toggle_playing()),
    Shortcut("Right", "Next frame", lambda s: s.step(1)),
    Shortcut("Left", "Previous frame", lambda s: s.step(-1)),
    Shortcut("Shift+Right", "Forward 10 frames", lambda s: s.step(10)),
    Shortcut("Shift+Left", "Back 10 frames", lambda s: s.step(-10)),
    Shortcut("]", "Faster", lambda s: s.change_speed(1)),
    Shortcut("[", "Slower", lambda s: s.change_speed(-1)),
    Shortcut("Home", "Jump to start (of the loop range when looping)", lambda s: s.seek_start()),
    Shortcut("End", "Jump to end (of the loop range when looping)", lambda s: s.seek_end()),
    Shortcut("L", "Loop the selected range on / off", lambda s: s.toggle_loop()),
)


def install_playback_shortcuts(window: QWidget, state: ViewerState) -> list[QAction]:
    """Bind :data:`PLAYBACK_SHORTCUTS` on ``window`` (active wherever focus is in the window)."""
    actions = []
    for shortcut in PLAYBACK_SHORTCUTS:
        action = QAction(shortcut.description, window)
        action.setShortcut(QKeySequence(shortcut.keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False, s=shortcut: s.trigger(state))
        window.addAction(action)
        actions.append(action)
    return actions


class ShortcutsDialog(QDialog):
    """Help → Keyboard shortcuts: every binding of the window in a table."""

    def __init__(self, extra: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(s.keys, s.description) for s in PLAYBACK_SHORTCUTS] + extra
        table = QTableWidget(len(rows), 2)
        table.setHorizontalHeaderLabels(["Key", "Action"])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, (keys, description) in enumerate(rows):
            native = QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
            table.setItem(row, 0, QTableWidgetItem(native or keys))   # a mouse gesture is no key sequence
            table.setItem(row, 1, QTableWidgetItem(description))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(460, 420)
        self.table = table
