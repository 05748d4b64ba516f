"""A second process for the window's heavy numeric work: scoring (torch), kinematics and alignment (scipy).

The window's interpreter runs one Python thread at a time. A worker thread that
imports torch (about 1.5 s) or scipy.signal (about 1 s), or that scores, holds it
for long stretches, and every repaint waits: the window froze. Those jobs run here
instead, in one child process started from the reader's fork server (so it starts
in milliseconds, without Qt) that imports them on the other core while the window
starts, and keeps loaded models between jobs.

A job is a module-level function and its arguments, pickled; a generator function's
yields come back as progress, and a job given up by its caller is stopped at its next
yield. One job runs at a time: callers on several worker threads wait their turn. A
child that dies (killed, crashed) fails its job with :class:`ComputeProcessDied`, and
the next job starts a new child. This module imports no Qt.
"""

from __future__ import annotations

import importlib
import inspect
import multiprocessing
import os
import pickle
import signal
import threading
from collections.abc import Callable, Generator
from typing import Any

#: Modules the child imports as soon as it starts, in this order (what the first jobs need first).
PRELOAD = ("analysis.motion.kinematics", "scipy.signal", "analysis.motion.comparison", "app.gui.scoring_job",
           "models.scorer", "app.cli.scoring")
#: How much lower the priority of the child's preloading is (Linux niceness of that thread): the window's
#: start and its first file read go first, the imports take the CPU time they leave.
PRELOAD_NICENESS = 10
#: Seconds :meth:`ComputeProcess.close` waits for the child to end before it is killed.
CLOSE_TIMEOUT_S = 2.0


class ComputeProcessDied(RuntimeError):
    """The compute process ended while it ran a job (killed, crashed, out of memory)."""


class ComputeProcess:
    """The child process and the pipe to it; thread-safe.

    Parameters
    ----------
    preload : sequence of str
        Modules the child imports as it starts, in a thread at lower priority (jobs run meanwhile).
    """

    def __init__(self, preload: tuple[str, ...] = PRELOAD) -> None:
        self._preload = tuple(preload)
        self._lock = threading.Lock()
        self._process = None
        self._connection = None

    def start(self) -> None:
        """Start the child now (if it is not running), so that its imports overlap with other work."""
        with self._lock:
            self._ensure_running()

    def run(self, function: Callable, *args: Any) -> Any:
        """``function(*args)`` in the child; its result, or the exception it raised, raised here."""
        steps = self.steps(function, *args)
        try:
            while True:
                next(steps)
        except StopIteration as done:
            return done.value

    def steps(self, function: Callable, *args: Any) -> Generator[Any, None, Any]:
        """``function(*args)`` in the child, a generator: yields what the function's generator yields and
        returns its return value. Closing this generator early stops the job at its next yield."""
        with self._lock:
            connection = self._ensure_running()
            self._send(connection, (function, args))
            finished = False
            try:
                while True:
                    kind, value = self._receive(connection)
                    if kind == "progress":
                        yield value
                        continue
                    finished = True
                    if kind == "error":
                        raise value
                    return value
            finally:
                if not finished:
                    self._stop_job(connection)

    def close(self) -> None:
        """End the child (it finishes the job it runs, or is killed after :data:`CLOSE_TIMEOUT_S`)."""
        with self._lock:
            process, connection = self._process, self._connection
            self._process = self._connection = None
        if connection is not None:
            try:
                connection.send(None)
            except OSError:
                pass
            connection.close()
        if process is not None:
            process.join(CLOSE_TIMEOUT_S)
            if process.is_alive():
                process.kill()
                process.join()

    # ------------------------------------------------------------- helpers
    def _ensure_running(self):
        if self._process is not None and self._process.is_alive():
            return self._connection
        self._forget()
        context = multiprocessing.get_context("forkserver")
        here, there = context.Pipe()
        process = context.Process(target=serve, args=(there, self._preload), name="lucid-compute", daemon=True)
        process.start()
        there.close()
        self._process, self._connection = process, here
        return here

    def _send(self, connection, message) -> None:
        try:
            connection.send(message)
        except (OSError, EOFError) as error:
            raise self._died() from error

    def _receive(self, connection) -> tuple[str, Any]:
        try:
            return connection.recv()
        except (OSError, EOFError) as error:
            raise self._died() from error

    def _stop_job(self, connection) -> None:
        """Tell the child to give up the job, and read what it sends until it has."""
        try:
            connection.send("stop")
            while connection.recv()[0] != "stopped":   # every "stop" is answered once, after the job's last word
                pass
        except (OSError, EOFError):
            self._forget()

    def _died(self) -> ComputeProcessDied:
        if self._process is not None:
            self._process.join(CLOSE_TIMEOUT_S)   # its end is seen on the pipe first: wait to read its exit code
        code = None if self._process is None else self._process.exitcode
        self._forget()
        how = f" (killed by signal {-code})" if code is not None and code < 0 else ""
        return ComputeProcessDied(f"the compute process stopped{how} before it finished; "
                                  "try again (a new one is started)")

    def _forget(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.join(0.1)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()
        self._process = self._connection = None


_shared: ComputeProcess | None = None
_shared_lock = threading.Lock()


def shared_compute_process() -> ComputeProcess:
    """The application's one compute process (started by its first job, or by :meth:`ComputeProcess.start`)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ComputeProcess()
        return _shared


# ------------------------------------------------------------------ the child
def serve(connection, preload: tuple[str, ...]) -> None:
    """The child's loop: run jobs until the pipe closes or says ``None``, while a thread imports ``preload``
    one module at a time (a job waits at most for the module being imported, not for all of them)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C in a terminal is the window's to handle
    threading.Thread(target=_import_all, args=(preload,), name="preload", daemon=True).start()
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        if job == "stop":       # a stop that crossed the job's end
            _reply(connection, ("stopped", None))
            continue
        with _one_at_a_time:
            _run_job(connection, *job)


#: Held by the preloading thread while it imports one module, and by a job while it runs: two threads
#: importing torch's package tree at once can meet a module the other has only half initialised.
_one_at_a_time = threading.Lock()


def _import_all(names: tuple[str, ...]) -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PRELOAD_NICENESS)   # this thread only, on Linux
    except (AttributeError, OSError):
        pass
    for name in names:
        with _one_at_a_time:
            try:
                importlib.import_module(name)
            except ImportError:
                pass   # the job that needs it reports the error


def _run_job(connection, function: Callable, args: tuple) -> None:
    try:
        result = function(*args)
        if inspect.isgenerator(result):
            result = _run_steps(connection, result)
            if result is _STOPPED:
                return
        _reply(connection, ("result", result))
    except Exception as error:
        _reply(connection, ("error", portable_exception(error)))


_STOPPED = object()


def _run_steps(connection, steps: Generator) -> Any:
    """Send each yield of ``steps`` as progress; stop at a yield when the parent said ``"stop"``."""
    try:
        while True:
            value = next(steps)
            if connection.poll():
                message = connection.recv()      # during a job the parent only says "stop", or None to end
                steps.close()
                if message == "stop":
                    _reply(connection, ("stopped", None))
                return _STOPPED
            _reply(connection, ("progress", value))
    except StopIteration as done:
        return done.value


def _reply(connection, message: tuple[str, Any]) -> None:
    try:
        connection.send(message)
    except (OSError, EOFError):
        pass   # the parent went away: the next recv ends the loop


def portable_exception(error: Exception) -> Exception:
    """``error`` if it survives pickling, else a RuntimeError with its type and message."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
