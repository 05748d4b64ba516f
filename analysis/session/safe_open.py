"""Open an unknown session file only after a child process has read it without dying.

Some corruptions (one flipped byte in an attribute's string type) make the
HDF5 library itself crash: a segmentation fault cannot be caught, and in the
process that opened the file it would take the command or the whole window
down. :func:`validate_session_file` therefore reads the file first in a
child process: everything opening reads, and by default every pose, score
and penalty array of every take and the first encoded frame of each view
(what the commands go on to read). A child that dies, hangs or runs out of
memory becomes a :class:`SessionFormatError` naming the file; a child that
refuses the file passes its error on. Only then is the file opened here.

The child is forked from this process (cheap: it inherits the imported
modules). A process that runs threads of its own (the GUI) asks for the
``"forkserver"`` start method instead: forking a threaded process can copy a
lock that another thread holds.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import signal
import threading
from pathlib import Path

from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session

#: Seconds the child may take to read a file before it is stopped and the file refused.
VALIDATION_TIMEOUT_S = 60.0


def start_reader_server() -> None:
    """Start the fork server that session files are read from (here and by the library scan) now.

    For a starting GUI: the server's interpreter imports the reader on the other core
    while the window is built, so the first file opened does not wait for it.
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload([__name__, "analysis.session.library_scan"])
    multiprocessing.forkserver.ensure_running()


def validate_session_file(path: str | Path, read_arrays: bool = True, video_root: str | Path | None = None,
                          start_method: str | None = None, timeout_s: float = VALIDATION_TIMEOUT_S) -> None:
    """Read ``path`` in a child process; raise :class:`SessionFormatError` if that fails in any way.

    Parameters
    ----------
    path : path
        The session file.
    read_arrays : bool
        Also read every take's arrays and first frames, not only what opening reads.
    video_root : path, optional
        As for :meth:`Session.open`.
    start_method : {"fork", "forkserver"}, optional
        Default: ``"fork"`` when this process runs a single Python thread, else ``"forkserver"``.
    timeout_s : float
        The child is stopped after this long and the file refused.
    """
    path = Path(path)
    if start_method is None:
        start_method = "fork" if threading.active_count() == 1 else "forkserver"
    context = multiprocessing.get_context(start_method)
    if start_method == "forkserver":
        context.set_forkserver_preload([__name__])
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(sender, str(path), read_arrays, video_root),
                            name="session-validation", daemon=True)
    child.start()
    sender.close()
    outcome, timed_out = None, False
    try:
        timed_out = not receiver.poll(timeout_s)
        outcome = None if timed_out else receiver.recv()
    except EOFError:
        outcome = None
    finally:
        receiver.close()
        if outcome is None and child.is_alive():
            child.kill()
        child.join()
    if outcome is None:
        raise SessionFormatError(path, "/", reader_death_problem(child.exitcode, timed_out, timeout_s))
    if outcome[0] == "refused":
        raise SessionFormatError(path, outcome[1], outcome[2])


def open_session(path: str | Path, read_arrays: bool = True, video_root: str | Path | None = None,
                 start_method: str | None = None) -> Session:
    """:func:`validate_session_file`, then :meth:`Session.open` in this process."""
    validate_session_file(path, read_arrays, video_root, start_method)
    return Session.open(path, video_root=video_root) if video_root is not None else Session.open(path)


def reader_death_problem(exitcode: int | None, timed_out: bool, timeout_s: float) -> str:
    """Why a child process reading a session file ended without an answer, for the user: it overran
    ``timeout_s`` (seconds), was killed by a signal (the reader crashed) or died otherwise."""
    if timed_out:
        return f"reading it did not finish within {timeout_s:g} s; the file is corrupt or far too large"
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"reading it crashed the reading process ({name}); the file is corrupt"
    return "reading it failed before any error could be reported; the file is corrupt or far too large"


def _read_in_child(sender, path: str, read_arrays: bool, video_root: str | Path | None) -> None:
    try:
        kwargs = {} if video_root is None else {"video_root": video_root}
        with Session.open(path, **kwargs) as session:
            if read_arrays:
                read_everything(session)
        sender.send(("read",))
    except SessionFormatError as error:
        sender.send(("refused", error.where, error.problem))
    except MemoryError:
        sender.send(("refused", "/", "reading it needs more memory than there is; the file is corrupt or far too large"))
    except Exception as error:  # a reader bug must not open the file in the parent either
        sender.send(("refused", "/", f"unreadable ({type(error).__name__}: {str(error)[:200]})"))
    finally:
        sender.close()


def read_everything(session: Session) -> None:
    """Read every pose, score and penalty array of every take and each view's first embedded frame
    (what the commands go on to read), so that whatever is wrong with them raises now."""
    for take_id, take in session.takes.items():
        session.pose2d(take_id)
        session.pose3d(take_id)
        session.pose3d_reference(take_id)
        session.judge_scores(take_id)
        session.penalties(take_id)
        for view in take.video_views:
            session.encoded_frame(take_id, view, 0)
