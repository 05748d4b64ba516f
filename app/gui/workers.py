"""The one way the application runs work in the background.

A :class:`WorkerRunner` starts a function or a generator in a superqt worker and
hands its progress (what a generator yields), its result or its error to
callbacks on the GUI thread. Each request belongs to a *channel* (one kind of
job of its owner: "library", "align", ...); starting a request makes it the
channel's current one, and whatever an older request of the channel delivers
afterwards is dropped as stale, as is anything delivered after
:meth:`WorkerRunner.cancel`.

The runner owns its thread pool and keeps every worker, with the QObject its
signals come from, until the worker has finished; :meth:`WorkerRunner.close`
stops generators at their next step and waits for every worker, so no worker
can outlive the runner and emit from a deleted object.

What the workers of every runner deliver is handed over one item per turn of the
event loop (:class:`_Deliveries`): a take's data, its kinematics, its score and its
exemplar often arrive together, and each reaction, with the repaint it causes, is a
good part of a frame; run back to back they would freeze the window for their sum.
"""

from __future__ import annotations

import inspect
import itertools
from collections import deque
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, QTimer
from superqt.utils import WorkerBase, create_worker

DEFAULT_CHANNEL = "default"
_STOPPED = object()  # what a generator stopped for being stale returns


class _Deliveries:
    """Calls queued on the GUI thread, run in order, one per turn of the event loop (a zero-time timer
    each), so that input, timers and repaints are handled between them."""

    def __init__(self) -> None:
        self._queue: deque[Callable[[], None]] = deque()
        self._scheduled = False

    def post(self, call: Callable[[], None]) -> None:
        """Run ``call()`` after the calls posted before it, in a later turn of the event loop."""
        self._queue.append(call)
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self._run_next)

    def _run_next(self) -> None:
        call = self._queue.popleft()
        if self._queue:
            QTimer.singleShot(0, self._run_next)   # the next one in the next turn, whatever this one raises
        else:
            self._scheduled = False
        call()


_deliveries = _Deliveries()


class WorkerRunner(QObject):
    """Background workers of one owner (a controller or a dialog), by channel.

    Parameters
    ----------
    parent : QObject, optional
        The owner; the runner is closed (and waits for its workers) when the owner is destroyed.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._ids = itertools.count(1)
        self._current: dict[str, int] = {}
        self._workers: set[WorkerBase] = set()
        current = self._current
        # the pool, a child, waits for its workers when the owner goes; nothing reaches the owner after that
        self.destroyed.connect(lambda: current.clear())

    # ------------------------------------------------------------------ API
    def start(self, function: Callable, *args: Any, errored: Callable[[Exception], None],
              returned: Callable[[Any], None] | None = None, yielded: Callable[[Any], None] | None = None,
              dropped: Callable[[Any], None] | None = None, channel: str = DEFAULT_CHANNEL) -> int:
        """Run ``function(*args)`` in a worker; it becomes the current request of ``channel``.

        Parameters
        ----------
        function : callable
            A plain function, or a generator function: then each value it yields goes
            to ``yielded`` (only a generator takes one), and :meth:`cancel` stops it at
            its next ``yield``.
        errored, returned, yielded : callable, optional
            Called on the GUI thread with the error, the return value or each yielded
            value, only while the request is its channel's current one.
        dropped : callable, optional
            Called on the GUI thread with a return value that arrived stale, to release
            what it holds (e.g. close a file the worker opened).
        channel : str
            Requests of one channel supersede each other; other channels are independent.

        Returns
        -------
        int
            The request id (see :meth:`is_current`).
        """
        request = next(self._ids)
        self._current[channel] = request
        if inspect.isgeneratorfunction(function):
            worker = create_worker(self._until_stale, channel, request, function(*args), _start_thread=False,
                                   _ignore_errors=True)
        else:
            worker = create_worker(function, *args, _start_thread=False, _ignore_errors=True)
        post = _deliveries.post
        if yielded is not None:
            worker.yielded.connect(lambda value: post(partial(self._deliver, channel, request, yielded, value,
                                                              final=False)))
        worker.returned.connect(lambda value: post(partial(self._deliver, channel, request, returned, value,
                                                           dropped=dropped)))
        worker.errored.connect(lambda error: post(partial(self._deliver, channel, request, errored, error)))
        worker.finished.connect(lambda: post(partial(self._finished, worker, channel, request)))
        self._workers.add(worker)
        self._pool.start(worker)
        return request

    def is_current(self, request: int, channel: str = DEFAULT_CHANNEL) -> bool:
        """Whether ``request`` is the current request of ``channel`` and has delivered no result or error yet."""
        return self._current.get(channel) == request

    def busy(self, channel: str = DEFAULT_CHANNEL) -> bool:
        """Whether the current request of ``channel`` has not delivered its result or error yet."""
        return channel in self._current

    def cancel(self, channel: str = DEFAULT_CHANNEL) -> None:
        """Drop whatever the running requests of ``channel`` deliver from now on; stop generators at their next step."""
        self._current.pop(channel, None)

    def close(self, wait_ms: int = -1) -> bool:
        """Cancel every channel and wait up to ``wait_ms`` (-1: as long as it takes) for the workers to end.

        Returns
        -------
        bool
            Whether every worker has finished.
        """
        self._current.clear()
        done = self._pool.waitForDone(wait_ms)
        if done:
            self._workers.clear()
        return done

    # ------------------------------------------------------------- delivery
    def _until_stale(self, channel: str, request: int, generator: Generator) -> Generator:
        """Worker body of a generator: its values and its return value; once the request is stale, it
        is closed at its next ``yield`` instead of running the next step, and :data:`_STOPPED` is returned."""
        try:
            while True:
                if not self.is_current(request, channel):
                    generator.close()
                    return _STOPPED
                yield next(generator)
        except StopIteration as done:
            return done.value

    def _deliver(self, channel: str, request: int, callback: Callable[[Any], None] | None, value: Any,
                 final: bool = True, dropped: Callable[[Any], None] | None = None) -> None:
        """Hand ``value`` to ``callback`` if the request is current; a result or an error ends the request."""
        if self.is_current(request, channel):
            if final:
                del self._current[channel]
            if callback is not None:
                callback(value)
        elif dropped is not None and value is not _STOPPED:
            dropped(value)

    def _finished(self, worker: WorkerBase, channel: str, request: int) -> None:
        self._workers.discard(worker)
        if self.is_current(request, channel):
            del self._current[channel]
