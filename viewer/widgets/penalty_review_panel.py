"""The penalty review: the coach confirms, rejects or edits each penalty the model predicts, and adds missed ones.

Listed beside the model's verdict (the Scoring dock): one row per item, the
model's proposals first (most probable first, *pending* until decided), with
their frames, deduction, the model's probability and the decision. Every
decision is requested from the annotations model as an edit, so it is undone
with Ctrl+Z and saved in the annotations file like any annotation
(:mod:`viewer.model.penalty_review`). The reviewed score is 10 minus the
deductions kept. Clicking a row goes to its first frame.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from analysis.annotations.items import ReviewedPenalty
from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.penalty_review import DEFAULT_DEDUCTION, reviewed_score
from analysis.render import palette
from analysis.render.take_overlays import penalty_name
from viewer.model.penalty_review import (
    PENDING,
    ReviewRow,
    addition,
    decision,
    review_rows,
    withdrawal,
)
from viewer.model.state import ViewerState
from viewer.widgets.penalty_editor import PenaltyEditor

COLUMNS = ("Item", "Frames", "Deduction", "Model", "Decision")
#: The table keeps room for a header and four rows (at most five items per take).
TABLE_MIN_HEIGHT = 24 + 4 * 22
STATUS_COLOURS = {PENDING: palette.MUTED_TEXT, "confirmed": palette.GREEN, "rejected": palette.FAINT_TEXT,
                  "edited": palette.BLUE, "added": palette.ORANGE}


class PenaltyReviewPanel(QWidget):
    """Review of the current take's penalties.

    Parameters
    ----------
    state : ViewerState
        The take, the model's verdict (``state.scoring``) and the annotations, whose edits it requests.
    """

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._rows: list[ReviewRow] = []
        self.editor: PenaltyEditor | None = None

        self._title = QLabel("<b>Penalty review</b>")
        self._score_label = QLabel("")
        self._score_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._hint = QLabel("")
        self._hint.setWordWrap(True)
        self._hint.setStyleSheet(f"color: {palette.MUTED_TEXT}")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(TABLE_MIN_HEIGHT)
        self.table.cellClicked.connect(self._on_row_clicked)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.buttons = {name: QToolButton(text=text, toolTip=tip) for name, text, tip in (
            ("confirm", "Confirm", "The selected fault is there, as proposed"),
            ("reject", "Reject", "The model is wrong: no such fault"),
            ("edit", "Edit…", "Change the selected fault's frames or deduction"),
            ("add", "Add…", "A fault the model missed"),
            ("clear", "Clear", "Take the decision back (pending again)"),
            ("confirm_all", "All ✓", "Confirm every proposal not decided yet"))}
        self.buttons["confirm"].clicked.connect(lambda: self._decide("confirmed"))
        self.buttons["reject"].clicked.connect(lambda: self._decide("rejected"))
        self.buttons["edit"].clicked.connect(lambda: self.open_editor())
        self.buttons["add"].clicked.connect(lambda: self.open_editor(adding=True))
        self.buttons["clear"].clicked.connect(self._clear)
        self.buttons["confirm_all"].clicked.connect(self.confirm_pending)

        header = QHBoxLayout()
        header.addWidget(self._title)
        header.addWidget(self._score_label, 1)
        actions = QHBoxLayout()
        actions.setSpacing(3)
        for button in self.buttons.values():
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            actions.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(4)
        layout.addLayout(header)
        layout.addWidget(self._hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(actions)

        state.take_changed.connect(lambda _take: self.refresh())
        state.scoring_changed.connect(lambda _scoring: self.refresh())
        state.annotations.changed.connect(lambda take: self.refresh() if take in ("", self._take_id()) else None)
        self.refresh()

    # ---------------------------------------------------------------- API
    def rows(self) -> list[ReviewRow]:
        """The rows as listed."""
        return list(self._rows)

    def select_row(self, index: int) -> None:
        self.table.selectRow(index)

    def reviewed_score_text(self) -> str:
        return self._score_label.text()

    def confirm_pending(self) -> None:
        """Confirm every proposal still pending (one undoable command each)."""
        take_id = self._take_id()
        for row in [row for row in self._rows if row.status == PENDING]:
            self._state.annotations.request(decision(take_id, row, "confirmed"))

    def open_editor(self, adding: bool = False) -> PenaltyEditor | None:
        """Open the editor on the selected row (or, ``adding``, on a new item); the edit is made when it is accepted."""
        take = self._state.take
        row = self._selected()
        if take is None or (not adding and row is None):
            return None
        if adding:
            listed = {r.code for r in self._rows}
            codes = [code for code in load_penalty_catalogue() if code not in listed]
            frame = self._state.frame
            editor = PenaltyEditor(codes, take.n_frames, frame, frame + 1, DEFAULT_DEDUCTION, "Add a penalty", self)
        else:
            editor = PenaltyEditor([row.code], take.n_frames, row.start, row.end, row.value,
                                   f"Edit {penalty_name(row.code)}", self)
        editor.accepted.connect(lambda: self._edited(editor, None if adding else row))
        self.editor = editor
        editor.open()
        return editor

    # ------------------------------------------------------------ reactions
    def refresh(self) -> None:
        take, scoring = self._state.take, self._state.scoring
        reviewed = [] if take is None else self._state.annotations.items(take.take_id, ReviewedPenalty)
        self._rows = [] if take is None else review_rows(take.take_id, scoring, take.penalties, reviewed)
        selected = self.table.currentRow()
        self.table.setRowCount(len(self._rows))
        fps = self._state.fps
        for r, row in enumerate(self._rows):
            frames = "unknown" if row.start < 0 else f"{row.start}–{row.end - 1}"
            when = "" if row.start < 0 else f"{row.start / fps:.2f}–{(row.end - 1) / fps:.2f} s; "
            cells = (penalty_name(row.code), frames, f"−{row.value:.1f}",
                     "–" if row.probability is None else f"{100 * row.probability:.0f} %", row.status)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{penalty_name(row.code)} ({row.code}): {when}click to go to its first frame")
                if c == 4:
                    item.setForeground(QColor(STATUS_COLOURS.get(row.status, palette.TEXT)))
                if row.status == "rejected":
                    font = item.font()
                    font.setStrikeOut(c < 4)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        if 0 <= selected < len(self._rows):
            self.table.selectRow(selected)
        self._score_label.setText("" if not reviewed else
                                  f"reviewed score <b>{reviewed_score(reviewed):.2f}</b>")
        self._hint.setText("Open a take to review its penalties." if take is None else
                           "Score the take (S) to see the penalties the model proposes." if scoring is None
                           else "" if self._rows else "The model proposes no penalty; add any it missed.")
        self._hint.setVisible(bool(self._hint.text()))
        self._update_buttons()

    def _update_buttons(self) -> None:
        row = self._selected()
        has_take = self._state.take is not None
        self.buttons["confirm"].setEnabled(row is not None and row.status != "confirmed")
        self.buttons["reject"].setEnabled(row is not None and row.status != "rejected")
        self.buttons["edit"].setEnabled(row is not None)
        self.buttons["clear"].setEnabled(row is not None and row.item is not None)
        self.buttons["add"].setEnabled(has_take)
        self.buttons["confirm_all"].setEnabled(any(r.status == PENDING for r in self._rows))

    def _on_row_clicked(self, index: int, _column: int) -> None:
        if 0 <= index < len(self._rows) and self._rows[index].start >= 0:
            self._state.set_playing(False)
            self._state.seek(self._rows[index].start)

    def _decide(self, status: str) -> None:
        row = self._selected()
        if row is not None:
            self._state.annotations.request(decision(self._take_id(), row, status))

    def _clear(self) -> None:
        row = self._selected()
        edit = None if row is None else withdrawal(row)
        if edit is not None:
            self._state.annotations.request(edit)

    def _edited(self, editor: PenaltyEditor, row: ReviewRow | None) -> None:
        code, start, end, value = editor.result_penalty()
        take_id = self._take_id()
        edit = addition(take_id, code, start, end, value) if row is None else \
            decision(take_id, row, "edited", start, end, value)
        self._state.annotations.request(edit)

    def _selected(self) -> ReviewRow | None:
        index = self.table.currentRow()
        selected = self.table.selectionModel().hasSelection()
        return self._rows[index] if selected and 0 <= index < len(self._rows) else None

    def _take_id(self) -> str:
        return "" if self._state.take is None else self._state.take.take_id
