"""A row of a wizard page: an editable path with suggestions, *Browse…*, and the button that uses it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QComboBox, QFileDialog, QHBoxLayout, QPushButton, QWidget


class PathRow(QHBoxLayout):
    """Choose a file or a folder, then act on it.

    Parameters
    ----------
    parent : QWidget
        The page (the file dialogs' parent).
    title : str
        The file dialog's title.
    action : str
        The label of the button that acts on the path; it calls ``act``, as does choosing a path with *Browse…*.
    act : callable
    file_filter : str, optional
        Browse for a file with this filter; without it, for a folder.
    """

    def __init__(self, parent: QWidget, title: str, action: str, act: Callable[[], None],
                 file_filter: str | None = None) -> None:
        super().__init__()
        self._parent, self._title, self._filter, self._act = parent, title, file_filter, act
        self.start: Path | None = None
        self.combo = QComboBox()
        self.combo.setEditable(True)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self.browse)
        self.button = QPushButton(action)
        self.button.clicked.connect(act)
        self.addWidget(self.combo, 1)
        self.addWidget(browse)
        self.addWidget(self.button)

    def path(self) -> Path:
        return Path(self.combo.currentText().strip())

    def suggest(self, paths: list[Path]) -> None:
        """Offer ``paths`` (the first one shown)."""
        self.combo.clear()
        self.combo.addItems([str(path) for path in paths])

    def browse(self) -> None:
        """Ask for a file or folder (starting in :attr:`start`); a chosen one is acted on at once."""
        start = str(self.start or Path.home())
        if self._filter is None:
            chosen = QFileDialog.getExistingDirectory(self._parent, self._title, start)
        else:
            chosen, _ = QFileDialog.getOpenFileName(self._parent, self._title, start, self._filter)
        if chosen:
            self.combo.setEditText(chosen)
            self._act()
