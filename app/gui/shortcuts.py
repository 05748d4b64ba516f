"""Keyboard shortcuts: one table feeds both the key bindings and the Help dialog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QTextEdit,
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


#: Widgets that use plain keys themselves (arrows, Home, End, Space, letters): while one has the focus,
#: those keys go to it, not to the window's shortcuts.
KEY_USING_WIDGETS = (QAbstractItemView, QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)
_NAVIGATION_KEYS = frozenset({Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home,
                              Qt.Key.Key_End, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Space})
_COMMAND_MODIFIERS = (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                      | Qt.KeyboardModifier.MetaModifier)


class FocusedWidgetKeys(QObject):
    """Gives the keys a focused tree, table, list, text field, spin box or combo box uses to it.

    Qt asks the focused widget first (a ``ShortcutOverride`` event) whether it wants a key that
    is also a shortcut; this filter answers yes for such widgets inside ``window``, for the
    navigation keys and the printable characters typed without Ctrl, Alt or Meta. Anywhere else
    in the window (the video grid, the 3D view, the curves) the keys stay the window's shortcuts.
    The filter watches only the focused widget, when it is one of those (an application-wide
    filter would run Python for every event of every widget, paints and timers included).
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._watched: QWidget | None = None
        application = QApplication.instance()
        application.focusChanged.connect(self._on_focus_changed)
        self._on_focus_changed(None, application.focusWidget())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and _widget_key(event):
            event.accept()
            return True
        return False

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._watched is not None and shiboken6.isValid(self._watched):
            self._watched.removeEventFilter(self)
        self._watched = None
        if isinstance(new, KEY_USING_WIDGETS) and self._window.isAncestorOf(new):
            new.installEventFilter(self)
            self._watched = new


def _widget_key(event: QKeyEvent) -> bool:
    """Whether a key is one a focused key-using widget handles itself."""
    if event.modifiers() & _COMMAND_MODIFIERS:
        return False
    return event.key() in _NAVIGATION_KEYS or (bool(event.text()) and event.text().isprintable())


def install_playback_shortcuts(window: QWidget, state: ViewerState) -> list[QAction]:
    """Bind :data:`PLAYBACK_SHORTCUTS` on ``window``: active wherever the focus is in the window, except that
    a focused tree, table, text field, spin box or combo box keeps the keys it uses (:class:`FocusedWidgetKeys`)."""
    FocusedWidgetKeys(window)
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
