"""Finds, loads and aligns the exemplar the current take is compared with.

When the take changes, the library of the session's folder is searched for the
exemplars of the same action; the best one is loaded and aligned (DTW) in a
worker thread and handed to the viewer state. The other exemplars stay
selectable (:meth:`ExemplarController.choose`). Stale results, by request id,
are dropped, and the sessions they opened are closed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from PySide6.QtCore import QObject, Signal
from superqt.utils import create_worker

from analysis.motion.kinematics import sex_for_event
from analysis.session.contract import SessionFormatError
from analysis.session.library import Library
from analysis.session.reader import Session
from viewer.model.exemplar_bundle import ExemplarBundle, build_exemplar_bundle
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle, load_take_bundle


def rank_exemplars(index: pd.DataFrame, action: str, event: str, exclude: tuple[str, str]) -> pd.DataFrame:
    """The exemplars of ``action`` in a library index, best first.

    Exemplars with video first (every exemplar is penalty-free, and footage is
    what a coach compares against), then best score, then the trainee's event,
    then an event of the same sex; ``exclude`` (file, take) — the trainee's own
    take — is never proposed.

    Parameters
    ----------
    index : DataFrame
        :attr:`analysis.session.library.Library.index`.
    action, event : str
        The trainee take's action code and its session's event.
    exclude : (str, str)
        ``file`` (as in the index) and take id of the trainee's take.
    """
    rows = index[(index["action"] == action) & index["is_exemplar"]]
    rows = rows[~((rows["file"] == exclude[0]) & (rows["take"] == exclude[1]))]
    sex = sex_for_event(event)
    keys = pd.DataFrame({
        "has_video": rows["has_video"],
        "score": rows["score"].fillna(-np.inf),
        "same_event": rows["event"] == event,
        "same_sex": [sex_for_event(e) == sex for e in rows["event"]],
    }, index=rows.index)
    order = keys.sort_values(["has_video", "score", "same_event", "same_sex"], ascending=False, kind="stable").index
    return rows.loc[order].reset_index(drop=True)


def _scan_and_rank(folder: Path, action: str, event: str, exclude_path: Path, take_id: str) -> tuple[Library, pd.DataFrame]:
    library = Library.scan(folder)
    return library, rank_exemplars(library.index, action, event, (exclude_path.relative_to(folder).as_posix(), take_id))


def _load_and_align(path: Path, take_id: str, athlete: str, trainee: TakeBundle,
                    fps: float) -> tuple[Session, ExemplarBundle]:
    session = Session.open(path)
    try:
        exemplar = load_take_bundle(session, take_id)
        return session, build_exemplar_bundle(trainee, exemplar, path, athlete, fps)
    except BaseException:
        session.close()
        raise


class ExemplarController(QObject):
    """The application's side of exemplar comparison.

    Signals
    -------
    candidates_changed(DataFrame)
        The exemplars of the current take's action, best first (library index rows
        of :func:`rank_exemplars`); empty when there are none.
    failed(str, str)
        A title and a message, for the status bar or an error dialog.
    busy(str)
        A status message while an exemplar is being aligned ('' when done).
    """

    candidates_changed = Signal(object)
    failed = Signal(str, str)
    busy = Signal(str)

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.candidates = pd.DataFrame()
        self.library: Library | None = None
        self._session: Session | None = None
        self._requests = itertools.count(1)
        self._request = 0
        self._workers: set = set()
        state.take_changed.connect(self._on_take_changed)
        state.exemplar_changed.connect(self._on_exemplar_changed)

    # ------------------------------------------------------------------ API
    def exemplar_frame(self, view: str, frame: int) -> np.ndarray | None:
        """Decoded BGR frame of the shown exemplar in ``view`` at its own ``frame``, or None without video."""
        exemplar = self.state.exemplar
        if exemplar is None or self._session is None or not self._session.has_video(exemplar.take.take_id, view):
            return None
        return self._session.frame(exemplar.take.take_id, view, frame)

    def choose(self, file: str, take_id: str) -> None:
        """Load, align and show exemplar ``take_id`` of library ``file`` (an index ``file`` value)."""
        trainee, session = self.state.take, self.state.session
        if trainee is None or session is None or self.library is None:
            return
        rows = self.candidates
        match = rows[(rows["file"] == file) & (rows["take"] == take_id)] if not rows.empty else rows
        athlete = str(match["athlete"].iloc[0]) if len(match) else ""
        request = self._request = next(self._requests)
        self.busy.emit(f"Aligning exemplar {take_id} …")
        self._start(_load_and_align, self.library.path_of(file), take_id, athlete, trainee, session.fps,
                    returned=lambda result: self._aligned(request, trainee, result))

    def close(self) -> None:
        self._request = next(self._requests)
        self._replace_session(None)

    # --------------------------------------------------------------- reactions
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        session = self.state.session
        self._request = next(self._requests)
        self.candidates = pd.DataFrame()
        self.candidates_changed.emit(self.candidates)
        if take is None or session is None:
            return
        request = self._request
        folder = session.path.parent.resolve()
        self._start(_scan_and_rank, folder, take.info.action, session.event, session.path.resolve(), take.take_id,
                    returned=lambda result: self._ranked(request, result))

    def _on_exemplar_changed(self, exemplar: ExemplarBundle | None) -> None:
        if exemplar is None:
            self._replace_session(None)

    def _ranked(self, request: int, result: tuple[Library, pd.DataFrame]) -> None:
        if request != self._request:
            return
        self.library, self.candidates = result
        self.candidates_changed.emit(self.candidates)
        if self.candidates.empty:
            action = self.state.take.info.action_name if self.state.take is not None else ""
            self.failed.emit("No exemplar", f"No exemplar of {action} in {self.library.root}")
            return
        best = self.candidates.iloc[0]
        self.choose(str(best["file"]), str(best["take"]))

    def _aligned(self, request: int, trainee: TakeBundle, result: tuple[Session, ExemplarBundle]) -> None:
        session, bundle = result
        if request != self._request or self.state.take is not trainee:
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

    # ---------------------------------------------------------------- workers
    def _start(self, function, *args, returned) -> None:
        worker = create_worker(function, *args, _start_thread=False)
        worker.returned.connect(returned)
        worker.errored.connect(self._worker_failed)
        worker.finished.connect(lambda: self._workers.discard(worker))
        self._workers.add(worker)
        worker.start()

    def _worker_failed(self, error: Exception) -> None:
        self.busy.emit("")
        if isinstance(error, (SessionFormatError, ValueError, KeyError, FileNotFoundError)):
            self.failed.emit("Cannot compare with the exemplar", str(error))
        else:
            self.failed.emit("Exemplar comparison failed", f"{type(error).__name__}: {error}")
