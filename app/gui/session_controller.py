"""Opens sessions and takes, indexes the library beside them, and re-triangulates.

The library of a session's folder is indexed once, in a worker, and put in the
viewer state, where the browser, the exemplar and scoring controllers and the
dialogs read it. Background jobs run in a :class:`app.gui.workers.WorkerRunner`:
a result whose request is no longer current (the user opened something else
meanwhile) is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from analysis.session.contract import SessionFormatError
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.frame_prefetch import FramePrefetcher
from app.gui.settings import AppSettings
from app.gui.workers import WorkerRunner
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle


class SessionController(QObject):
    """The application's side of opening things.

    Signals
    -------
    failed(str, str)
        A title and a message naming the file and the problem, for an error dialog.
    busy(str)
        A status message for long work ('' when done).
    notice(str)
        Something the user should know that needs no dialog, for the status bar
        (camera files not found, or found again).
    """

    failed = Signal(str, str)
    busy = Signal(str)
    notice = Signal(str)

    def __init__(self, state: ViewerState, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.settings = settings
        self.prefetcher: FramePrefetcher | None = None
        self.workers = WorkerRunner(self)
        self._library_root: Path | None = None

    # --------------------------------------------------------------- opening
    def open_file(self, path: str | Path, take_id: str | None = None, video_root: Path | None = None) -> bool:
        """Open a session file and show ``take_id`` (default: the first take with video, else the first).

        Its camera files are looked for in ``video_root`` when given, else in
        the folder remembered for this session (:meth:`locate_videos`), else
        beside it. Camera files not found are told in one ``notice`` (the
        tiles say which); how the found ones disagree with the session, in one
        ``failed``. On a bad file, emits ``failed`` and keeps the current session open.
        """
        path = Path(path)
        try:
            session = Session.open(path, video_root=video_root or self.settings.video_root(path))
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
        if session.missing_videos() or session.refused_videos():
            self.notice.emit(missing_videos_message(session))
        if session.file_warnings:
            self.failed.emit("Session opened with warnings", "\n\n".join(session.file_warnings))
        self.scan_library(path.parent)   # first: the take's exemplars are then looked up in this folder
        self.open_take(take_id)
        return True

    def locate_videos(self, folder: Path) -> bool:
        """Open the current session again with its camera files looked for in ``folder``.

        The take and frame stay. When the folder holds some of the files that
        were missing, it is remembered for this session, which opens with it
        from then on. Returns whether every camera file is found now.
        """
        session, take = self.state.session, self.state.take
        if session is None:
            return False
        before = len(session.missing_videos()) + len(session.refused_videos())
        frame = self.state.frame
        if not self.open_file(session.path, take.take_id if take is not None else None, video_root=Path(folder)):
            return False
        reopened = self.state.session
        after = len(reopened.missing_videos()) + len(reopened.refused_videos())
        if after < before:
            self.settings.set_video_root(reopened.path, Path(folder))
        if self.state.take is not None:
            self.state.seek(min(frame, self.state.n_frames - 1))
        if after == 0:
            self.notice.emit(f"Every camera file found in {folder}")
        return after == 0

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
        """Index ``folder`` in the background into ``state.library`` (skipped if it is already the library).

        The state holds no library (None) until the index is ready.
        """
        folder = Path(folder).resolve()
        if folder == self._library_root:
            return
        self._library_root = folder
        self.state.set_library(None)
        self.busy.emit(f"Indexing library {folder} …")
        self.workers.start(Library.scanning, folder, channel="library",
                           yielded=lambda step: self.busy.emit(f"Indexing library {folder} … {step[0]}/{step[1]}"),
                           returned=self._library_scanned, errored=self._library_failed)

    def _library_scanned(self, library: Library) -> None:
        self.busy.emit("")
        self.state.set_library(library)

    def _library_failed(self, error: Exception) -> None:
        self._library_root = None   # asking again scans again
        self._worker_failed(error)

    # -------------------------------------------------------- re-triangulate
    def retriangulate(self, excluded_views: tuple[str, ...], threshold_px: float | None = None) -> None:
        """Triangulate the current take again without ``excluded_views``, in the background."""
        from viewer.model.take_bundle_ops import retriangulated_bundle

        bundle = self.state.take
        if bundle is None:
            return
        names = ", ".join(excluded_views) or "no view"
        self.busy.emit(f"Re-triangulating without {names} …")
        args = (bundle, tuple(excluded_views)) + (() if threshold_px is None else (threshold_px,))
        self.workers.start(retriangulated_bundle, *args, channel="retriangulation",
                           returned=lambda new: self._retriangulated(bundle, new), errored=self._worker_failed)

    def _retriangulated(self, old, new) -> None:
        if self.state.take is not old:
            return
        self.busy.emit("")
        frame = self.state.frame
        self.state.set_take(new)
        self.state.seek(frame)

    def _worker_failed(self, error: Exception) -> None:
        self.busy.emit("")
        self.failed.emit("Background job failed", str(error))

    def close(self) -> None:
        """Stop the background jobs (waiting for them), the decoding, and close the session."""
        self.workers.close()
        self._library_root = None
        if self.prefetcher is not None:
            self.prefetcher.close()
            self.prefetcher = None
        if self.state.session is not None:
            session = self.state.session
            self.state.set_session(None)
            session.close()


def missing_videos_message(session: Session) -> str:
    """One line about a session's camera files that were not found or were refused, for the status bar."""
    missing = sorted(set(session.missing_videos().values()))
    refused = session.refused_videos()
    parts = []
    if missing:
        example = f"{missing[0]}" + (f" and {len(missing) - 1} more" if len(missing) > 1 else "")
        parts.append(f"video not found: {example}")
    if refused:
        parts.append(f"{len(refused)} video path(s) refused")
    return (f"{session.path.name}: " + "; ".join(parts)
            + " — showing poses only; File → Locate videos… to find them")
