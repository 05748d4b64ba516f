"""Opens sessions and takes, scans the library beside them, and runs background jobs.

Only this application layer starts threads. Workers return results; they are
applied on the GUI thread, and a result whose request id is no longer current
(the user opened something else meanwhile) is dropped.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from superqt.utils import create_worker

from analysis.session.contract import SessionFormatError
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.frame_prefetch import FramePrefetcher
from app.gui.settings import AppSettings
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle


class SessionController(QObject):
    """The application's side of opening things.

    Signals
    -------
    failed(str, str)
        A title and a message naming the file and the problem, for an error dialog.
    library_ready(Library)
    busy(str)
        A status message for long work ('' when done).
    """

    failed = Signal(str, str)
    library_ready = Signal(object)
    busy = Signal(str)

    def __init__(self, state: ViewerState, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self.prefetcher: FramePrefetcher | None = None
        self._requests = itertools.count(1)
        self._library_request = 0
        self._retriangulation_request = 0
        self._library_root: Path | None = None
        self._workers: set = set()

    # --------------------------------------------------------------- opening
    def open_file(self, path: str | Path, take_id: str | None = None) -> bool:
        """Open a session file and show ``take_id`` (default: the first take with video, else the first).

        On a bad file, emits ``failed`` and keeps the current session open.
        """
        path = Path(path)
        try:
            session = Session.open(path)
        except SessionFormatError as error:
            self.failed.emit("Cannot open session", str(error))
            return False
        if not session.takes:
            session.close()
            self.failed.emit("Cannot open session", f"{path}: the session has no takes")
            return False
        if take_id not in session.takes:
            with_video = [t.take_id for t in session.takes.values() if t.video_views]
            take_id = (with_video or list(session.takes))[0]
        previous = self.state.session
        if self.prefetcher is not None:
            self.prefetcher.close()
        self.prefetcher = FramePrefetcher(session)
        self.state.set_session(session)
        if previous is not None:
            previous.close()
        self.settings.add_recent_file(path)
        for warning in session.warnings:
            self.failed.emit("Session opened with warnings", warning)
        self.open_take(take_id)
        self.scan_library(path.parent)
        return True

    def open_take(self, take_id: str) -> bool:
        """Load and show a take of the current session."""
        session = self.state.session
        if session is None:
            return False
        try:
            bundle = load_take_bundle(session, take_id)
        except (SessionFormatError, KeyError) as error:
            self.failed.emit("Cannot open take", str(error.args[0] if isinstance(error, KeyError) else error))
            return False
        self.state.set_take(bundle)
        self.settings.set_last_session(session.path, take_id)
        return True

    def open_take_in_file(self, path: Path, take_id: str) -> bool:
        """Open ``take_id`` of ``path``, switching session only if it is another file."""
        session = self.state.session
        if session is not None and session.path.resolve() == Path(path).resolve():
            return self.open_take(take_id)
        return self.open_file(path, take_id)

    def frames(self, take_id: str, frame: int):
        """Decoded frames of every view (the video grid's source)."""
        if self.prefetcher is None:
            return []
        return self.prefetcher.frames(take_id, frame)

    def frame_ready(self, take_id: str, frame: int) -> bool:
        """Whether ``frame`` is decoded (playback's decode-ahead source, with :meth:`decode_ahead`)."""
        return self.prefetcher is not None and self.prefetcher.frame_ready(take_id, frame)

    def decode_ahead(self, take_id: str, frames: Sequence[int]) -> None:
        """Decode ``frames`` of ``take_id`` in the background, in this order."""
        if self.prefetcher is not None:
            self.prefetcher.decode_ahead(take_id, frames)

    # --------------------------------------------------------------- library
    def scan_library(self, folder: Path) -> None:
        """Index ``folder`` in the background; emits ``library_ready`` (skipped if already shown)."""
        folder = Path(folder).resolve()
        if folder == self._library_root:
            return
        self._library_root = folder
        request = self._library_request = next(self._requests)
        self.busy.emit(f"Indexing library {folder} …")
        self._start(Library.scan, folder, returned=lambda library: self._library_scanned(request, library))

    def _library_scanned(self, request: int, library: Library) -> None:
        if request != self._library_request:
            return
        self.busy.emit("")
        self.library_ready.emit(library)

    # -------------------------------------------------------- re-triangulate
    def retriangulate(self, excluded_views: tuple[str, ...], threshold_px: float | None = None) -> None:
        """Triangulate the current take again without ``excluded_views``, in the background."""
        from viewer.model.take_bundle_ops import retriangulated_bundle

        bundle = self.state.take
        if bundle is None:
            return
        request = self._retriangulation_request = next(self._requests)
        names = ", ".join(excluded_views) or "no view"
        self.busy.emit(f"Re-triangulating without {names} …")
        args = (bundle, tuple(excluded_views)) + (() if threshold_px is None else (threshold_px,))
        self._start(retriangulated_bundle, *args,
                    returned=lambda new: self._retriangulated(request, bundle, new))

    def _retriangulated(self, request: int, old, new) -> None:
        if request != self._retriangulation_request or self.state.take is not old:
            return
        self.busy.emit("")
        frame = self.state.frame
        self.state.set_take(new)
        self.state.seek(frame)

    # ---------------------------------------------------------------- workers
    def _start(self, function, *args, returned) -> None:
        worker = create_worker(function, *args, _start_thread=False)
        worker.returned.connect(returned)
        worker.errored.connect(lambda error: self._worker_failed(error))
        worker.finished.connect(lambda: self._workers.discard(worker))
        self._workers.add(worker)
        worker.start()

    def _worker_failed(self, error: Exception) -> None:
        self.busy.emit("")
        self.failed.emit("Background job failed", str(error))

    def close(self) -> None:
        if self.prefetcher is not None:
            self.prefetcher.close()
            self.prefetcher = None
        if self.state.session is not None:
            session = self.state.session
            self.state.set_session(None)
            session.close()
