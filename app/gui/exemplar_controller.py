"""Finds, loads and aligns the take the current take is compared with: an exemplar, or any other take.

When the take (or the library) changes, the exemplars of the take's action in
``state.library`` are ranked by :func:`analysis.exemplars.take_exemplars` and
put in the viewer state as the candidates, with the action's other takes
(:func:`analysis.exemplars.other_takes`); the best exemplar is loaded and
aligned (DTW, in the compute process: :mod:`app.gui.compute_process`) and handed to the viewer state. Every candidate and
other take stays selectable (:meth:`ExemplarController.choose`). Stale results
are dropped, and the sessions they opened are closed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, QTimer, Signal

from analysis.exemplars import other_takes, take_exemplars
from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from app.gui.compute_process import ComputeProcess, shared_compute_process
from app.gui.workers import WorkerRunner
from viewer.model.exemplar_bundle import (
    ExemplarBundle,
    build_exemplar_bundle,
    no_exemplar_message,
)
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle, load_take_bundle


def _load_and_align(path, take_id: str, athlete: str, trainee: TakeBundle,
                    compute: ComputeProcess) -> tuple[Session, ExemplarBundle]:
    """Worker body: the exemplar read here (its session stays open for its video), aligned in ``compute``."""
    session = Session.open(path)
    try:
        exemplar = load_take_bundle(session, take_id)
        return session, compute.run(build_exemplar_bundle, trainee, exemplar, path, athlete)
    except BaseException:
        session.close()
        raise


class ExemplarController(QObject):
    """The application's side of exemplar comparison.

    Signals
    -------
    failed(str, str)
        A title and a message, for the status bar or an error dialog.
    busy(str)
        A status message while an exemplar is being aligned ('' when done).
    """

    failed = Signal(str, str)
    busy = Signal(str)

    def __init__(self, state: ViewerState, parent: QObject | None = None,
                 compute: ComputeProcess | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.workers = WorkerRunner(self)
        self._compute = compute or shared_compute_process()
        self._session: Session | None = None
        # in an event-loop turn of its own (ranking a large library's candidates takes a while), once for
        # a take and a library that come together
        self._propose_soon = QTimer(self, singleShot=True, interval=0, timeout=self._propose)
        state.take_changed.connect(lambda _take: self._propose_soon.start())
        state.library_changed.connect(lambda _library: self._propose_soon.start())
        state.exemplar_changed.connect(self._on_exemplar_changed)

    # ------------------------------------------------------------------ API
    def exemplar_frame(self, view: str, frame: int) -> np.ndarray | None:
        """Decoded BGR frame of the shown exemplar in ``view`` at its own ``frame``, or None without video."""
        exemplar = self.state.exemplar
        if exemplar is None or self._session is None or not self._session.has_video(exemplar.take.take_id, view):
            return None
        return self._session.frame(exemplar.take.take_id, view, frame)

    def choose(self, file: str, take_id: str) -> None:
        """Load, align and show take ``take_id`` of library ``file`` (an index ``file`` value): one of
        the exemplar candidates or of the other takes of the action."""
        trainee, library = self.state.take, self.state.library
        if trainee is None or library is None:
            return
        rows = library.index
        match = rows[(rows["file"] == file) & (rows["take"] == take_id)]
        athlete = str(match["athlete"].iloc[0]) if len(match) else ""
        self.busy.emit(f"Aligning {take_id} …")
        self.workers.start(_load_and_align, library.path_of(file), take_id, athlete, trainee, self._compute,
                           returned=lambda result: self._aligned(trainee, result),
                           dropped=lambda result: result[0].close(), errored=self._worker_failed)

    def close(self) -> None:
        """Stop aligning (waiting for the worker) and close the exemplar's session."""
        self._propose_soon.stop()
        self.workers.close()
        self._replace_session(None)

    # --------------------------------------------------------------- reactions
    def _propose(self) -> None:
        """Rank the candidates of the current take and align the best one."""
        if self.workers.busy():
            self.workers.cancel()
            self.busy.emit("")
        library, session, take = self.state.library, self.state.session, self.state.take
        if library is None or session is None or take is None:
            self.state.set_exemplar_candidates(pd.DataFrame())
            self.state.set_other_takes(pd.DataFrame())
            return
        candidates = take_exemplars(library, session.path, take.take_id, take.info.action, session.event)
        self.state.set_exemplar_candidates(candidates)
        self.state.set_other_takes(other_takes(library, session.path, take.take_id, take.info.action,
                                               session.athlete, candidates))
        if candidates.empty:
            self.failed.emit("No exemplar", no_exemplar_message(take.info.action_name, library.root))
            return
        best = candidates.iloc[0]
        self.choose(str(best["file"]), str(best["take"]))

    def _on_exemplar_changed(self, exemplar: ExemplarBundle | None) -> None:
        if exemplar is None:
            self._replace_session(None)

    def _aligned(self, trainee: TakeBundle, result: tuple[Session, ExemplarBundle]) -> None:
        session, bundle = result
        if self.state.take is not trainee:
            session.close()
            return
        self.busy.emit("")
        self.state.set_exemplar(None)
        self._replace_session(session)
        self.state.set_exemplar(bundle)

    def _replace_session(self, session: Session | None) -> None:
        if self._session is not None and self._session is not session:
            self._session.close()
        self._session = session

    def _worker_failed(self, error: Exception) -> None:
        self.busy.emit("")
        if isinstance(error, (SessionFormatError, ValueError, KeyError, FileNotFoundError)):
            self.failed.emit("Cannot compare with the exemplar", str(error))
        else:
            self.failed.emit("Exemplar comparison failed", f"{type(error).__name__}: {error}")
