"""The Compare panel: the trainee's take beside its exemplar, at DTW-matched frames.

Everything is keyed by the trainee's frame (``state.frame``): the exemplar tile
shows ``exemplar.alignment.exemplar_frame_for[state.frame]``, so playing or
seeking steps both takes through matching phases. Below the tiles, the
per-phase deviation summary lists the body parts that differ most from the
exemplar, by joint angle first (:mod:`analysis.motion.deviations`), and where;
clicking a row seeks to that part's worst frame in the phase.
"""

from __future__ import annotations

import pandas as pd
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from analysis.motion.comparison import largest_deviations
from analysis.motion.deviations import deviation_cells
from analysis.render import palette
from viewer.model.exemplar_bundle import ExemplarBundle
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.comparison_tiles import ComparisonTiles, FrameSource, score_text
from viewer.widgets.panel import header_over_body
from viewer.widgets.when_shown import WhenShown

OTHER_TAKES_HEADER = "Other takes of this action"
#: The splitter starts with about this many table rows in sight (tiles get 3 : 2 of the height).
TABLE_ROWS_SHOWN = 6


class CompareView(QWidget):
    """Trainee and exemplar side by side, the exemplar picker and the per-phase deviation summary.

    Parameters
    ----------
    state : ViewerState
        Source of the take, frame, selected view and exemplar; row clicks call ``state.seek``.
    trainee_frame, exemplar_frame : callable (view, frame) -> ndarray or None
        Decoded BGRX (or BGR) frames of the current take and of the exemplar (each at its own frame index).

    Signals
    -------
    exemplar_chosen(str, str)
        The user picked another exemplar, or another take of the action: library ``file`` and take id.
    """

    exemplar_chosen = Signal(str, str)

    def __init__(self, state: ViewerState, trainee_frame: FrameSource, exemplar_frame: FrameSource,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._rows = pd.DataFrame()
        self._n_exemplars = 0

        self._exemplar_box = QComboBox(toolTip="Exemplars of this action, best first, then its other takes "
                                               "(this athlete's first)")
        self._exemplar_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._exemplar_box.setMinimumContentsLength(20)
        self._exemplar_box.activated.connect(self._on_exemplar_activated)
        self._view_box = QComboBox(toolTip="Camera view shown for both takes")
        self._view_box.currentIndexChanged.connect(lambda _i: self.tiles.set_view(self._view_box.currentData()))
        self._alignment_label = QLabel()
        self._alignment_label.setStyleSheet(f"color: {palette.MUTED_TEXT}")

        header = QHBoxLayout()
        header.setContentsMargins(6, 3, 6, 3)
        header.addWidget(QLabel("Compare with"))
        header.addWidget(self._exemplar_box)
        header.addSpacing(12)
        header.addWidget(QLabel("View"))
        header.addWidget(self._view_box)
        header.addSpacing(12)
        header.addWidget(self._alignment_label, 1)

        self.tiles = ComparisonTiles(state, trainee_frame, exemplar_frame)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Phase (frames)", "Body part", "Angle gap", "Mean / peak distance", "Worst at"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Body parts farthest from the exemplar in each third of the take, largest "
                              "joint angle gap first; click a row to go there")
        self.table.cellClicked.connect(self._on_row_clicked)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tiles)
        splitter.addWidget(self.table)
        splitter.setSizes([3 * TABLE_ROWS_SHOWN * 10, 2 * TABLE_ROWS_SHOWN * 10])

        header_over_body(self, header, splitter)

        # behind another tab, the picker and the table are filled when the view is shown
        self._candidates_shown = WhenShown(self, self._show_candidates)
        self._exemplar_shown = WhenShown(self, self._show_exemplar)
        state.take_changed.connect(self._on_take_changed)
        state.exemplar_candidates_changed.connect(self._on_candidates_changed)
        state.other_takes_changed.connect(self._on_candidates_changed)
        state.library_changed.connect(lambda _library: self.tiles.update())
        state.exemplar_changed.connect(self._on_exemplar_changed)
        state.frame_changed.connect(lambda _f: self.tiles.update())
        state.view_selected.connect(self._on_view_selected)
        self._on_take_changed(state.take)
        self._show_candidates()
        self._show_exemplar()

    # ------------------------------------------------------------------ API
    def candidate_labels(self) -> list[str]:
        """The exemplars in the picker, as listed (best first)."""
        self._candidates_shown.flush()
        return [self._exemplar_box.itemText(i) for i in range(self._n_exemplars)]

    def other_take_labels(self) -> list[str]:
        """The other takes of the action in the picker, as listed under their heading."""
        self._candidates_shown.flush()
        return [self._exemplar_box.itemText(i) for i in range(self._n_exemplars + 1, self._exemplar_box.count())]

    def choose_candidate(self, index: int) -> None:
        """Pick the ``index``-th exemplar of the picker, as a user would."""
        self._choose_item(index)

    def choose_other_take(self, index: int) -> None:
        """Pick the ``index``-th of the action's other takes in the picker, as a user would."""
        self._choose_item(self._n_exemplars + 1 + index)

    def _choose_item(self, index: int) -> None:
        self._candidates_shown.flush()
        self._exemplar_box.setCurrentIndex(index)
        self._on_exemplar_activated(index)

    def set_view(self, view: str) -> None:
        self._view_box.setCurrentIndex(self._view_box.findData(view))

    def deviation_rows(self) -> pd.DataFrame:
        """The rows of the deviation table, as shown (phase, joint, ..., peak_frame)."""
        self._exemplar_shown.flush()
        return self._rows

    # ------------------------------------------------------------ reactions
    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._candidates_shown.flush()
        self._exemplar_shown.flush()

    def _on_candidates_changed(self, _rows: pd.DataFrame) -> None:
        self._candidates_shown.request()

    def _show_candidates(self) -> None:
        """Fill the picker: ``state.exemplar_candidates`` (best first), then ``state.other_takes`` under a heading."""
        candidates, others = self._state.exemplar_candidates, self._state.other_takes
        box = self._exemplar_box
        box.blockSignals(True)
        box.clear()
        for row in candidates.itertuples():
            self._add_take(row, "")
        self._n_exemplars = len(candidates)
        if len(others):
            box.addItem(OTHER_TAKES_HEADER, None)
            box.model().item(box.count() - 1).setEnabled(False)
            athlete = self._state.session.athlete if self._state.session is not None else None
            for row in others.itertuples():
                self._add_take(row, " · same athlete" if row.athlete == athlete else "")
        box.setEnabled(len(candidates) + len(others) > 0)
        box.blockSignals(False)
        self._select_shown_exemplar()
        self.tiles.update()

    def _add_take(self, row, note: str) -> None:
        self._exemplar_box.addItem(f"{row.athlete} · {row.take} · {score_text(row.score)}{note}", (row.file, row.take))
        self._exemplar_box.setItemData(self._exemplar_box.count() - 1, row.file, Qt.ItemDataRole.ToolTipRole)

    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self._view_box.blockSignals(True)
        self._view_box.clear()
        for view in take.view_names if take is not None else ():
            self._view_box.addItem(view, view)
        self._view_box.blockSignals(False)
        if take is not None and take.view_names:
            preferred = self._state.selected_view or (take.info.video_views or take.view_names)[0]
            self.set_view(preferred)
        self.tiles.set_view(self._view_box.currentData())
        self.tiles.update()

    def _on_view_selected(self, view: str | None) -> None:
        if view is not None and self._view_box.findData(view) >= 0:
            self.set_view(view)

    def _on_exemplar_changed(self, _exemplar: ExemplarBundle | None) -> None:
        self._exemplar_shown.request()

    def _show_exemplar(self) -> None:
        exemplar = self._state.exemplar
        self._fill_table(exemplar)
        self._select_shown_exemplar()
        if exemplar is None:
            self._alignment_label.setText("")
        else:
            self._alignment_label.setText(
                f"DTW: {len(exemplar.alignment.path)} matched pairs, mean pose gap "
                f"{exemplar.alignment.cost:.2f} trunk lengths")
        self.tiles.update()

    def _select_shown_exemplar(self) -> None:
        exemplar = self._state.exemplar
        if exemplar is None:
            return
        for index in range(self._exemplar_box.count()):
            data = self._exemplar_box.itemData(index)
            if data is not None and data[1] == exemplar.take.take_id and exemplar.path.as_posix().endswith(data[0]):
                self._exemplar_box.setCurrentIndex(index)

    def _on_exemplar_activated(self, index: int) -> None:
        data = self._exemplar_box.itemData(index)
        if data is not None:
            self.exemplar_chosen.emit(*data)

    def _fill_table(self, exemplar: ExemplarBundle | None) -> None:
        rows = pd.DataFrame() if exemplar is None else largest_deviations(exemplar.deviations)
        self._rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows.itertuples()):
            for c, text in enumerate(deviation_cells(row)):
                item = QTableWidgetItem(text)
                item.setToolTip(row.joints if c == 1 else "")
                if c in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def _on_row_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._rows) and self._rows["peak_frame"].iloc[row] >= 0:
            self._state.set_playing(False)
            self._state.seek(int(self._rows["peak_frame"].iloc[row]))
