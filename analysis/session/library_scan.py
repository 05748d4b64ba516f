"""Reading the index rows of session files in worker processes, so a file that crashes cannot.

Some corrupt files make the HDF5 library itself crash (a segmentation fault) or
hang: neither can be caught in the process that reads them. The library scan
therefore reads files in a few long-lived worker processes, handing each worker
one file at a time. A worker that dies or overruns its time takes only its
current file with it: that file is reported as a problem naming it, and a fresh
worker carries on with the rest.

Workers are forked from this process when it runs a single thread (cheap: they
inherit the imported modules); a process with threads of its own (the GUI) asks
for the ``"forkserver"`` start method, since forking a threaded process can copy
a lock that another thread holds.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path

from analysis.session.contract import EVENT_NAMES, SessionFormatError
from analysis.session.reader import Session
from analysis.session.safe_open import reader_death_problem

#: Columns of the library index (one row per take) and the type of their values. ``athlete_name``
#: is the name to show (:func:`athlete_display_name`); ``position`` the take's place in its session.
INDEX_SCHEMA = {
    "file": str, "take": str, "event": str, "level": int, "action": str, "action_name": str, "athlete": str,
    "athlete_name": str, "score": float, "is_exemplar": bool, "n_frames": int, "has_video": bool, "position": int,
}
INDEX_COLUMNS = tuple(INDEX_SCHEMA)
#: Seconds a worker may spend on one file before it is stopped and the file reported.
FILE_TIMEOUT_S = 60.0
#: Seconds a worker may take to start (a first "forkserver" start imports the reader).
STARTUP_TIMEOUT_S = 60.0
#: Most worker processes one scan starts (fewer on a machine with fewer cores).
MAX_WORKERS = 4

RowReader = Callable[[Path, str], list[tuple]]
_READY = "ready"
_DYING_S = 5.0   # how long a worker whose pipe closed is given to end


@dataclass(frozen=True)
class FileIndex:
    """What a scan learnt about one file.

    Attributes
    ----------
    file : str
        Path relative to the library folder, with ``/`` separators.
    rows : tuple of tuple
        One row per take, values in :data:`INDEX_COLUMNS` order (empty for a problem file).
    problem : str or None
        Why the file is not in the index, naming it; None for a valid session.
    """

    file: str
    rows: tuple[tuple, ...]
    problem: str | None = None


def session_rows(path: Path, file: str) -> list[tuple]:
    """Index rows of the session at ``path`` (opened and checked as :meth:`Session.open` does).

    Raises
    ------
    SessionFormatError
        If the file breaks the contract.
    """
    with Session.open(path) as session:
        name = athlete_display_name(session.athlete, session.title, session.event)
        return [
            (file, take.take_id, session.event, session.level, take.action, take.action_name, session.athlete,
             name, take.score, take.is_exemplar, take.n_frames, bool(take.video_views), position)
            for position, take in enumerate(session.takes.values())
        ]


def athlete_display_name(athlete: str, title: str | None, event: str) -> str:
    """The athlete's name for lists: what precedes the event in a title such as
    ``"Lena K., Women's floor exercise, level 3"``, else the ``athlete`` attribute itself."""
    parts = (title or "").split(", ")
    if len(parts) >= 2 and parts[1] == EVENT_NAMES.get(event) and parts[0].strip():
        return parts[0].strip()
    return athlete


def scan_files(root: Path, files: Sequence[str], read: RowReader = session_rows, workers: int | None = None,
               timeout_s: float = FILE_TIMEOUT_S) -> Generator[FileIndex, None, None]:
    """Read ``files`` (relative to ``root``) in worker processes; yield each one's :class:`FileIndex` when done.

    Parameters
    ----------
    root : Path
        The library folder.
    files : sequence of str
        Relative paths, handed out in this order.
    read : callable
        ``read(path, file) -> rows`` run in the workers (a module-level function).
    workers : int, optional
        Worker processes (default: the cores, at most :data:`MAX_WORKERS`, at most one per file).
    timeout_s : float
        A worker still on one file after this long is stopped and the file reported.

    Closing the generator stops the workers.
    """
    pending = list(reversed(files))
    count = min(workers or min(os.cpu_count() or 1, MAX_WORKERS), len(pending))
    context = multiprocessing.get_context(_start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload([__name__])
    pool = [_Worker(context, root, read) for _ in range(count)]
    try:
        while active := [worker for worker in pool if worker.file is not None or (not worker.ready and pending)]:
            deadline = min(worker.started + (timeout_s if worker.ready else STARTUP_TIMEOUT_S) for worker in active)
            ready = wait([w.connection for w in active] + [w.process.sentinel for w in active],
                         timeout=max(0.0, deadline - time.monotonic()))
            for worker in active:
                if not worker.ready:
                    worker.await_ready(ready)
                    if worker.ready:
                        worker.hand(pending)
                    continue
                result = worker.collect(ready, timeout_s)
                if result is None:
                    continue
                if worker.process.exitcode is None:
                    worker.hand(pending)
                elif pending:
                    pool[pool.index(worker)] = _Worker(context, root, read)
                yield result
    finally:
        for worker in pool:
            worker.stop()


class _Worker:
    """One worker process and the file it is reading (None while starting or idle)."""

    def __init__(self, context, root: Path, read: RowReader) -> None:
        self.connection, child_end = context.Pipe(duplex=True)
        self.process = context.Process(target=_serve, args=(child_end, str(root), read),
                                       name="library-scan", daemon=True)
        self.process.start()
        child_end.close()
        self.root = root
        self.ready = False
        self.file: str | None = None
        self.started = time.monotonic()

    def await_ready(self, ready: list) -> None:
        """Note the worker's word that it has started.

        Raises
        ------
        RuntimeError
            If it ended or overran :data:`STARTUP_TIMEOUT_S` before (no file is to blame).
        """
        if self.connection in ready:
            try:
                self.ready = self.connection.recv() == _READY
            except (EOFError, OSError):
                pass
        elif self.process.sentinel not in ready and time.monotonic() - self.started < STARTUP_TIMEOUT_S:
            return
        if not self.ready:
            self.stop()
            raise RuntimeError(f"the library scan could not start a worker process (exit code {self.process.exitcode})")

    def hand(self, pending: list[str]) -> None:
        """Give the worker the next pending file, if any."""
        self.file = pending.pop() if pending else None
        if self.file is not None:
            self.started = time.monotonic()
            self.connection.send(self.file)

    def collect(self, ready: list, timeout_s: float) -> FileIndex | None:
        """The worker's result if it has one (or died, or overran its time), else None."""
        file = self.file
        if self.connection in ready:
            try:
                return FileIndex(file, *self.connection.recv())
            except (EOFError, OSError):
                pass   # it is dying: its end of the pipe closed
        elif self.process.sentinel not in ready and time.monotonic() - self.started < timeout_s:
            return None
        overran = self.connection not in ready and self.process.sentinel not in ready
        self.process.join(timeout=0 if overran else _DYING_S)
        self.stop()
        self.file = None
        problem = reader_death_problem(self.process.exitcode, overran, timeout_s)
        return FileIndex(file, (), str(SessionFormatError(self.root / file, "/", problem)))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.connection.close()


def _serve(connection: Connection, root: str, read: RowReader) -> None:
    """Worker body: read the files the parent sends until it closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C is the parent's to handle
    connection.send(_READY)
    while True:
        try:
            file = connection.recv()
        except (EOFError, OSError):
            return
        path = Path(root) / file
        try:
            outcome = (tuple(read(path, file)), None)
        except SessionFormatError as error:
            outcome = ((), str(error))
        except MemoryError:
            outcome = ((), str(SessionFormatError(path, "/", "reading it needs more memory than there is; "
                                                               "the file is corrupt")))
        except Exception as error:  # noqa: BLE001 - a reader bug must not end the scan
            outcome = ((), str(SessionFormatError(path, "/", f"unreadable ({type(error).__name__}: "
                                                               f"{str(error)[:200]})")))
        connection.send(outcome)


def _start_method() -> str:
    """``fork`` in a process that runs one thread and no Qt (whose threads run Python unseen), else ``forkserver``."""
    alone = threading.active_count() == 1 and threading.current_thread() is threading.main_thread()
    return "fork" if alone and "PySide6.QtCore" not in sys.modules else "forkserver"
