"""Work for a widget that may be out of sight (a dock tab behind another): done when it can be seen."""

from __future__ import annotations

import weakref
from collections.abc import Callable

from PySide6.QtWidgets import QDockWidget, QWidget


class WhenShown:
    """``method()`` (of ``widget``) run at once while the user can see ``widget``, else once they can.

    A take switch reaches every panel; those behind another tab only note that they are
    out of date (:attr:`stale`) and catch up when their tab is chosen, so the switch does
    not pay for what nobody sees. Qt keeps a dock behind another tab "visible" (moved out
    of the window), so what counts is whether the dock holding the widget shows any of it.
    The widget calls :meth:`flush` from its ``showEvent``, and so do readers of its contents.
    """

    def __init__(self, widget: QWidget, method: Callable[[], None]) -> None:
        # weak: the widget holds this object, and a cycle would leave the widget's end to the garbage collector
        self._widget = weakref.ref(widget)
        self._method = weakref.WeakMethod(method)
        self._stale = False
        self._watched_dock: QDockWidget | None = None

    @property
    def stale(self) -> bool:
        """Whether a requested update waits for the widget to be seen."""
        return self._stale

    def request(self) -> None:
        if self._in_sight():
            self._stale = False
            self._run()
        else:
            self._stale = True
            self._watch_dock()

    def flush(self) -> None:
        """Run a waiting update now."""
        if self._stale:
            self._stale = False
            self._run()

    def _run(self) -> None:
        method = self._method()
        if method is not None:
            method()

    def _in_sight(self) -> bool:
        widget = self._widget()
        if widget is None or not widget.isVisible():
            return False
        dock = self._dock()
        return dock is None or not dock.visibleRegion().isEmpty()

    def _dock(self) -> QDockWidget | None:
        parent = self._widget()
        while parent is not None and not isinstance(parent, QDockWidget):
            parent = parent.parentWidget()
        return parent

    def _watch_dock(self) -> None:
        dock = self._dock()
        if dock is not None and dock is not self._watched_dock:
            dock.visibilityChanged.connect(self._on_dock_visibility)   # a tab chosen, a dock shown
            self._watched_dock = dock

    def _on_dock_visibility(self, visible: bool) -> None:
        if visible:
            self.flush()
