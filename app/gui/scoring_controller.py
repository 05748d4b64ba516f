"""Scores the current take in the background and hands the verdict to the viewer state.

The take is compared with the K best exemplars of its action in ``state.library``
(:func:`app.cli.scoring.scoring_exemplars`, never the take itself), on CUDA when
there is one. While the library is being indexed, scoring waits for it. The work
runs in the compute process (:mod:`app.gui.compute_process`, where torch is imported
while the window starts, so the window's own interpreter never holds it) as
:func:`app.gui.scoring_job.score_take`, followed by a worker thread that reports
progress at every step and can cancel between steps; a result whose request is no
longer current (another take, another model, a cancel) is dropped. The model is
loaded once there and keeps the exemplars' embeddings, which are also kept on disk
(:class:`app.gui.embedding_store.EmbeddingStore`), so an exemplar's poses are read
and embedded once per model, not once per session.
"""

from __future__ import annotations

from collections.abc import Generator

from PySide6.QtCore import QObject, Signal

from analysis.session.library import Library
from app.gui import scoring_job
from app.gui.compute_process import ComputeProcess, shared_compute_process
from app.gui.embedding_store import EmbeddingStore
from app.gui.model_registry import ModelEntry, ModelRegistry
from app.gui.scoring_job import ModelChoice, ScoringRequest, TakeToScore, exemplar_count
from app.gui.settings import AppSettings
from app.gui.workers import WorkerRunner
from viewer.model.scoring_result import ScoringResult
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle

AUTO_SCORE_KEY = "scoring/auto_score"


def score_in(compute: ComputeProcess, request: ScoringRequest) -> Generator[tuple[int, int, str], None, ScoringResult]:
    """Worker body: :func:`app.gui.scoring_job.score_take` in ``compute``; its steps, then its verdict."""
    return (yield from compute.steps(scoring_job.score_take, request))


def model_choice(entry: ModelEntry) -> ModelChoice:
    """The registry's entry as the compute process takes it."""
    return ModelChoice(entry.path, entry.name, entry.version)


class ScoringController(QObject):
    """The application's side of scoring.

    Parameters
    ----------
    state : ViewerState
        Read for the take; receives :meth:`ViewerState.set_scoring`.
    registry : ModelRegistry
        The active model.
    settings : AppSettings
        Remembers whether takes are scored when they open.
    embeddings : EmbeddingStore, optional
        Where exemplar embeddings are kept between sessions (default: the user cache).
    compute : ComputeProcess, optional
        Where the scoring runs (default: the application's :func:`shared_compute_process`).

    Signals
    -------
    progress(int, int, str)
        Step, number of steps and what is being done.
    busy_changed(bool)
    auto_score_changed(bool)
    failed(str, str)
        A title and a message.
    status(str)
        A line for the status bar: what scoring is doing, then its result.
    """

    status = Signal(str)
    progress = Signal(int, int, str)
    busy_changed = Signal(bool)
    auto_score_changed = Signal(bool)
    failed = Signal(str, str)

    def __init__(self, state: ViewerState, registry: ModelRegistry, settings: AppSettings,
                 parent: QObject | None = None, embeddings: EmbeddingStore | None = None,
                 compute: ComputeProcess | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.registry = registry
        self.settings = settings
        self.auto_score = settings.value(AUTO_SCORE_KEY, True, bool)
        self.workers = WorkerRunner(self)
        self._embeddings = embeddings or EmbeddingStore()
        self._compute = compute or shared_compute_process()
        self._waiting_for_library = False
        state.take_changed.connect(self._on_take_changed)
        state.library_changed.connect(self._on_library_changed)
        registry.active_changed.connect(self._on_model_changed)

    # ------------------------------------------------------------------ API
    @property
    def busy(self) -> bool:
        """Whether a scoring request is running (or waiting for the library index)."""
        return self.workers.busy() or self._waiting_for_library

    def set_auto_score(self, enabled: bool) -> None:
        """Score every take when it opens (remembered)."""
        if bool(enabled) == self.auto_score:
            return
        self.auto_score = bool(enabled)
        self.settings.set_value(AUTO_SCORE_KEY, self.auto_score)
        self.auto_score_changed.emit(self.auto_score)
        if self.auto_score and self.state.take is not None and self.state.scoring is None and not self.busy:
            self.score_current()

    def score_current(self) -> None:
        """Score the current take in the background (a running request is abandoned).

        Without a library yet (it is being indexed), the take is scored once it is there.
        """
        take, session = self.state.take, self.state.session
        if take is None or session is None:
            return
        self.cancel()
        library = self.state.library
        if library is None:
            self._waiting_for_library = True
            self.busy_changed.emit(True)
            self.progress.emit(0, 0, "Waiting for the library index …")
            return
        model = self.registry.active()
        request = ScoringRequest(TakeToScore.of(take), session.path, session.event, model_choice(model), library,
                                 self._embeddings)
        self.workers.start(score_in, self._compute, request, yielded=self._on_progress, returned=self._on_scored,
                           errored=self._on_failed)
        self.busy_changed.emit(True)
        self.status.emit(f"Scoring take {take.take_id} …")

    def cancel(self) -> None:
        """Abandon the running request (its worker stops at its next step; its result is dropped)."""
        if not self.busy:
            return
        self._waiting_for_library = False
        self.workers.cancel()
        self.busy_changed.emit(False)

    def close(self) -> None:
        """Stop scoring and wait for the worker to end."""
        self.cancel()
        self.workers.close()

    # ------------------------------------------------------------ reactions
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self.cancel()
        if take is not None and self.auto_score:
            self.score_current()

    def _on_library_changed(self, library: Library | None) -> None:
        if self.state.take is None:
            return
        if self._waiting_for_library or (library is not None and self.auto_score):
            self.score_current()

    def _on_model_changed(self, _entry: ModelEntry) -> None:
        self.state.set_scoring(None)
        if self.busy or (self.auto_score and self.state.take is not None):
            self.score_current()

    def _on_progress(self, step: tuple[int, int, str]) -> None:
        self.progress.emit(*step)
        self.status.emit(step[2])

    def _on_scored(self, result: ScoringResult) -> None:
        self.busy_changed.emit(False)
        self.state.set_scoring(result)
        against = f" against {exemplar_count(len(result.exemplars))}" if result.exemplars else ""
        self.status.emit(f"Scored take {result.take_id}: {result.predicted:.2f}{against} "
                         f"(model {result.model_name} {result.model_version})")

    def _on_failed(self, error: Exception) -> None:
        self.busy_changed.emit(False)
        self.failed.emit("Scoring failed", str(error))
