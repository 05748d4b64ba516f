"""Scores the current take in the background and hands the verdict to the viewer state.

The take is compared with the K best exemplars of its action found in the
library of its session's folder (never with itself), on CUDA when there is
one. The work runs in a superqt generator worker that reports progress at every
step and can be cancelled between steps; a result whose request id is no longer
current (another take, another model, a cancel) is dropped. The loaded model,
the library index and the exemplars read from disk are kept for the next take.
"""

from __future__ import annotations

import itertools
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, QThreadPool, Signal
from superqt.utils import create_worker

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.session.library import Library
from app.gui.exemplar_controller import rank_exemplars
from app.gui.model_registry import ModelEntry, ModelRegistry
from app.gui.settings import AppSettings
from viewer.model.scoring_result import (
    ExemplarUsed,
    ScoringResult,
    joint_responsibility,
)
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle

AUTO_SCORE_KEY = "scoring/auto_score"


@dataclass(frozen=True)
class ScoringRequest:
    """Everything the worker needs: nothing in it is shared with the GUI thread but the caches."""

    take: TakeBundle
    session_path: Path
    event: str
    model: ModelEntry
    scorer: object | None
    library: Library | None
    exemplar_cache: dict


def score_take(request: ScoringRequest) -> Generator[tuple[int, int, str], None, tuple]:
    """Worker body: yields ``(step, steps, message)``; returns ``(scorer, library, ScoringResult)``.

    Raises
    ------
    ValueError
        If the take has no pose the model can use, or its action has no exemplar in the library.
    """
    from models.scorer import Exemplar, Scorer

    take = request.take
    scorer = request.scorer
    yield 0, 4, f"Loading model {request.model.name} …"
    if scorer is None:
        scorer = Scorer.load(request.model.path, single_thread=True)
    modality = scorer.model.config.modality
    if modality == "pose3d" and take.pose3d is None:
        raise ValueError(f"take {take.take_id} has no 3D pose: it cannot be scored")
    folder = request.session_path.parent
    yield 1, 4, f"Indexing exemplars in {folder.name} …"
    library = request.library if request.library is not None else Library.scan(folder)
    k = scorer.model.config.k_exemplars
    own_file = request.session_path.resolve().relative_to(library.root.resolve()).as_posix()
    ranked = rank_exemplars(library.index, take.info.action, request.event, (own_file, take.take_id)).head(k)
    if scorer.model.network.contrastive and ranked.empty:
        raise ValueError(f"no exemplar of action {take.info.action} ({take.info.action_name}) in {folder}: "
                         f"the take cannot be scored")
    steps = 3 + len(ranked)
    exemplars = []
    for i, row in enumerate(ranked.itertuples()):
        yield 2 + i, steps, f"Reading exemplar {row.take} ({i + 1}/{len(ranked)}) …"
        key = f"{library.path_of(row.file).resolve()}:{row.take}:{modality}"
        if key not in request.exemplar_cache:
            with library.open(row.file) as session:
                request.exemplar_cache[key] = Exemplar(
                    key, session.pose3d(row.take) if modality == "pose3d" else None,
                    session.pose2d(row.take) if modality == "pose2d" else None, float(row.score))
        exemplars.append(request.exemplar_cache[key])
    yield steps - 1, steps, f"Scoring {take.take_id} against {len(exemplars)} exemplar(s) …"
    verdict = scorer.score(take.pose3d, take.pose2d if modality == "pose2d" else None, exemplars)
    catalogue = load_penalty_catalogue()
    codes = tuple(verdict.penalty_codes) if len(verdict.penalty_probabilities) else ()
    result = ScoringResult(
        take_id=take.take_id,
        predicted=float(verdict.score),
        exemplars=tuple(ExemplarUsed(row.file, row.take, str(row.athlete), float(row.score)) for row in ranked.itertuples()),
        penalty_codes=codes,
        penalty_names=tuple(catalogue[c].name if c in catalogue else c for c in codes),
        probabilities=np.asarray(verdict.penalty_probabilities, float),
        heatmap=np.asarray(verdict.heatmap, float).reshape(len(codes), take.n_frames),
        joint_responsibility=joint_responsibility(verdict.penalty_probabilities, codes,
                                                  tuple(take.skeleton.joint_names), catalogue),
        model_name=request.model.name,
        model_version=request.model.version,
    )
    return scorer, library, result


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

    Signals
    -------
    progress(int, int, str)
        Step, number of steps and what is being done.
    busy_changed(bool)
    auto_score_changed(bool)
    failed(str, str)
        A title and a message.
    """

    progress = Signal(int, int, str)
    busy_changed = Signal(bool)
    auto_score_changed = Signal(bool)
    failed = Signal(str, str)

    def __init__(self, state: ViewerState, registry: ModelRegistry, settings: AppSettings,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.registry = registry
        self.settings = settings
        self.auto_score = settings.value(AUTO_SCORE_KEY, True, bool)
        self._scorer = None
        self._scorer_path: Path | None = None
        self._libraries: dict[Path, Library] = {}
        self._exemplar_cache: dict = {}
        self._requests = itertools.count(1)
        self._request = 0
        self._worker = None
        self._workers: set = set()
        state.take_changed.connect(self._on_take_changed)
        state.session_changed.connect(lambda _session: self._libraries.clear())
        registry.active_changed.connect(self._on_model_changed)

    # ------------------------------------------------------------------ API
    @property
    def busy(self) -> bool:
        """Whether a scoring request is running."""
        return self._worker is not None

    @property
    def scorer(self):
        """The loaded :class:`models.scorer.Scorer` of the active model, or None before the first score."""
        return self._scorer if self._scorer_path == self.registry.active().path else None

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
        """Score the current take in the background (a running request is abandoned)."""
        take, session = self.state.take, self.state.session
        if take is None or session is None:
            return
        self.cancel()
        # torch is imported here, on the GUI thread: a module imported by two threads at once is half-initialised
        import models.scorer  # noqa: F401

        model = self.registry.active()
        folder = session.path.parent.resolve()
        request = ScoringRequest(take, session.path, session.event, model, self.scorer,
                                 self._libraries.get(folder), self._exemplar_cache)
        request_id = self._request = next(self._requests)
        worker = create_worker(score_take, request, _start_thread=False, _ignore_errors=True)
        worker.yielded.connect(lambda step: self._on_progress(request_id, step))
        worker.returned.connect(lambda value: self._on_scored(request_id, model, folder, value))
        worker.errored.connect(lambda error: self._on_failed(request_id, error))
        worker.finished.connect(lambda: self._workers.discard(worker))
        self._workers.add(worker)
        self._worker = worker
        self.busy_changed.emit(True)
        worker.start()

    def cancel(self) -> None:
        """Abandon the running request (its worker stops at its next step; its result is dropped)."""
        if self._worker is None:
            return
        self._worker.quit()
        self._worker = None
        self._request = next(self._requests)
        self.busy_changed.emit(False)

    def close(self, wait_ms: int = 3000) -> None:
        """Ask every running worker to stop at its next step and wait up to ``wait_ms`` for them."""
        self.cancel()
        for worker in list(self._workers):
            worker.quit()
        if self._workers:
            QThreadPool.globalInstance().waitForDone(wait_ms)

    # ------------------------------------------------------------ reactions
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self.cancel()
        if take is not None and self.auto_score:
            self.score_current()

    def _on_model_changed(self, _entry: ModelEntry) -> None:
        self._scorer, self._scorer_path = None, None
        self.state.set_scoring(None)
        if self.busy or (self.auto_score and self.state.take is not None):
            self.score_current()

    def _on_progress(self, request_id: int, step: tuple[int, int, str]) -> None:
        if request_id == self._request:
            self.progress.emit(*step)

    def _on_scored(self, request_id: int, model: ModelEntry, folder: Path, value: tuple) -> None:
        scorer, library, result = value
        if model == self.registry.active():
            self._scorer, self._scorer_path = scorer, model.path
        self._libraries[folder] = library
        if request_id != self._request or self.state.take is None or result.take_id != self.state.take.take_id:
            return
        self._worker = None
        self.busy_changed.emit(False)
        self.state.set_scoring(result)

    def _on_failed(self, request_id: int, error: Exception) -> None:
        if request_id != self._request:
            return
        self._worker = None
        self.busy_changed.emit(False)
        self.failed.emit("Scoring failed", str(error))
