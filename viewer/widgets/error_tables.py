"""Reprojection error tables: which columns they show, a sortable Qt model and its table view.

The tables come from :mod:`analysis.geometry.report` (``per_view_table``,
``per_joint_table``), the same as the command line's figures.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
)

#: Colour of error cells above the robust threshold: readable on dark and light backgrounds.
OVER_THRESHOLD_COLOUR = QColor("#ff8a3d")


@dataclass(frozen=True)
class Column:
    """How one DataFrame column is shown: header title, number format and header tooltip."""

    key: str
    title: str
    number_format: str
    tooltip: str


def excluded_tooltip(threshold_px: float) -> str:
    """Header tooltip of the ``excluded_pct`` column at a robust threshold, pixels."""
    return (f"Share of the valid observations farther than {threshold_px:g} px (the robust threshold) from their "
            f"3D point: the outliers robust triangulation at that threshold leaves out. 100 % for a view left out.")


#: The columns of the inspector's tables, in order; a table shows those it has.
ERROR_COLUMNS = (
    Column("kept_px", "kept px", ".2f", "Mean reprojection error of the kept observations (within the robust "
                                         "threshold of their 3D point: the ones the 3D rests on), pixels"),
    Column("all_px", "all px", ".2f", f"Mean reprojection error of all valid observations (confidence at least "
                                       f"{DEFAULT_MIN_CONFIDENCE:g}, 3D point present), outliers included, pixels. "
                                       f"For a view left out: its detections against the 3D built without it"),
    Column("median_px", "median", ".1f", "Median reprojection error of all valid observations, pixels"),
    Column("max_px", "max", ".1f", "Largest reprojection error of a valid observation, pixels"),
    Column("excluded_pct", "excl. %", ".1f", excluded_tooltip(DEFAULT_THRESHOLD_PX)),
    Column("triangulated_pct", "3D %", ".0f", "Share of frames where the joint has a 3D point; where fewer than "
                                               "two views agree it is left empty"),
    Column("mpjpe_mm", "MPJPE mm", ".1f", "Mean distance of the 3D joint to the reference 3D, millimetres"),
)
#: Tables open sorted by this column, worst first.
SORT_COLUMN = "all_px"


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



def error_table_view(model: ErrorTableModel) -> QTableView:
    """A read-only, row-selecting table of ``model``, sorted by :data:`SORT_COLUMN`, worst first."""
    table = QTableView()
    table.setModel(model)
    table.setSortingEnabled(True)
    table.sortByColumn(1 + [column.key for column in ERROR_COLUMNS].index(SORT_COLUMN), Qt.SortOrder.DescendingOrder)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.verticalHeader().setDefaultSectionSize(22)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.setAlternatingRowColors(True)
    return table
