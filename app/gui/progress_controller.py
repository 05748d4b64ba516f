"""Scores an athlete's takes of one action in the background, for the progress panel.

Each take is scored by the active model against the exemplars of its action in
``state.library`` (as the scoring panel does); the predictions are cached by
session file (path and modification time), take and model, so going back to an
athlete and action costs nothing. The annotated scores come from the library
index. A request superseded by another (or cancelled) stops at its next take.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from analysis.progress import athlete_action_takes, progress_table
from analysis.session.contract import SessionFormatError
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.model_registry import ModelEntry, ModelRegistry
from app.gui.runtime_import import RUNTIME_IMPORT_LOCK
from app.gui.workers import WorkerRunner
from viewer.model.progress_series import ProgressSeries


@dataclass(frozen=True)
class ProgressRequest:
    """What the worker scores. ``scorers`` and ``predictions`` are caches shared with the GUI thread.

    Attributes
    ----------
    scorers : dict
        Model path to its loaded :class:`models.scorer.Scorer`.
    predictions : dict
        (session path, modification time ns, take, model path) to the predicted score (NaN: not scorable).
    """

    library: Library
    athlete: str
    action: str
    model: ModelEntry
    scorers: dict
    predictions: dict


def score_progress(request: ProgressRequest) -> Generator[tuple[int, int, str], None, ProgressSeries]:
    """Worker body: yields ``(done, total, message)`` per take scored; returns the series."""
    with RUNTIME_IMPORT_LOCK:
        from models.scorer import Scorer

    library = request.library
    rows = athlete_action_takes(library.index, request.athlete, request.action)
    created, take_order, predicted = {}, {}, {}
    done = 0
    for file, group in rows.groupby("file", sort=True):
        path = library.path_of(file)
        try:
            stamp = path.stat().st_mtime_ns
            with Session.open(path) as session:
                created[file], take_order[file] = session.created, session.take_ids
                for take in group["take"]:
                    key = (str(path.resolve()), stamp, take, str(request.model.path))
                    if key not in request.predictions:
                        yield done, len(rows), f"Scoring {take} ({done + 1}/{len(rows)}) …"
                        scorer = request.scorers.get(request.model.path)
                        if scorer is None:
                            scorer = request.scorers[request.model.path] = Scorer.load(request.model.path,
                                                                                       single_thread=True)
                        request.predictions[key] = _predicted(scorer, library, session, take)
                    predicted[(file, take)] = request.predictions[key]
                    done += 1
        except (OSError, SessionFormatError):
            done += len(group)            # a file that went away or broke: its takes stay unscored
    name = str(rows["action_name"].iloc[0]) if len(rows) else request.action
    return ProgressSeries(request.athlete, request.action, name, progress_table(rows, created, take_order, predicted),
                          request.model.name)


def _predicted(scorer, library: Library, session: Session, take: str) -> float:
    from app.cli.scoring import score_library_take

    verdict, _, _ = score_library_take(scorer, library, session, take)
    return math.nan if verdict is None else float(verdict.score)


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

    def __init__(self, registry: ModelRegistry, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.workers = WorkerRunner(self)
        self._scorers: dict = {}
        self._predictions: dict = {}
        registry.active_changed.connect(lambda _entry: self._scorers.clear())

    def busy(self) -> bool:
        return self.workers.busy()

    def request(self, library: Library, athlete: str, action: str) -> None:
        """Score ``athlete``'s takes of ``action`` in ``library`` (a running request is abandoned)."""
        request = ProgressRequest(library, athlete, action, self.registry.active(), self._scorers, self._predictions)
        self.workers.start(score_progress, request, yielded=lambda step: self.progress.emit(*step),
                           returned=self.ready.emit, errored=lambda error: self.failed.emit(str(error)))

    def cancel(self) -> None:
        self.workers.cancel()

    def close(self) -> None:
        self.workers.close()
