"""A dialog that writes one file in a background job, with a run button, Cancel and a status line.

Shared by the clip export and the report dialogs: the job runs in the dialog's worker runner
and checks a cancel event; closing the dialog while the job runs cancels it first, and the
dialog closes once the job has stopped (so nothing is left half written).
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QWidget

from app.gui.workers import WorkerRunner
from viewer.model.state import ViewerState


class FileJobDialog(QDialog):
    """Base of the dialogs that write one file of the current take in a worker.

    Parameters
    ----------
    state : ViewerState
        With a session and a take open (else ValueError naming ``purpose``).
    title : str
        The window title.
    purpose : str
        What the dialog does, for that error (``"exporting a clip"``).

    Subclasses create ``run_button``, ``cancel_button`` and ``status_label`` in their
    ``__init__`` and implement :meth:`_announce` (emit their finished signal).

    Attributes
    ----------
    last_error : str or None
        Why the last job wrote nothing (None after a success).
    workers : WorkerRunner
    state, session_path, take_id
        The viewer state, and the session file and take the dialog writes from.
    """

    run_button: QPushButton
    cancel_button: QPushButton
    status_label: QLabel

    def __init__(self, state: ViewerState, title: str, purpose: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if state.session is None or state.take is None:
            raise ValueError(f"open a take before {purpose}")
        self.setWindowTitle(title)
        self.state = state
        self.session_path = state.session.path
        self.take_id = state.take.take_id
        self.last_error: str | None = None
        self.workers = WorkerRunner(self)
        self._cancel = threading.Event()
        self._close_when_done = False

    @property
    def running(self) -> bool:
        return self.workers.busy()

    def _begin(self, message: str) -> None:
        """A job starts: run disabled, Cancel enabled, ``message`` in the status line."""
        self._cancel.clear()
        self.last_error = None
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.status_label.setText(message)

    def _request_cancel(self) -> None:
        """Ask the running job to stop; it removes what it was writing."""
        if self.running:
            self._cancel.set()
            self.status_label.setText("Cancelling…")

    def _finish(self, path: Path | None, problem: str | None) -> None:
        """The job ended: it wrote ``path``, or nothing because of ``problem``."""
        self.last_error = problem
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.status_label.setText(f"Wrote {path.name}" if path is not None else problem)
        self._announce(path)
        if self._close_when_done:
            super().reject()

    def _announce(self, path: Path | None) -> None:
        raise NotImplementedError

    def reject(self) -> None:
        """Close; a running job is cancelled first and the dialog closes when it has stopped."""
        if self.running:
            self._close_when_done = True
            self._request_cancel()
            return
        super().reject()
