"""The library browser's item model: event -> level -> action -> take, read from the library index.

Only the groups are objects; a take row is a position in column arrays taken
from the index, and its cells are made when the view asks for them (the rows
on screen), so a library of 10,000 takes builds in milliseconds and scrolls
without making items. The rows, their labels and their searched text come from
:func:`viewer.model.library_listing.library_listing` (computed once per library,
usually by the scan's worker). Filtering selects rows with one vectorised string
search and rebuilds the groups.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from analysis.session.contract import EVENT_NAMES
from analysis.session.library import Library
from viewer.model.library_listing import library_listing

EXEMPLAR_MARK = "★"
HEADERS = ("Event / level / action / take", "Score", EXEMPLAR_MARK)
SCORE_COLUMN, EXEMPLAR_COLUMN = 1, 2
CURRENT_BACKGROUND = QColor(70, 110, 170)
AnyIndex = QModelIndex | QPersistentModelIndex
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(eq=False)
class _Group:
    """An event, level or action row; an action's takes are rows ``start:stop`` of the model's arrays."""

    label: str
    parent: _Group | None
    row: int
    key: tuple = ()
    id: int = 0
    score: float = math.nan
    children: list[_Group] = field(default_factory=list)
    start: int = 0
    stop: int = 0

    @property
    def n_rows(self) -> int:
        return len(self.children) if self.children else self.stop - self.start


class LibraryTreeModel(QAbstractItemModel):
    """Tree of the takes of a library, filtered by text, with the current take in bold.

    An index's internal id says what it is: ``1..G`` the groups, above that a take row.
    """

    def __init__(self, video_icon: QIcon | None = None, parent=None) -> None:
        super().__init__(parent)
        self._video_icon = video_icon
        self._library: Library | None = None
        self._table = pd.DataFrame()
        self._haystack = np.zeros(0, dtype=object)
        self._root = _Group("", None, 0)
        self._groups: list[_Group] = []
        self._columns: dict[str, np.ndarray] = {}
        self._parents = np.zeros(0, np.int64)
        self._parent_ids: list[int] = []
        self._needle = ""
        self._current: tuple[str, str] | None = None
        self._current_font = QFont()
        self._current_font.setBold(True)

    # ---------------------------------------------------------------- content
    @property
    def library(self) -> Library | None:
        return self._library

    def set_library(self, library: Library | None) -> None:
        """List ``library``'s takes (none for None), keeping the filter."""
        self._library = library
        if library is None:
            self._table, self._haystack = pd.DataFrame(), np.zeros(0, dtype=object)
        else:
            listing = library_listing(library)
            self._table, self._haystack = listing.table, listing.haystack
        self._rebuild()

    def set_filter(self, text: str) -> None:
        """Show only the takes whose event, level, action, athlete, take or file contains ``text`` (any case)."""
        needle = text.strip().lower()
        if needle != self._needle:
            self._needle = needle
            self._rebuild()

    def set_current(self, file: str | None, take: str | None) -> None:
        """Mark take ``take`` of library file ``file`` as the one shown (None: no take)."""
        current = None if file is None or take is None else (file, take)
        if current == self._current:
            return
        previous, self._current = self._current, current
        for marked in (previous, current):
            index = self.take_index(*marked) if marked is not None else QModelIndex()
            if index.isValid():
                self.dataChanged.emit(index, index.siblingAtColumn(len(HEADERS) - 1))

    def take_index(self, file: str, take: str) -> QModelIndex:
        """The index of a take row (column 0), invalid when it is not listed."""
        if not len(self._parents):
            return QModelIndex()
        hits = np.flatnonzero((self._columns["file"] == file) & (self._columns["take"] == take))
        return self._take_model_index(int(hits[0]), 0) if hits.size else QModelIndex()

    def take_at(self, index: AnyIndex) -> tuple[Path, str] | None:
        """The session file and take id of a take row, None for a group row."""
        position = self._take_position(index)
        if position is None or self._library is None:
            return None
        return self._library.path_of(self._columns["file"][position]), str(self._columns["take"][position])

    def visible_takes(self) -> int:
        """How many takes pass the filter."""
        return len(self._parents)

    @property
    def filter_text(self) -> str:
        """The filter in effect (lower case; '' for none)."""
        return self._needle

    def group_indexes(self) -> dict[tuple, QModelIndex]:
        """Each listed group row by its key: ``(event,)``, ``(event, level)``, ``(event, level, action)``."""
        return {group.key: self.createIndex(group.row, 0, group.id) for group in self._groups}

    def _rebuild(self) -> None:
        self.beginResetModel()
        table = self._table
        if not table.empty and self._needle:
            table = table[np.fromiter((self._needle in text for text in self._haystack), bool, len(self._haystack))]
        self._root = _Group("", None, 0)
        self._groups = []
        self._columns = {name: table[name].to_numpy() for name in
                         ("file", "take", "label", "score", "is_exemplar", "has_video", "n_frames", "athlete")} \
            if not table.empty else {}
        self._parents = np.zeros(len(table), np.int64)
        if not table.empty:
            self._group(table)
        self._parent_ids = self._parents.tolist()   # plain ints: read for every row the view asks about
        self.endResetModel()

    def _group(self, table: pd.DataFrame) -> None:
        """Event, level and action groups over runs of equal (event, level, action) in the sorted rows."""
        keys = [table[name].to_numpy() for name in ("event", "level", "action")]
        changes = np.flatnonzero(np.any([key[1:] != key[:-1] for key in keys], axis=0)) + 1
        starts = np.concatenate([[0], changes])
        stops = np.concatenate([changes, [len(table)]])
        names, scores = table["action_name"].to_numpy(), table["action_score"].to_numpy()
        for start, stop in zip(starts.tolist(), stops.tolist()):
            event, level, action = (key[start] for key in keys)
            event_group = self._child(self._root, (event,), f"{event} · {EVENT_NAMES.get(event, event)}")
            level_group = self._child(event_group, (event, level), f"Level {level}")
            action_group = self._child(level_group, (event, level, action), f"{action}  {names[start]}",
                                       float(scores[start]))
            action_group.start, action_group.stop = start, stop
            self._parents[start:stop] = len(self._groups)

    def _child(self, parent: _Group, key: tuple, label: str, score: float = math.nan) -> _Group:
        if parent.children and parent.children[-1].key == key:
            return parent.children[-1]
        group = _Group(label, parent, len(parent.children), key, score)
        parent.children.append(group)
        self._groups.append(group)
        group.id = len(self._groups)
        return group

    # --------------------------------------------------------- Qt's model API
    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        group = self._group_of(parent)
        if group is None or not (0 <= row < group.n_rows and 0 <= column < len(HEADERS)):
            return QModelIndex()
        if group.children:
            return self.createIndex(row, column, group.children[row].id)
        return self._take_model_index(group.start + row, column)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        position = self._take_position(index)
        group = self._groups[self._parent_ids[position] - 1] if position is not None else \
            self._groups[index.internalId() - 1].parent
        if group is None or group is self._root:
            return QModelIndex()
        return self.createIndex(group.row, 0, group.id)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        group = self._group_of(parent)
        return 0 if group is None else group.n_rows

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        position = self._take_position(index)
        if position is None:
            return self._group_data(self._groups[index.internalId() - 1], index.column(), role)
        return self._take_data(position, index.column(), role)

    def _group_data(self, group: _Group, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return group.label
            if column == SCORE_COLUMN and not math.isnan(group.score):
                return f"{group.score:.2f}"
        elif role == Qt.ItemDataRole.ToolTipRole and column == SCORE_COLUMN and not math.isnan(group.score):
            return "mean score of the action's takes"
        elif role == Qt.ItemDataRole.TextAlignmentRole and column == SCORE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _take_data(self, position: int, column: int, role: int):
        columns = self._columns
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return columns["label"][position]
            if column == SCORE_COLUMN:
                score = columns["score"][position]
                return "—" if math.isnan(score) else f"{score:.2f}"
            return EXEMPLAR_MARK if columns["is_exemplar"][position] else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._take_tooltip(position, column)
        if role == Qt.ItemDataRole.DecorationRole and column == 0 and columns["has_video"][position]:
            return self._video_icon
        if role == Qt.ItemDataRole.TextAlignmentRole and column > 0:
            alignment = Qt.AlignmentFlag.AlignRight if column == SCORE_COLUMN else Qt.AlignmentFlag.AlignHCenter
            return int(alignment | Qt.AlignmentFlag.AlignVCenter)
        if self._current is not None and (columns["file"][position], columns["take"][position]) == self._current:
            if role == Qt.ItemDataRole.FontRole:
                return self._current_font
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(CURRENT_BACKGROUND)
        return None

    def _take_tooltip(self, position: int, column: int) -> str:
        columns = self._columns
        if column == EXEMPLAR_COLUMN and columns["is_exemplar"][position]:
            return "penalty-free exemplar of this action"
        video = "with video" if columns["has_video"][position] else "poses only"
        return (f"{columns['file'][position]}, take {columns['take'][position]} (athlete "
                f"{columns['athlete'][position]}): {columns['n_frames'][position]} frames, {video}")

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:
        """Every group has rows; a take has none (asked for every row the view lays out)."""
        return not parent.isValid() or (parent.column() == 0 and parent.internalId() <= len(self._groups))

    # ------------------------------------------------------------- internals
    def _group_of(self, index: AnyIndex) -> _Group | None:
        if not index.isValid():
            return self._root
        return None if self._take_position(index) is not None else self._groups[index.internalId() - 1]

    def _take_position(self, index: AnyIndex) -> int | None:
        identity = index.internalId() if index.isValid() else 0
        return identity - len(self._groups) - 1 if identity > len(self._groups) else None

    def _take_model_index(self, position: int, column: int) -> QModelIndex:
        group = self._groups[self._parent_ids[position] - 1]
        return self.createIndex(position - group.start, column, len(self._groups) + 1 + position)
