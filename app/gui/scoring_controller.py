"""Scores the current take in the background and hands the verdict to the viewer state.

The take is compared with the K best exemplars of its action in ``state.library``
(:func:`app.cli.scoring.scoring_exemplars`, never the take itself), on CUDA when
there is one. While the library is being indexed, scoring waits for it. The
work runs in a generator worker that reports progress at every step and can be
cancelled between steps; a result whose request is no longer current (another
take, another model, a cancel) is dropped. The worker imports torch (the window
starts without it; once the take's first frame is on screen while the library is still
being indexed, it is imported already, so the two overlap), loads the model once and keeps it for the next take; the
exemplars' embeddings are kept by the model and on disk
(:class:`app.gui.embedding_store.EmbeddingStore`), so an exemplar's poses are
read and embedded once per model, not once per session.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.session.library import Library
from app.gui.embedding_store import EmbeddingStore
from app.gui.model_registry import ModelEntry, ModelRegistry
from app.gui.runtime_import import RUNTIME_IMPORT_LOCK
from app.gui.settings import AppSettings
from app.gui.workers import WorkerRunner
from viewer.model.exemplar_bundle import no_exemplar_message
from viewer.model.scoring_result import (
    ExemplarUsed,
    ScoringResult,
    joint_responsibility,
)
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle

AUTO_SCORE_KEY = "scoring/auto_score"
#: The worker channel that imports the scoring runtime while the library is being indexed.
RUNTIME_CHANNEL = "runtime"


@dataclass(frozen=True)
class ScoringRequest:
    """Everything the worker needs. Shared with the GUI thread: the library (read only) and the caches.

    Attributes
    ----------
    scorers : dict
        Model path to its loaded :class:`models.scorer.Scorer` (which keeps the exemplars'
        embeddings); the worker adds the one it loads.
    embeddings : EmbeddingStore
        Exemplar embeddings on disk; the worker adds the ones it computes.
    """

    take: TakeBundle
    session_path: Path
    event: str
    model: ModelEntry
    library: Library
    scorers: dict
    embeddings: EmbeddingStore


def score_take(request: ScoringRequest) -> Generator[tuple[int, int, str], None, ScoringResult]:
    """Worker body: yields ``(step, steps, message)``; returns the :class:`ScoringResult`.

    Raises
    ------
    ValueError
        If the take has no pose the model can use, or its action has no exemplar in the library.
    """
    with RUNTIME_IMPORT_LOCK:   # torch comes in here, in the worker
        from app.cli.scoring import read_exemplar, scoring_exemplars
        from models.scorer import Scorer

    take, library = request.take, request.library
    yield 0, 3, f"Loading model {request.model.name} …"
    scorer = request.scorers.get(request.model.path)
    if scorer is None:
        scorer = request.scorers[request.model.path] = Scorer.load(request.model.path, single_thread=True)
    modality = scorer.model.config.modality
    if modality == "pose3d" and take.pose3d is None:
        raise ValueError(f"take {take.take_id} has no 3D pose: it cannot be scored")
    chosen = scoring_exemplars(library, request.session_path, take.take_id, take.info.action, request.event,
                               scorer.model.config.k_exemplars) if scorer.model.network.contrastive else None
    if chosen is not None and chosen.empty:
        raise ValueError(no_exemplar_message(take.info.action_name, library.root))
    rows = [] if chosen is None else list(chosen.itertuples())
    steps = 2 + len(rows)
    exemplars, computed = [], []
    for i, row in enumerate(rows):
        yield 1 + i, steps, f"Reading exemplar {row.take} ({i + 1}/{len(rows)}) …"
        exemplar = _embedded_exemplar(scorer, request, row, modality)
        if exemplar is None:
            exemplar = read_exemplar(library, row.file, row.take, row.score, modality)
            computed.append(exemplar.key)
        exemplars.append(exemplar)
    yield steps - 1, steps, f"Scoring take {take.take_id} against {_exemplar_count(len(exemplars))} …"
    verdict = scorer.score(take.pose3d, take.pose2d if modality == "pose2d" else None, exemplars)
    for key in computed:
        request.embeddings.save(request.model.path, key, scorer.embedding_arrays(key))
    catalogue = load_penalty_catalogue()
    codes = tuple(verdict.penalty_codes) if len(verdict.penalty_probabilities) else ()
    return ScoringResult(
        take_id=take.take_id,
        predicted=float(verdict.score),
        exemplars=tuple(ExemplarUsed(row.file, row.take, str(row.athlete_name), float(row.score)) for row in rows),
        penalty_codes=codes,
        penalty_names=tuple(catalogue[c].name if c in catalogue else c for c in codes),
        probabilities=np.asarray(verdict.penalty_probabilities, float),
        heatmap=np.asarray(verdict.heatmap, float).reshape(len(codes), take.n_frames),
        joint_responsibility=joint_responsibility(verdict.penalty_probabilities, codes,
                                                  tuple(take.skeleton.joint_names), catalogue),
        model_name=request.model.name,
        model_version=request.model.version,
        penalty_spans=np.asarray(verdict.penalty_spans, dtype=np.int64).reshape(len(codes), 2),
        interval=verdict.interval,
        interval_coverage=verdict.interval_coverage,
    )


def import_scoring_runtime() -> None:
    """Worker body: import torch and the scorer (a second or two, once per process), for the first score."""
    with RUNTIME_IMPORT_LOCK:
        import app.cli.scoring  # noqa: F401
        import models.scorer  # noqa: F401


def _embedded_exemplar(scorer, request: ScoringRequest, row, modality: str):
    """Exemplar ``row`` without its poses when the model or the store has its embedding, else None."""
    from app.cli.scoring import exemplar_key
    from models.scorer import Exemplar

    key = exemplar_key(request.library.path_of(row.file), row.take, modality)
    if not scorer.has_embedding(key):
        stored = request.embeddings.load(request.model.path, key)
        if stored is None or not scorer.add_embedding_arrays(key, stored):
            return None
    return Exemplar(key, None, None, float(row.score))


def _exemplar_count(count: int) -> str:
    return f"{count} exemplar" + ("" if count == 1 else "s")


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
                 parent: QObject | None = None, embeddings: EmbeddingStore | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.registry = registry
        self.settings = settings
        self.auto_score = settings.value(AUTO_SCORE_KEY, True, bool)
        self.workers = WorkerRunner(self)
        self._scorers: dict = {}
        self._embeddings = embeddings or EmbeddingStore()
        self._waiting_for_library = False
        state.take_changed.connect(self._on_take_changed)
        state.library_changed.connect(self._on_library_changed)
        registry.active_changed.connect(self._on_model_changed)

    # ------------------------------------------------------------------ API
    @property
    def busy(self) -> bool:
        """Whether a scoring request is running (or waiting for the library index)."""
        return self.workers.busy() or self._waiting_for_library

    @property
    def scorer(self):
        """The loaded :class:`models.scorer.Scorer` of the active model, or None before the first score."""
        return self._scorers.get(self.registry.active().path)

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
        request = ScoringRequest(take, session.path, session.event, model, library, self._scorers,
                                 self._embeddings)
        self.workers.start(score_take, request, yielded=self._on_progress, returned=self._on_scored,
                           errored=self._on_failed)
        self.busy_changed.emit(True)
        self.status.emit(f"Scoring take {take.take_id} …")

    def frame_shown(self) -> None:
        """A frame of the take is on screen: a score waiting for the library imports the scoring runtime now.

        Not earlier: importing torch holds the interpreter for a second or two, which would
        delay the take's first picture.
        """
        if self._waiting_for_library and "models.scorer" not in sys.modules and not self.workers.busy(RUNTIME_CHANNEL):
            self.workers.start(import_scoring_runtime, channel=RUNTIME_CHANNEL, errored=self._on_failed)

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
        self._scorers.clear()
        self.state.set_scoring(None)
        if self.busy or (self.auto_score and self.state.take is not None):
            self.score_current()

    def _on_progress(self, step: tuple[int, int, str]) -> None:
        self.progress.emit(*step)
        self.status.emit(step[2])

    def _on_scored(self, result: ScoringResult) -> None:
        self.busy_changed.emit(False)
        self.state.set_scoring(result)
        against = f" against {_exemplar_count(len(result.exemplars))}" if result.exemplars else ""
        self.status.emit(f"Scored take {result.take_id}: {result.predicted:.2f}{against} "
                         f"(model {result.model_name} {result.model_version})")

    def _on_failed(self, error: Exception) -> None:
        self.busy_changed.emit(False)
        self.failed.emit("Scoring failed", str(error))
