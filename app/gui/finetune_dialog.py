"""Model > Fine-tune…: fine-tune the active scoring model on chosen takes, in the background.

The user picks the takes (the current session, or a library filter by event,
level, action and athlete), the epochs and the learning rate. The run shows a
progress bar, an ETA and a live plot of the training loss and the validation ρ,
and can be cancelled. A completed run is saved as a new versioned checkpoint
and registered (and made active if asked); a cancelled or failed run writes
nothing and leaves the active model as it was.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from analysis.penalty_review import reviewed_index
from analysis.render import palette
from analysis.session.library import Library
from app.cli.training_data import library_reviews
from app.gui.finetune_job import (
    TAKE_FILTERS,
    FinetuneCancelled,
    FinetuneRequest,
    run_finetune,
)
from app.gui.model_registry import ModelEntry, ModelRegistry
from app.gui.workers import WorkerRunner
from viewer.model.state import ViewerState

ANY = "any"
LOSS_COLOUR = palette.LOSS
RHO_COLOUR = palette.RHO


class FinetuneDialog(QDialog):
    """Fine-tune the active model on takes of ``state.library``.

    Parameters
    ----------
    registry : ModelRegistry
        Gives the base (active) model and receives the new one.
    state : ViewerState
        Its library is where the takes and their exemplars come from; its session,
        when it lies in that library, is offered as "current session".
    device : str, optional
        ``cpu`` or ``cuda``; default CUDA when available.

    Signals
    -------
    model_created(ModelEntry)
        A fine-tuned checkpoint was written and registered.
    """

    model_created = Signal(object)
    _epoch_done = Signal(dict)

    def __init__(self, registry: ModelRegistry, state: ViewerState, device: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if state.library is None:
            raise ValueError("fine-tuning needs a library: open a session first")
        self.setWindowTitle("Fine-tune the scoring model")
        self.resize(720, 620)
        self.registry = registry
        self.library: Library = state.library
        #: The library's index with the coach's reviews applied (what the fine-tuning reads).
        self.index = reviewed_index(self.library.index, library_reviews(self.library))
        session_file = None if state.session is None else self.library.file_of(state.session.path)
        self.session_file = session_file
        self.device = device
        self.history: list[dict] = []
        self.last_error: str | None = None
        self._cancel = threading.Event()
        self.workers = WorkerRunner(self)
        self._out_path: Path | None = None
        self._epoch_done.connect(self._on_epoch)

        self._session_choice = QRadioButton(f"Current session ({session_file})" if session_file else "Current session")
        self._session_choice.setEnabled(session_file is not None)
        self._filter_choice = QRadioButton("Library takes matching")
        choices = QButtonGroup(self)
        for button in (self._session_choice, self._filter_choice):
            choices.addButton(button)
        (self._session_choice if session_file else self._filter_choice).setChecked(True)
        self._filters: dict[str, QComboBox] = {}
        filter_row = QHBoxLayout()
        index = self.library.index
        for column in TAKE_FILTERS:
            box = QComboBox()
            box.addItem(f"{column}: {ANY}", None)
            for value in sorted(set(index[column].tolist())):
                box.addItem(f"{column}: {value}", value)
            self._filters[column] = box
            filter_row.addWidget(box)
        self._reviewed_only = QCheckBox("Only the takes whose penalties a coach reviewed")
        self._reviewed_only.setToolTip("A reviewed take always trains on its review: 10 − the deductions kept, "
                                       "and the kept items as its penalties")
        self._count_label = QLabel("")
        takes = QGroupBox("Takes")
        takes_layout = QVBoxLayout(takes)
        takes_layout.addWidget(self._session_choice)
        takes_layout.addWidget(self._filter_choice)
        takes_layout.addLayout(filter_row)
        takes_layout.addWidget(self._reviewed_only)
        takes_layout.addWidget(self._count_label)

        self._epochs = QSpinBox(minimum=1, maximum=500, value=5)
        self._learning_rate = QDoubleSpinBox(decimals=5, minimum=1e-5, maximum=0.1, singleStep=1e-4, value=1e-3)
        self._make_active = QCheckBox("Make the new model the active one", checked=True)
        base = registry.active()
        form = QFormLayout()
        form.addRow("Start from", QLabel(base.label))
        form.addRow("Epochs", self._epochs)
        form.addRow("Learning rate", self._learning_rate)
        form.addRow("", self._make_active)

        self._progress = QProgressBar(textVisible=True)
        self._progress.setFormat("Not started")
        self._eta_label = QLabel("")
        self._status_label = QLabel("")
        self._status_label.setWordWrap(True)
        self._plots = pg.GraphicsLayoutWidget()
        self._plots.setBackground(palette.SCENE_BACKGROUND)
        self._loss_plot = self._plots.addPlot(row=0, col=0, title="training loss")
        self._rho_plot = self._plots.addPlot(row=0, col=1, title="validation ρ")
        for plot in (self._loss_plot, self._rho_plot):
            plot.setLabel("bottom", "epoch")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMenuEnabled(False)
        self._rho_plot.setYRange(-1, 1)
        self._loss_curve = self._loss_plot.plot([], [], pen=pg.mkPen(LOSS_COLOUR, width=2), symbol="o", symbolSize=5,
                                                symbolBrush=LOSS_COLOUR)
        self._rho_curve = self._rho_plot.plot([], [], pen=pg.mkPen(RHO_COLOUR, width=2), symbol="o", symbolSize=5,
                                              symbolBrush=RHO_COLOUR)

        self._start_button = QPushButton("Start")
        self._start_button.clicked.connect(self.start)
        self._cancel_button = QPushButton("Cancel")
        self._cancel_button.clicked.connect(self.cancel)
        self._cancel_button.setEnabled(False)
        self._close_button = QPushButton("Close")
        self._close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self._start_button, self._cancel_button, self._close_button):
            buttons.addWidget(button)

        status = QGridLayout()
        status.addWidget(self._progress, 0, 0)
        status.addWidget(self._eta_label, 0, 1)
        status.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(takes)
        layout.addLayout(form)
        layout.addLayout(status)
        layout.addWidget(self._status_label)
        layout.addWidget(self._plots, 1)
        layout.addLayout(buttons)
        for button in (self._session_choice, self._filter_choice):
            button.toggled.connect(self._update_count)
        for box in self._filters.values():
            box.currentIndexChanged.connect(self._on_filter_changed)
        self._reviewed_only.toggled.connect(self._update_count)
        self._update_count()

    # ------------------------------------------------------------------ API
    def set_settings(self, epochs: int | None = None, learning_rate: float | None = None,
                     filters: dict | None = None, current_session: bool | None = None,
                     reviewed_only: bool | None = None) -> None:
        """Fill the form (what a user would pick): epochs, learning rate, library filter, or the current session,
        and whether only reviewed takes train."""
        if reviewed_only is not None:
            self._reviewed_only.setChecked(reviewed_only)
        if epochs is not None:
            self._epochs.setValue(epochs)
        if learning_rate is not None:
            self._learning_rate.setValue(learning_rate)
        for column, value in (filters or {}).items():
            box = self._filters[column]
            box.setCurrentIndex(box.findData(value))
        if current_session is not None:
            (self._session_choice if current_session else self._filter_choice).setChecked(True)

    def request(self) -> FinetuneRequest:
        """The run the form describes."""
        filters = {} if self._session_choice.isChecked() else {c: box.currentData() for c, box in self._filters.items()}
        return FinetuneRequest(
            library=Path(self.library.root), base_model=self.registry.active().path,
            files=(self.session_file,) if self._session_choice.isChecked() else None,
            reviewed_only=self._reviewed_only.isChecked(),
            epochs=self._epochs.value(), learning_rate=self._learning_rate.value(), **filters)

    def is_running(self) -> bool:
        return self.workers.busy()

    def start(self) -> None:
        """Run the fine-tuning in a background worker."""
        if self.is_running():
            return
        request = self.request()
        # torch is imported here, on the GUI thread: a module imported by two threads at once is half-initialised
        import models.train  # noqa: F401

        self.history, self.last_error = [], None
        self._cancel.clear()
        self._out_path = self.registry.next_path()
        self._loss_curve.setData([], [])
        self._rho_curve.setData([], [])
        self._progress.setRange(0, 0)
        self._progress.setFormat("Reading the takes …")
        self._eta_label.setText("")
        self._status_label.setText(f"Fine-tuning {self.registry.active().label} on {self._count_label.text()}")
        self.workers.start(run_finetune, request, self._out_path, self._epoch_done.emit, self._cancel, self.device,
                           returned=self._on_finished, errored=self._on_failed)
        self._set_running(True)

    def cancel(self) -> None:
        """Stop after the current epoch; nothing is saved and the active model stays."""
        if self.is_running():
            self._cancel.set()
            self._cancel_button.setEnabled(False)
            self._status_label.setText("Cancelling after this epoch …")

    # ------------------------------------------------------------ reactions
    def _on_filter_changed(self) -> None:
        self._filter_choice.setChecked(True)
        self._update_count()

    def _update_count(self) -> None:
        chosen = self.request().chosen(self.index)
        scored = chosen[chosen["score"].notna()]
        self._count_label.setText(f"{len(scored)} scored take(s) from {scored['file'].nunique()} session(s), "
                                  f"{int(scored['reviewed'].sum())} reviewed by a coach")
        self._start_button.setEnabled(len(scored) > 0 and not self.is_running())

    def _on_epoch(self, entry: dict) -> None:
        self.history.append(entry)
        epochs = [e["epoch"] for e in self.history]
        self._loss_curve.setData(epochs, [e["loss"] for e in self.history])
        finite = [(e["epoch"], e["validation_spearman"]) for e in self.history
                  if math.isfinite(e.get("validation_rl2x100", math.nan))]
        self._rho_curve.setData([e for e, _ in finite], [r for _, r in finite])
        self._progress.setRange(0, entry["epochs"])
        self._progress.setValue(entry["epoch"])
        self._progress.setFormat(f"epoch {entry['epoch']} / {entry['epochs']}")
        remaining = entry["seconds"] / entry["epoch"] * (entry["epochs"] - entry["epoch"])
        self._eta_label.setText(f"ETA {_duration(remaining)}")

    def _on_finished(self, path: Path) -> None:
        self._set_running(False)
        entry: ModelEntry = self.registry.register(path)
        if self._make_active.isChecked():
            self.registry.set_active(entry.path)
        best = max((e["validation_spearman"] for e in self.history), default=float("nan"))
        self._progress.setFormat("Done")
        self._eta_label.setText("")
        self._status_label.setText(f"Saved {entry.label} ({path.name}); best validation ρ {best:.3f}"
                                   + ("; now active." if self._make_active.isChecked() else "."))
        self.model_created.emit(entry)

    def _on_failed(self, error: Exception) -> None:
        self._set_running(False)
        self._progress.setRange(0, 1)
        self._progress.setValue(0)
        self._eta_label.setText("")
        active = self.registry.active().label
        if isinstance(error, FinetuneCancelled):
            self._progress.setFormat("Cancelled")
            self._status_label.setText(f"Cancelled: nothing was saved; {active} stays active.")
        else:
            self.last_error = str(error)
            self._progress.setFormat("Failed")
            self._status_label.setText(f"Fine-tuning failed: {error}. Nothing was saved; {active} stays active.")

    def _set_running(self, running: bool) -> None:
        self._start_button.setEnabled(not running)
        self._cancel_button.setEnabled(running)
        for widget in (self._epochs, self._learning_rate, self._session_choice, self._filter_choice,
                       *self._filters.values()):
            widget.setEnabled(not running)
        self._session_choice.setEnabled(not running and self.session_file is not None)

    def closeEvent(self, event) -> None:
        self.cancel()
        super().closeEvent(event)


def _duration(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
