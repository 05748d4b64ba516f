"""A small sortable Qt table model over a reprojection error table (see ``take_bundle_ops.error_table``)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

#: Colour of error cells above the robust threshold: readable on dark and light backgrounds.
OVER_THRESHOLD_COLOUR = QColor("#ff8a3d")


@dataclass(frozen=True)
class Column:
    """How one DataFrame column is shown: header title, number format and header tooltip."""

    key: str
    title: str
    number_format: str
    tooltip: str


class ErrorTableModel(QAbstractTableModel):
    """Rows of an error table: the index name first, then the given columns.

    Numbers are shown formatted and given raw under ``Qt.UserRole``. Sorting
    reorders the rows (missing values last) and is kept when the table changes.

    Parameters
    ----------
    name_title : str
        Header of the first column (the DataFrame's index: view or joint names).
    columns : sequence of Column
        Columns to show when present in the table; absent ones are skipped.
    """

    def __init__(self, name_title: str, columns: tuple[Column, ...], parent=None) -> None:
        super().__init__(parent)
        self._name_title = name_title
        self._all_columns = columns
        self._columns: tuple[Column, ...] = ()
        self._table = pd.DataFrame()
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._threshold_px = np.inf

    # --------------------------------------------------------------- content
    def set_table(self, table: pd.DataFrame, threshold_px: float) -> None:
        """Show ``table`` (rows named by its index); error cells above ``threshold_px`` are highlighted."""
        self.beginResetModel()
        self._columns = tuple(column for column in self._all_columns if column.key in table.columns)
        self._table = table
        self._threshold_px = threshold_px
        if self._sort is not None:
            self._table = self._sorted(self._table, *self._sort)
        self.endResetModel()

    def set_column_tooltip(self, key: str, tooltip: str) -> None:
        """Change the header tooltip of column ``key``."""
        self._all_columns = tuple(replace(c, tooltip=tooltip) if c.key == key else c for c in self._all_columns)
        self._columns = tuple(replace(c, tooltip=tooltip) if c.key == key else c for c in self._columns)
        for section, column in enumerate(self._columns, start=1):
            if column.key == key:
                self.headerDataChanged.emit(Qt.Horizontal, section, section)

    def table(self) -> pd.DataFrame:
        """The rows as shown, in display order."""
        return self._table.copy()

    # --------------------------------------------------------------- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._table)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else 1 + len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if column == 0:
            return str(self._table.index[row]) if role in (Qt.DisplayRole, Qt.UserRole) else None
        spec = self._columns[column - 1]
        value = float(self._table[spec.key].iloc[row])
        if role == Qt.DisplayRole:
            return "–" if np.isnan(value) else format(value, spec.number_format)
        if role == Qt.UserRole:
            return value
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole and spec.key.endswith("_px") and value > self._threshold_px:
            return OVER_THRESHOLD_COLOUR
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.DisplayRole):
        if orientation != Qt.Horizontal:
            return None
        if section == 0:
            return self._name_title if role == Qt.DisplayRole else None
        spec = self._columns[section - 1]
        if role == Qt.DisplayRole:
            return spec.title
        if role == Qt.ToolTipRole:
            return spec.tooltip
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._table = self._sorted(self._table, column, order)
        self.layoutChanged.emit()

    def _sorted(self, table: pd.DataFrame, column: int, order: Qt.SortOrder) -> pd.DataFrame:
        ascending = order == Qt.AscendingOrder
        if table.empty or column > len(self._columns):
            return table
        if column == 0:
            return table.sort_index(ascending=ascending, kind="stable")
        return table.sort_values(self._columns[column - 1].key, ascending=ascending, na_position="last", kind="stable")

