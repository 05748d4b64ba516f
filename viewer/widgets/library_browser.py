"""Library browser: a tree of event -> level -> action -> take with score, exemplar mark and athlete."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QLineEdit,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from analysis.session.contract import EVENT_NAMES
from analysis.session.library import Library
from viewer.model.state import ViewerState

_FILE_ROLE = Qt.ItemDataRole.UserRole
_TAKE_ROLE = Qt.ItemDataRole.UserRole + 1
EXEMPLAR_MARK = "★"
_CURRENT = QColor(70, 110, 170)


class LibraryBrowser(QWidget):
    """Tree of the takes of ``state.library``; activating a take asks the application to open it.

    Signals
    -------
    take_activated(Path, str)
        The session file and take id the user chose (double-click or Enter).
    """

    take_activated = Signal(Path, str)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._video_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay)
        self._filter = QLineEdit(placeholderText="Filter: action, athlete, take…")
        self._filter.setClearButtonEnabled(True)
        self._filter.textChanged.connect(self._apply_filter)
        self._tree = QTreeWidget()
        self._tree.setColumnCount(4)
        self._tree.setHeaderLabels(["Event / level / action / take", "Athlete", "Score", "Exemplar"])
        self._tree.setUniformRowHeights(True)
        self._tree.setAlternatingRowColors(True)
        self._tree.itemActivated.connect(self._on_activated)
        self._tree.header().setStretchLastSection(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._filter)
        layout.addWidget(self._tree)
        state.take_changed.connect(lambda _take: self._mark_current())
        state.library_changed.connect(self._show_library)
        self._show_library(state.library)

    def _show_library(self, library: Library | None) -> None:
        """Show the takes of ``library``, grouped event -> level -> action (nothing without one)."""
        self._tree.clear()
        if library is None:
            return
        for event, by_event in library.index.groupby("event", sort=True):
            event_item = QTreeWidgetItem([f"{event} · {EVENT_NAMES.get(event, event)}"])
            self._tree.addTopLevelItem(event_item)
            for level, by_level in by_event.groupby("level", sort=True):
                level_item = QTreeWidgetItem([f"Level {level}"])
                event_item.addChild(level_item)
                for action, rows in by_level.groupby("action", sort=True):
                    action_item = QTreeWidgetItem([f"{action}  {rows['action_name'].iloc[0]}"])
                    action_item.setText(2, f"{rows['score'].mean():.2f}")
                    action_item.setToolTip(2, "mean score of the action's takes")
                    level_item.addChild(action_item)
                    for row in rows.sort_values(["is_exemplar", "athlete", "take"], ascending=[False, True, True]).itertuples():
                        action_item.addChild(self._take_item(library, row))
        self._tree.setColumnWidth(0, 230)
        for column in range(1, 4):
            self._tree.resizeColumnToContents(column)
        self._apply_filter(self._filter.text())
        self._mark_current()

    def _take_item(self, library: Library, row) -> QTreeWidgetItem:
        score = "—" if pd.isna(row.score) else f"{row.score:.2f}"
        item = QTreeWidgetItem([row.take, row.athlete, score, EXEMPLAR_MARK if row.is_exemplar else ""])
        if row.has_video:
            item.setIcon(0, self._video_icon)
        item.setData(0, _FILE_ROLE, str(library.path_of(row.file).resolve()))
        item.setData(0, _TAKE_ROLE, row.take)
        item.setToolTip(0, f"{row.file}: {row.n_frames} frames" + (", with video" if row.has_video else ", poses only"))
        item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        item.setTextAlignment(3, Qt.AlignmentFlag.AlignCenter)
        if row.is_exemplar:
            item.setToolTip(3, "penalty-free exemplar of this action")
        return item

    def take_items(self) -> list[QTreeWidgetItem]:
        """Every take row of the tree, in display order."""
        items = []
        stack = [self._tree.topLevelItem(i) for i in range(self._tree.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            if item.data(0, _TAKE_ROLE):
                items.append(item)
            stack[0:0] = [item.child(i) for i in range(item.childCount())]
        return items

    def activate(self, item: QTreeWidgetItem) -> None:
        """Open the take of ``item`` (what a double-click does)."""
        self._on_activated(item, 0)

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        take = item.data(0, _TAKE_ROLE)
        if take:
            self.take_activated.emit(Path(item.data(0, _FILE_ROLE)), take)

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for item in self.take_items():
            haystack = " ".join(item.text(c) for c in range(4)) + " " + item.parent().text(0)
            item.setHidden(bool(needle) and needle not in haystack.lower())
        for index in range(self._tree.topLevelItemCount()):
            self._hide_empty(self._tree.topLevelItem(index))

    def _hide_empty(self, item: QTreeWidgetItem) -> bool:
        if item.data(0, _TAKE_ROLE):
            return not item.isHidden()
        visible = [self._hide_empty(item.child(i)) for i in range(item.childCount())]
        item.setHidden(not any(visible))
        return any(visible)

    def _mark_current(self) -> None:
        session, take = self._state.session, self._state.take
        current = (str(session.path.resolve()), take.take_id) if session is not None and take is not None else None
        for item in self.take_items():
            is_current = (item.data(0, _FILE_ROLE), item.data(0, _TAKE_ROLE)) == current
            font = QFont(item.font(0))
            font.setBold(is_current)
            for column in range(4):
                item.setFont(column, font)
                item.setBackground(column, QBrush(_CURRENT) if is_current else QBrush())
            if is_current:
                self._tree.scrollToItem(item)
