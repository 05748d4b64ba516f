"""Opens sessions and takes, indexes the library beside them, and re-triangulates.

What the user opens (File > Open, a drop, a recent file, a take in the browser) is read
and loaded in a worker (:mod:`app.gui.take_loading`) while the window stays live, and
the window switches once the take is ready; scripts and tests open and wait
(:meth:`SessionController.open_file`). A take's kinematics, which a panel asks for, are
computed in a worker too.

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
from collections.abc import Generator, Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.frame_prefetch import FramePrefetcher
from app.gui.settings import AppSettings
from app.gui.take_loading import LoadedTake, OpenFailed, compute_kinematics, load_file, load_take
from app.gui.workers import WorkerRunner
from viewer.model.library_listing import library_listing
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle

#: How long the library scan waits for the first frame of a take to be painted before starting anyway, ms.
SCAN_AFTER_MS = 500
#: Quiet time after a change in the library folder before it is indexed again, ms.
REFRESH_AFTER_MS = 400


def scan_and_list(folder: Path) -> Generator[tuple[int, int], None, Library]:
    """Worker body: :meth:`Library.scanning` of ``folder``, then the browser's listing of it
    (:func:`viewer.model.library_listing.library_listing`), so the GUI thread finds the rows ready."""
    library = yield from Library.scanning(folder)
    library_listing(library)
    return library


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
        state.kinematics_requested.connect(self._compute_kinematics)

    # --------------------------------------------------------------- opening
    def request_file(self, path: str | Path, take_id: str | None = None) -> None:
        """Open a session file as :meth:`open_file` does, in the background: the window stays live.

        The window switches once the file is read and the take loaded; on a bad file,
        ``failed`` is emitted and the current session and take stay. A later request
        (or :meth:`open_file`) supersedes this one.
        """
        path = Path(path)
        self.busy.emit(f"Opening {path} …")
        self.workers.start(load_file, path, take_id, self.settings.video_root(path), False, channel="open",
                           returned=self._loaded, errored=self._open_failed, dropped=LoadedTake.release)

    def request_take_in_file(self, path: Path, take_id: str) -> None:
        """Show ``take_id`` of ``path`` in the background, switching session only if it is another file."""
        session = self.state.session
        if session is None or session.path.resolve() != Path(path).resolve():
            self.request_file(path, take_id)
            return
        self.busy.emit(f"Opening {take_id} …")
        self.workers.start(load_take, session, take_id, False, channel="open",
                           returned=self._loaded, errored=self._open_failed)

    @property
    def opening(self) -> bool:
        """Whether a file or take requested is still being loaded."""
        return self.workers.busy("open")

    def open_file(self, path: str | Path, take_id: str | None = None, video_root: Path | None = None) -> bool:
        """Open a session file and show ``take_id`` (default: the first take with video, else the first).

        Its camera files are looked for in ``video_root`` when given, else in
        the folder remembered for this session (:meth:`locate_videos`), else
        beside it. The file is first read in a child process (a file that
        crashes the HDF5 library takes only the child down), then opened, and
        the take loaded with its kinematics; only then does the window switch
        to it. Camera files not found are told in one ``notice`` (the tiles say
        which); how the found ones disagree with the session, in one ``failed``.
        On a bad file, emits ``failed`` naming the file and keeps the current
        session and take. Returns when done (:meth:`request_file` does not wait).
        """
        path = Path(path)
        self.workers.cancel("open")
        self.busy.emit(f"Reading {path} …")
        try:
            self._switch(load_file(path, take_id, video_root or self.settings.video_root(path), True))
        except OpenFailed as error:
            self.failed.emit(error.title, error.message)
            return False
        finally:
            self.busy.emit("")
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
        """Load and show a take of the current session, with its kinematics (on failure the shown take stays)."""
        session = self.state.session
        if session is None:
            return False
        self.workers.cancel("open")
        try:
            self._switch(load_take(session, take_id, True))
        except OpenFailed as error:
            self.failed.emit(error.title, error.message)
            return False
        return True

    def _loaded(self, loaded: LoadedTake) -> None:
        """A requested take is loaded: show it, unless its session is no longer the one it was loaded from."""
        self.busy.emit("")
        if loaded.opened or loaded.session is self.state.session:
            self._switch(loaded)

    def _open_failed(self, error: Exception) -> None:
        if not isinstance(error, OpenFailed):
            self._worker_failed(error)
            return
        self.busy.emit("")
        self.failed.emit(error.title, error.message)

    def _switch(self, loaded: LoadedTake) -> None:
        """Show the loaded take, switching to its session first when it was opened for it."""
        if loaded.opened:
            self._switch_session(loaded.session)
        self.state.set_take(loaded.bundle)
        self.settings.set_last_session(loaded.session.path, loaded.bundle.info.take_id)

    def _switch_session(self, session: Session) -> None:
        previous = self.state.session
        if self.prefetcher is not None:
            self.prefetcher.close()
        self.prefetcher = FramePrefetcher(session)
        self.state.set_session(session)
        if previous is not None:
            previous.close()
        self.settings.add_recent_file(session.path)
        if session.missing_videos() or session.refused_videos():
            self.notice.emit(missing_videos_message(session))
        if session.file_warnings:
            self.failed.emit("Session opened with warnings", "\n\n".join(session.file_warnings))
        self.scan_library(session.path.parent, after_first_frame=True)   # first: no exemplar comes from the old folder

    def _compute_kinematics(self, take: TakeBundle) -> None:
        """A panel needs the take's kinematics: computed in a worker, then announced in the state."""
        self.workers.start(compute_kinematics, take, channel="kinematics",
                           returned=self.state.kinematics_computed, errored=self._worker_failed)

    def frames(self, take_id: str, frame: int, sizes=None, overlays=None):
        """Decoded frames of every view (the video grid's source), at ``sizes`` with ``overlays`` drawn in
        (``FramePrefetcher.frames``)."""
        if self.prefetcher is None:
            return []
        return self.prefetcher.frames(take_id, frame, sizes, overlays)

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
        self.workers.start(scan_and_list, folder, channel="library",
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
