"""A small editor for a marker's note or a text drawing: it opens without blocking, OK keeps, Cancel drops."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class NoteEditor(QDialog):
    """Asks for a few words; :meth:`ask` opens it and calls back only when the user accepts.

    Ctrl+Enter accepts, Esc cancels.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(True)
        self._done: Callable[[str], None] | None = None
        self.prompt = QLabel()
        self.editor = QPlainTextEdit()
        self.editor.setTabChangesFocus(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.editor)
        layout.addWidget(buttons)
        self.resize(380, 180)

    def ask(self, title: str, text: str, done: Callable[[str], None], prompt: str = "") -> None:
        """Show the editor titled ``title`` holding ``text``; ``done(new text)`` if the user accepts."""
        self.setWindowTitle(title)
        self.prompt.setText(prompt or "Ctrl+Enter to keep it, Esc to drop it")
        self.editor.setPlainText(text)
        self.editor.selectAll()
        self._done = done
        self.open()
        self.editor.setFocus()

    def text(self) -> str:
        return self.editor.toPlainText()

    def accept(self) -> None:
        done, self._done = self._done, None
        super().accept()
        if done is not None:
            done(self.text())

    def reject(self) -> None:
        self._done = None
        super().reject()
