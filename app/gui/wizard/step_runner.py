"""One wizard step's work in the background: a progress bar, a status line and Cancel.

The job runs in the application's worker runner (:class:`app.gui.workers.WorkerRunner`)
as ``job(progress, cancelled)``: ``progress(stage, done, total)`` moves the bar
(from the worker thread, through a queued signal), and ``cancelled()`` turns true
once the user pressed Cancel. Jobs that only report progress are stopped at
their next report. A cancelled or failed job delivers nothing: the page keeps
what it had, and no file is left behind by the steps (they write nothing).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.gui.workers import WorkerRunner

Progress = Callable[[str, int, int], None]
Job = Callable[[Progress, Callable[[], bool]], Any]


class StepCancelled(Exception):
    """Raised in a job at its next progress report once Cancel was pressed."""


class _Relay(QObject):
    """Carries progress from the worker thread to the GUI thread."""

    progressed = Signal(str, int, int)


class StepRunner(QWidget):
    """Runs a wizard page's job with progress and Cancel.

    Signals
    -------
    finished(bool)
        The job ended: True with a result (handed to the ``returned`` callback
        first), False when it failed or was cancelled (the status line says which).
    """

    finished = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = WorkerRunner(self)
        self._relay = _Relay(self)
        self._relay.progressed.connect(self._show_progress)
        self._stop = threading.Event()
        self._running = False
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        row = QHBoxLayout()
        row.addWidget(self.bar, 1)
        row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)
        self._set_running(False)

    @property
    def running(self) -> bool:
        return self._running

    def start(self, job: Job, returned: Callable[[Any], None], what: str) -> None:
        """Run ``job(progress, cancelled)``; its result goes to ``returned`` on the GUI thread."""
        self._stop = stop = threading.Event()
        relay = self._relay

        def progress(stage: str, done: int, total: int) -> None:
            if stop.is_set():
                raise StepCancelled
            relay.progressed.emit(stage, int(done), int(total or 0))

        def work():
            return job(progress, stop.is_set)

        self.status.setText(f"{what} …")
        self.status.setStyleSheet("")
        self.bar.setRange(0, 0)
        self._set_running(True)
        self._workers.start(work, channel="step", returned=lambda result: self._returned(result, returned),
                            errored=self._errored)

    def cancel(self) -> None:
        """Ask the running job to stop; the status line says when it has."""
        if self._running:
            self._stop.set()
            self.status.setText("Cancelling …")

    def close_jobs(self) -> None:
        """Stop the running job and wait for it (the wizard is closing)."""
        self._stop.set()
        self._workers.close()

    # ------------------------------------------------------------- private
    def _set_running(self, running: bool) -> None:
        self._running = running
        self.cancel_button.setVisible(running)
        self.bar.setVisible(running)

    def _show_progress(self, stage: str, done: int, total: int) -> None:
        if not self._running:
            return
        self.bar.setRange(0, total)
        self.bar.setValue(min(done, total) if total else 0)
        self.bar.setFormat(f"{stage.capitalize()}: %v / %m" if total else stage.capitalize())

    def _returned(self, result: Any, returned: Callable[[Any], None]) -> None:
        self._set_running(False)
        if self._stop.is_set():
            self._cancelled()
            return
        try:
            returned(result)
        except (ValueError, FileNotFoundError) as error:
            self._failed(error)
            return
        self.status.setText("")
        self.finished.emit(True)

    def _errored(self, error: Exception) -> None:
        self._set_running(False)
        if self._stop.is_set():
            self._cancelled()
        else:
            self._failed(error)

    def _cancelled(self) -> None:
        self.status.setText("Cancelled: nothing was kept.")
        self.status.setStyleSheet("")
        self.finished.emit(False)

    def _failed(self, error: Exception) -> None:
        message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
        self.status.setText(message)
        self.status.setStyleSheet("color: #e06c5a;")
        self.finished.emit(False)
