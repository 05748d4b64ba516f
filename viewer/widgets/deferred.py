"""A call put off to the next turn of Qt's event loop, where requests made meanwhile become one call."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class Deferred:
    """``function()`` run once at the next turn of the event loop however often it was :meth:`request`-ed.

    A widget whose state changes several times in a row (a take, then its exemplar, then its
    verdict) redraws once; :meth:`flush` runs a pending call now, for readers who need the result.
    """

    def __init__(self, parent: QObject, function: Callable[[], None]) -> None:
        self._timer = QTimer(parent, singleShot=True, interval=0, timeout=function)
        self._function = function

    def request(self) -> None:
        self._timer.start()

    @property
    def pending(self) -> bool:
        """Whether a requested call has not run yet."""
        return self._timer.isActive()

    def flush(self) -> None:
        if self._timer.isActive():
            self._timer.stop()
            self._function()
