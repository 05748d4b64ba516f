"""Scores an athlete's takes of one action in the background, for the progress panel.

Each take is scored in the compute process (:func:`app.gui.scoring_job.score_progress`) by the active model against the exemplars of its action in
``state.library`` (as the scoring panel does); the predictions are cached by
session file (path and modification time), take and model, so going back to an
athlete and action costs nothing. The annotated scores come from the library
index. A request superseded by another (or cancelled) stops at its next take.
"""

from __future__ import annotations

from collections.abc import Generator

from PySide6.QtCore import QObject, Signal

from analysis.session.library import Library
from app.gui import scoring_job
from app.gui.compute_process import ComputeProcess, shared_compute_process
from app.gui.model_registry import ModelRegistry
from app.gui.scoring_controller import model_choice
from app.gui.scoring_job import ProgressRequest
from app.gui.workers import WorkerRunner
from viewer.model.progress_series import ProgressSeries


def score_progress_in(compute: ComputeProcess,
                      request: ProgressRequest) -> Generator[tuple[int, int, str], None, ProgressSeries]:
    """Worker body: :func:`app.gui.scoring_job.score_progress` in ``compute``; its steps, then the series."""
    return (yield from compute.steps(scoring_job.score_progress, request))


class ProgressController(QObject):
    """The application's side of the progress panel.

    Signals
    -------
    progress(int, int, str)
        Takes scored, takes, what is being done.
    ready(ProgressSeries)
    failed(str)
    """

    progress = Signal(int, int, str)
    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, registry: ModelRegistry, parent: QObject | None = None,
                 compute: ComputeProcess | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.workers = WorkerRunner(self)
        self._compute = compute or shared_compute_process()

    def busy(self) -> bool:
        return self.workers.busy()

    def request(self, library: Library, athlete: str, action: str) -> None:
        """Score ``athlete``'s takes of ``action`` in ``library`` (a running request is abandoned)."""
        request = ProgressRequest(library, athlete, action, model_choice(self.registry.active()))
        self.workers.start(score_progress_in, self._compute, request, yielded=lambda step: self.progress.emit(*step),
                           returned=self.ready.emit, errored=lambda error: self.failed.emit(str(error)))

    def cancel(self) -> None:
        self.workers.cancel()

    def close(self) -> None:
        self.workers.close()
