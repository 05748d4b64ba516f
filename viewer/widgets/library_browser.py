"""Library browser: event -> level -> action -> take, each take named by athlete and number, with
its score and the exemplar mark; a filter box; the indexing progress and the files that could not be read."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, QTimer, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStyle,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from analysis.session.library import Library
from viewer.model.state import ViewerState
from viewer.widgets.library_model import (
    EXEMPLAR_COLUMN,
    EXEMPLAR_MARK,
    HEADERS,
    SCORE_COLUMN,
    LibraryTreeModel,
)
from viewer.widgets.progress_bar import show_progress

__all__ = ["EXEMPLAR_MARK", "LibraryBrowser"]

#: The filter applies once typing pauses this long, ms.
FILTER_AFTER_MS = 150
#: A filter that leaves at most this many takes opens every group; with more, only events and levels
#: (expanding thousands of rows makes the view lay each of them out).
EXPAND_ALL_TAKES = 300


class LibraryBrowser(QWidget):
    """The takes of ``state.library``; activating a take asks the application to open it.

    Signals
    -------
    take_activated(Path, str)
        The session file and take id the user chose (double-click or Enter).
    """

    take_activated = Signal(Path, str)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.model = LibraryTreeModel(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaPlay), self)
        self._filter = QLineEdit(placeholderText="Filter: action, athlete, take…")
        self._filter.setClearButtonEnabled(True)
        self._filter_timer = QTimer(self, singleShot=True, interval=FILTER_AFTER_MS,
                                    timeout=lambda: self._apply_filter(self._filter.text()))
        self._filter.textChanged.connect(lambda _text: self._filter_timer.start())
        self._tree = QTreeView()
        self._tree.setModel(self.model)
        self._tree.setUniformRowHeights(True)
        self._tree.setAlternatingRowColors(True)
        self._tree.activated.connect(self._on_activated)
        self._size_columns()
        self._progress = QProgressBar(visible=False)
        self._progress.setFormat("Indexing the library: %v / %m files")
        self._status = QLabel()
        self._status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._filter)
        layout.addWidget(self._progress)
        layout.addWidget(self._tree)
        layout.addWidget(self._status)
        self._expanded: set[tuple] = set()
        state.take_changed.connect(lambda _take: self._mark_current())
        state.library_changed.connect(self._show_library)
        state.library_progress_changed.connect(self._show_progress)
        self._show_library(state.library)

    # ------------------------------------------------------------------ API
    @property
    def tree(self) -> QTreeView:
        return self._tree

    @property
    def filter_box(self) -> QLineEdit:
        return self._filter

    def take_rows(self) -> list[tuple[str, str, str, Path, str]]:
        """The listed take rows in display order: label, score text, exemplar mark, file, take id."""
        rows = []
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            children = [self.model.index(row, 0, parent) for row in range(self.model.rowCount(parent))]
            for child in children:
                located = self.model.take_at(child)
                if located is not None:
                    rows.append((child.data(), child.siblingAtColumn(SCORE_COLUMN).data(),
                                 child.siblingAtColumn(EXEMPLAR_COLUMN).data(), *located))
            stack.extend(reversed([child for child in children if self.model.take_at(child) is None]))
        return rows

    def current_index(self) -> QModelIndex:
        """The row of the take shown (invalid when it is not listed)."""
        return self.model.take_index(*self._current()) if self._current() else QModelIndex()

    def activate(self, file: Path, take: str) -> None:
        """Open take ``take`` of session ``file`` as a double-click on its row does."""
        library = self.model.library
        index = self.model.take_index(library.file_of(file), take) if library is not None else QModelIndex()
        if index.isValid():
            self._on_activated(index)

    # ------------------------------------------------------------ reactions
    def _show_library(self, library: Library | None) -> None:
        self._remember_expanded()
        self.model.set_library(library)
        self._restore_expanded()
        self._mark_current()
        if library is None:
            self._status.setText("")
            return
        files = library.index["file"].nunique()
        text = f"{len(library.index)} takes in {files} session files"
        if library.problems:
            text += f"; {len(library.problems)} file(s) could not be read (hover for why)"
        self._status.setText(text)
        self._status.setToolTip("\n".join(library.problems))

    def _show_progress(self, progress: tuple[int, int]) -> None:
        done, total = progress
        show_progress(self._progress, done, max(total, 1))
        self._progress.setVisible(total > 0)

    def set_filter(self, text: str) -> None:
        """Filter the takes now (as typing ``text`` in the filter box does once typing pauses)."""
        self._filter.setText(text)
        self._filter_timer.stop()
        self._apply_filter(text)

    def _apply_filter(self, text: str) -> None:
        self._remember_expanded()
        self.model.set_filter(text)
        if not self.model.filter_text:
            self._restore_expanded()
        else:
            for key, index in self.model.group_indexes().items():
                if len(key) < 3 or self.model.visible_takes() <= EXPAND_ALL_TAKES:
                    self._tree.setExpanded(index, True)
        self._mark_current()

    def _on_activated(self, index: QModelIndex) -> None:
        located = self.model.take_at(index)
        if located is not None:
            self.take_activated.emit(*located)

    def _current(self) -> tuple[str, str] | None:
        session, take, library = self._state.session, self._state.take, self.model.library
        if session is None or take is None or library is None:
            return None
        file = library.file_of(session.path)
        return None if file is None else (file, take.take_id)

    def _mark_current(self) -> None:
        current = self._current()
        self.model.set_current(*(current or (None, None)))
        index = self.current_index()
        if index.isValid():
            self._tree.scrollTo(index)

    # ------------------------------------------------------------- layout
    def _size_columns(self) -> None:
        """The take column takes the room left; score and mark get what their widest content needs."""
        metrics = QFontMetrics(self._tree.font())
        margin = 3 * self._tree.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 12
        header = self._tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(metrics.horizontalAdvance(EXEMPLAR_MARK) + margin)
        for column, widest in ((SCORE_COLUMN, "10.00"), (EXEMPLAR_COLUMN, EXEMPLAR_MARK)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            width = max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance(HEADERS[column]))
            header.resizeSection(column, width + margin)

    def _remember_expanded(self) -> None:
        if self.model.library is not None and not self.model.filter_text:
            self._expanded = {key for key, index in self.model.group_indexes().items() if self._tree.isExpanded(index)}

    def _restore_expanded(self) -> None:
        for key, index in self.model.group_indexes().items():
            if key in self._expanded:
                self._tree.setExpanded(index, True)
