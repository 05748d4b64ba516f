"""The scoring panel: predicted score, exemplars used, annotated score and judges' spread,
penalty probabilities, scoring progress, and the active model.

It reads ``state.take`` and ``state.scoring`` and never scores anything itself:
its buttons and combo emit requests (:attr:`ScoringPanel.score_requested`,
:attr:`cancel_requested`, :attr:`model_chosen`, :attr:`auto_score_toggled`)
that the application carries out; the application reports back with
:meth:`set_busy`, :meth:`set_progress` and :meth:`set_models`.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.render import palette
from viewer.model.scoring_result import NO_INTERVAL, ScoringResult
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.progress_bar import show_progress

MUTED = palette.MUTED_TEXT
MIN_WIDTH = 330
SCORE_STYLE = "font-size: 30pt; font-weight: 600;"
PROGRESS_BAR_HEIGHT = 6
PENALTY_BAR_HEIGHT = 15
PENALTY_ROW_SPACING = 2
#: Lines the exemplars and the joints most responsible take once a take is scored, beyond their lines before.
SCORED_TEXT_LINES = 4
INTERVAL_TIP = ("The true score lies in this range for this share of takes of athletes the model never saw "
                "(calibrated on separate libraries)")


class ScoringPanel(QWidget):
    """What the scoring model says about the current take.

    Parameters
    ----------
    state : ViewerState

    Signals
    -------
    score_requested()
    cancel_requested()
    model_chosen(str)
        The key (checkpoint path) of the model picked in the combo.
    auto_score_toggled(bool)
    """

    score_requested = Signal()
    cancel_requested = Signal()
    model_chosen = Signal(str)
    auto_score_toggled = Signal(bool)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._penalty_rows: list[tuple[str, QProgressBar]] = []

        self._score_button = QPushButton("Score", toolTip="Score this take with the active model (S)")
        self._score_button.clicked.connect(self.score_requested)
        self._auto_box = QCheckBox("Score takes when they open")
        self._auto_box.toggled.connect(self.auto_score_toggled)
        top = QHBoxLayout()
        top.addWidget(self._score_button)
        top.addWidget(self._auto_box, 1)

        self._score_label = QLabel("–")
        self._score_label.setStyleSheet(f"{SCORE_STYLE} color: {palette.LIGHT};")
        self._score_caption = QLabel("predicted score")
        self._score_caption.setStyleSheet(f"color: {MUTED};")
        self._annotated_label = QLabel("")
        self._annotated_label.setWordWrap(True)
        self._annotated_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QGridLayout()
        header.addWidget(self._score_label, 0, 0)
        header.addWidget(self._annotated_label, 0, 1, 2, 1)
        header.addWidget(self._score_caption, 1, 0)
        header.setColumnStretch(1, 1)

        self._exemplars_label = QLabel("")
        self._exemplars_label.setWordWrap(True)
        self._exemplars_label.setStyleSheet(f"color: {MUTED};")

        self._problem_label = QLabel("")
        self._problem_label.setWordWrap(True)
        self._problem_label.setStyleSheet(f"color: {palette.WARNING_TEXT};")
        self._problem_label.hide()

        # the message on its own line above a thin bar: a bar never covers its text
        self._progress_label = QLabel("")
        self._progress_label.setWordWrap(True)
        self._progress = QProgressBar(textVisible=False)
        self._progress.setFixedHeight(PROGRESS_BAR_HEIGHT)
        self._cancel_button = QPushButton("Cancel", toolTip="Stop scoring")
        self._cancel_button.clicked.connect(self.cancel_requested)
        self._progress_row = QWidget()
        progress_layout = QGridLayout(self._progress_row)
        progress_layout.setContentsMargins(0, 0, 0, 0)
        progress_layout.setVerticalSpacing(2)
        progress_layout.addWidget(self._progress_label, 0, 0, 1, 2)
        progress_layout.addWidget(self._progress, 1, 0)
        progress_layout.addWidget(self._cancel_button, 1, 1)
        progress_layout.setColumnStretch(0, 1)
        self._progress_row.hide()

        self._penalty_title = QLabel(f"<b>Penalties</b> &nbsp;<span style='color:{MUTED}'>probability per item</span>")
        self._penalty_grid = QGridLayout()
        self._penalty_grid.setHorizontalSpacing(8)
        self._penalty_grid.setVerticalSpacing(PENALTY_ROW_SPACING)
        self._penalty_grid.setContentsMargins(0, 0, 0, 0)
        self._penalty_grid.setColumnStretch(1, 1)
        penalties = QWidget()
        penalties.setLayout(self._penalty_grid)
        self._joints_label = QLabel("")
        self._joints_label.setWordWrap(True)

        self._model_box = QComboBox(toolTip="Active scoring model")
        self._model_box.activated.connect(lambda index: self.model_chosen.emit(self._model_box.itemData(index)))
        self._model_label = QLabel("")
        self._model_label.setStyleSheet(f"color: {MUTED};")
        model_row = QHBoxLayout()
        model_row.addWidget(QLabel("Active model"))
        model_row.addWidget(self._model_box, 1)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(header)
        layout.addWidget(self._exemplars_label)
        layout.addWidget(self._problem_label)
        layout.addWidget(self._progress_row)
        layout.addWidget(_separator())
        layout.addWidget(self._penalty_title)
        layout.addWidget(penalties)
        layout.addWidget(self._joints_label)
        layout.addStretch(1)
        layout.addWidget(_separator())
        layout.addLayout(model_row)
        layout.addWidget(self._model_label)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setWidget(body)
        self.setMinimumWidth(MIN_WIDTH)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self._scroll)

        state.take_changed.connect(self._on_take_changed)
        state.scoring_changed.connect(self._on_scoring_changed)
        self._on_take_changed(state.take)

    # ---------------------------------------------------------------- public
    def sizeHint(self) -> QSize:
        """Room for everything without scrolling, the scoring progress included; before scoring, room for
        what a scored take shows (a bar per catalogue item, the lines naming exemplars and joints)."""
        body = self._scroll.widget()
        height = body.sizeHint().height()
        if self._progress_row.isHidden():
            height += self._progress_row.sizeHint().height() + body.layout().spacing()
        if self._state.scoring is None:
            height += (len(load_penalty_catalogue()) * (PENALTY_BAR_HEIGHT + PENALTY_ROW_SPACING)
                       + SCORED_TEXT_LINES * self.fontMetrics().lineSpacing())
        return QSize(max(body.sizeHint().width(), MIN_WIDTH), height)

    def score_text(self) -> str:
        """The big predicted-score text ('–' when not scored)."""
        return self._score_label.text()

    def caption_text(self) -> str:
        """The line under the score: what it is and, once scored, its interval, e.g.
        ``predicted, 8.51–8.95 (90 % interval)``."""
        return self._score_caption.text()

    def annotation_text(self) -> str:
        """The annotated score and judges' spread, as shown (plain text)."""
        return self._annotated_label.text()

    def exemplars_text(self) -> str:
        """The line naming the exemplars the take was compared with, as shown."""
        return self._exemplars_label.text()

    def penalty_bars(self) -> list[tuple[str, int]]:
        """(catalogue name, percent) of each bar, top to bottom."""
        return [(name, bar.value()) for name, bar in self._penalty_rows]

    def problem_text(self) -> str:
        """Why the take is not scored (no exemplar, scoring failed), as shown; '' when there is no problem."""
        return self._problem_label.text() if not self._problem_label.isHidden() else ""

    def progress_text(self) -> str:
        """What scoring is doing, as shown above the progress bar while busy."""
        return self._progress_label.text()

    def is_busy(self) -> bool:
        return not self._progress_row.isHidden()

    def show_problem(self, message: str) -> None:
        """Say why the take is not scored (until it is scored, scored again, or another take opens)."""
        self._problem_label.setText(message)
        self._problem_label.setVisible(bool(message))
        if self._state.scoring is None:
            self._exemplars_label.setText(self._unscored_text())

    def _unscored_text(self) -> str:
        if self._state.take is None:
            return "Open a take to score it."
        return "Not scored." if self._problem_label.text() else "Not scored yet: press Score (S)."

    def set_models(self, models: list[tuple[str, str]], active_key: str, description: str) -> None:
        """Fill the model combo with (key, label) pairs, select ``active_key`` and show ``description``."""
        self._model_box.blockSignals(True)
        self._model_box.clear()
        for key, label in models:
            self._model_box.addItem(label, key)
        self._model_box.setCurrentIndex(max(0, self._model_box.findData(active_key)))
        self._model_box.blockSignals(False)
        self._model_label.setText(description)

    def set_auto_score(self, enabled: bool) -> None:
        self._auto_box.blockSignals(True)
        self._auto_box.setChecked(enabled)
        self._auto_box.blockSignals(False)

    def set_busy(self, busy: bool) -> None:
        """While scoring: the progress message and bar with Cancel, and the shown score dimmed."""
        if busy:
            self.show_problem("")
            show_progress(self._progress, 0, 0)
            self._progress_label.setText("Scoring …")
        self._progress_row.setVisible(busy)
        self._score_button.setEnabled(not busy and self._state.take is not None)
        self._score_label.setStyleSheet(f"{SCORE_STYLE} color: {MUTED if busy else palette.LIGHT};")
        self._show_caption("scoring …" if busy else None)

    def set_progress(self, step: int, steps: int, message: str) -> None:
        show_progress(self._progress, step, max(steps, 1))
        self._progress_label.setText(message)

    # ------------------------------------------------------------ reactions
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self._score_button.setEnabled(take is not None and not self.is_busy())
        self.show_problem("")
        self._annotated_label.setText(_annotation(take))
        self._on_scoring_changed(self._state.scoring)

    def _on_scoring_changed(self, scoring: ScoringResult | None) -> None:
        self._clear_penalties()
        self._show_caption(None)
        if scoring is None:
            self._score_label.setText("–")
            self._exemplars_label.setText(self._unscored_text())
            self._joints_label.setText("")
            return
        self.show_problem("")
        self._score_label.setText(f"{scoring.predicted:.2f}")
        if scoring.exemplars:
            used = ", ".join(f"{e.athlete} {e.take} ({e.score:.2f})" for e in scoring.exemplars)
            self._exemplars_label.setText(f"Compared with {len(scoring.exemplars)} exemplar(s): {used}")
        else:
            self._exemplars_label.setText("Scored directly (the model uses no exemplar)")
        for row, (code, name, probability) in enumerate(scoring.ranked_penalties()):
            self._add_penalty(row, code, name, probability)
        names = self._state.take.skeleton.joint_names if self._state.take is not None else ()
        joints = [names[j] for j in scoring.responsible_joints() if j < len(names)]
        self._joints_label.setText(
            f"<b>Joints most responsible</b> <span style='color:{MUTED}'>(red in 3D)</span>: "
            + (", ".join(j.replace("_", " ") for j in joints) if joints else "none stands out"))

    def _show_caption(self, busy_text: str | None) -> None:
        """The caption under the score: ``busy_text`` while scoring, else the current verdict's interval
        (or that its model gives none)."""
        scoring = self._state.scoring
        interval = "" if scoring is None else scoring.interval_text()
        if busy_text is not None or scoring is None:
            text, tip = busy_text or "predicted score", ""
        else:
            text, tip = (f"predicted, {interval}", INTERVAL_TIP) if interval else ("predicted (no interval)", NO_INTERVAL)
        self._score_caption.setText(text)
        self._score_caption.setToolTip(tip)

    def _add_penalty(self, row: int, code: str, name: str, probability: float) -> None:
        label = QLabel(name, toolTip=code)
        bar = QProgressBar(textVisible=True, toolTip=f"{name} ({code}): probability {probability:.2f}")
        bar.setRange(0, 100)
        bar.setValue(int(round(100 * probability)))
        bar.setFormat("%p%")
        bar.setFixedHeight(PENALTY_BAR_HEIGHT)
        bar.setStyleSheet(f"QProgressBar {{ border: 1px solid {palette.BAR_BORDER}; border-radius: 3px;"
                          f" background: {palette.BAR_TROUGH}; color: {palette.LIGHT}; text-align: right;"
                          f" padding-right: 4px; font-size: 8pt; }}"
                          f" QProgressBar::chunk {{ background: {palette.probability_bar(probability)};"
                          f" border-radius: 2px; }}")
        self._penalty_grid.addWidget(label, row, 0)
        self._penalty_grid.addWidget(bar, row, 1)
        self._penalty_rows.append((name, bar))

    def _clear_penalties(self) -> None:
        while self._penalty_grid.count():
            widget = self._penalty_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        self._penalty_rows = []


def _annotation(take: TakeBundle | None) -> str:
    """Annotated score and judges' spread (min–max, standard deviation), when the take has them."""
    if take is None:
        return ""
    lines = []
    score = take.info.score
    if score is not None and not math.isnan(score):
        lines.append(f"<span style='font-size:13pt'>annotated <b>{score:.2f}</b></span>")
    judges = np.asarray(take.judge_scores if take.judge_scores is not None else [], float)
    judges = judges[np.isfinite(judges)]
    if len(judges):
        lines.append(f"<span style='color:{MUTED}'>{len(judges)} judges: {judges.min():.2f}–{judges.max():.2f}, "
                     f"σ {judges.std():.2f}</span>")
    return "<br>".join(lines) if lines else f"<span style='color:{MUTED}'>no annotated score</span>"


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet(f"color: {palette.SEPARATOR};")
    return line
