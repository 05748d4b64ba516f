"""Opens sessions and takes, indexes the library beside them, and re-triangulates.

The library of a session's folder is indexed in a worker once the take's first
frame is on screen (the index is cached on disk, so this takes a moment unless
files are new) and put in the viewer state, where the browser, the exemplar and
scoring controllers and the dialogs read it; the progress goes there too. A
folder watcher indexes the library again (only what changed) when files are
added, removed or replaced. Background jobs run in a
:class:`app.gui.workers.WorkerRunner`: a result whose request is no longer
current (the user opened something else meanwhile) is dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from analysis.session.contract import SessionFormatError
from analysis.session.library import Library
from analysis.session.reader import Session
from analysis.session.safe_open import open_session
from app.gui.frame_prefetch import FramePrefetcher
from app.gui.settings import AppSettings
from app.gui.workers import WorkerRunner
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle, load_take_bundle

#: What reading a take of a session that opened may still raise, on data the contract cannot rule out.
_TAKE_ERRORS = (SessionFormatError, KeyError, ValueError, IndexError, MemoryError)

#: How long the library scan waits for the first frame of a take to be painted before starting anyway, ms.
SCAN_AFTER_MS = 500
#: Quiet time after a change in the library folder before it is indexed again, ms.
REFRESH_AFTER_MS = 400


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
        self._scan_waiting = False
        self._refresh_wanted = False
        self._scan_timer = QTimer(self, singleShot=True, interval=SCAN_AFTER_MS, timeout=self._start_waiting_scan)
        self._refresh_timer = QTimer(self, singleShot=True, interval=REFRESH_AFTER_MS, timeout=self.refresh_library)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _folder: self._refresh_timer.start())

    # --------------------------------------------------------------- opening
    def open_file(self, path: str | Path, take_id: str | None = None, video_root: Path | None = None) -> bool:
        """Open a session file and show ``take_id`` (default: the first take with video, else the first).

        Its camera files are looked for in ``video_root`` when given, else in
        the folder remembered for this session (:meth:`locate_videos`), else
        beside it. The file is first read in a child process (a file that
        crashes the HDF5 library takes only the child down), then opened, and
        the take loaded; only then does the window switch to it. Camera files
        not found are told in one ``notice`` (the tiles say which); how the
        found ones disagree with the session, in one ``failed``. On a bad file,
        emits ``failed`` naming the file and keeps the current session and take.
        """
        path = Path(path)
        self.busy.emit(f"Reading {path} …")
        try:
            session = open_session(path, video_root=video_root or self.settings.video_root(path),
                                   start_method="forkserver")
        except SessionFormatError as error:
            self.failed.emit("Cannot open session", str(error))
            return False
        finally:
            self.busy.emit("")
        if not session.takes:
            session.close()
            self.failed.emit("Cannot open session", f"{path}: the session has no takes")
            return False
        if take_id not in session.takes:
            with_video = [t.take_id for t in session.takes.values() if t.video_views]
            take_id = (with_video or list(session.takes))[0]
        bundle = self._load_take(session, take_id, "Cannot open session")
        if bundle is None:
            session.close()
            return False
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
        self.scan_library(path.parent, after_first_frame=True)   # first: no exemplar comes from the old folder
        self._show(bundle)
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
        """Load and show a take of the current session (on failure the shown take stays)."""
        session = self.state.session
        if session is None:
            return False
        bundle = self._load_take(session, take_id, "Cannot open take")
        if bundle is None:
            return False
        self._show(bundle)
        return True

    def _load_take(self, session: Session, take_id: str, title: str) -> TakeBundle | None:
        """The take's bundle, or None after emitting ``failed`` with a message naming the file."""
        try:
            return load_take_bundle(session, take_id)
        except _TAKE_ERRORS as error:
            message = str(error.args[0] if isinstance(error, KeyError) and error.args else error) or type(error).__name__
            self.failed.emit(title, message if str(session.path) in message else f"{session.path}: {message}")
            return None

    def _show(self, bundle: TakeBundle) -> None:
        self.state.set_take(bundle)
        self.settings.set_last_session(self.state.session.path, bundle.info.take_id)

    def open_take_in_file(self, path: Path, take_id: str) -> bool:
        """Open ``take_id`` of ``path``, switching session only if it is another file."""
        session = self.state.session
        if session is not None and session.path.resolve() == Path(path).resolve():
            return self.open_take(take_id)
        return self.open_file(path, take_id)

    def frames(self, take_id: str, frame: int, sizes=None):
        """Decoded frames of every view (the video grid's source), at ``sizes`` (``FramePrefetcher.frames``)."""
        if self.prefetcher is None:
            return []
        return self.prefetcher.frames(take_id, frame, sizes)

    def frame_ready(self, take_id: str, frame: int) -> bool:
        """Whether ``frame`` is decoded (playback's decode-ahead source, with :meth:`decode_ahead`)."""
        return self.prefetcher is not None and self.prefetcher.frame_ready(take_id, frame)

    def decode_ahead(self, take_id: str, frames: Sequence[int]) -> None:
        """Decode ``frames`` of ``take_id`` in the background, in this order."""
        if self.prefetcher is not None:
            self.prefetcher.decode_ahead(take_id, frames)

    # --------------------------------------------------------------- library
    def scan_library(self, folder: Path, after_first_frame: bool = False) -> None:
        """Index ``folder`` in the background into ``state.library`` (skipped if it is already the library).

        The state holds no library (None) until the index is ready. With
        ``after_first_frame``, the scan waits for :meth:`frame_shown` (at most
        :data:`SCAN_AFTER_MS`), so it does not delay the first picture.
        """
        folder = Path(folder).resolve()
        if folder == self._library_root:
            return
        self._library_root = folder
        self.workers.cancel("library")
        self.state.set_library(None)
        self._watch(folder)
        self._scan_waiting = after_first_frame
        if after_first_frame:
            self._scan_timer.start()
        else:
            self._start_scan()

    def frame_shown(self) -> None:
        """The video grid painted a frame: a library scan waiting for it starts now."""
        if self._scan_waiting:
            self._scan_timer.start(0)

    def refresh_library(self) -> None:
        """Index the library again; only new and changed files are read (the folder watcher calls this)."""
        if self._library_root is None or self._scan_waiting:
            return
        if self.workers.busy("library"):
            self._refresh_wanted = True
            return
        self._start_scan()

    def _start_waiting_scan(self) -> None:
        if self._scan_waiting:
            self._scan_waiting = False
            self._start_scan()

    def _start_scan(self) -> None:
        folder = self._library_root
        self._refresh_wanted = False
        self.workers.start(Library.scanning, folder, channel="library",
                           yielded=lambda step: self._scan_progress(folder, *step),
                           returned=self._library_scanned, errored=self._library_failed)

    def _scan_progress(self, folder: Path, done: int, total: int) -> None:
        self.state.set_library_progress(done, total)
        self.busy.emit(f"Indexing library {folder} … {done}/{total} files")

    def _library_scanned(self, library: Library) -> None:
        self.busy.emit("")
        self.state.set_library_progress(0, 0)
        self._watch(library.root)
        current = self.state.library
        unchanged = (current is not None and current.root == library.root and current.problems == library.problems
                     and current.index.equals(library.index))
        if not unchanged:
            self.state.set_library(library)
        if self._refresh_wanted:
            self.refresh_library()

    def _library_failed(self, error: Exception) -> None:
        self._library_root = None   # asking again scans again
        self.state.set_library_progress(0, 0)
        self._worker_failed(error)

    def _watch(self, folder: Path) -> None:
        """Watch ``folder`` and its subfolders (only those) for added, removed and replaced files."""
        folders = {str(folder)} | {os.path.join(parent, name) for parent, names, _ in os.walk(folder) for name in names}
        watched = set(self._watcher.directories())
        if watched - folders:
            self._watcher.removePaths(sorted(watched - folders))
        if folders - watched:
            self._watcher.addPaths(sorted(folders - watched))

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
        self._scan_waiting = False
        self._scan_timer.stop()
        self._refresh_timer.stop()
        if self._watcher.directories():
            self._watcher.removePaths(self._watcher.directories())
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
