"""F: one video view alone, full screen, with the transport bar; F or Esc again brings the layout back."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar

from viewer.model.state import ViewerState
from viewer.widgets.video_grid import VideoGrid


class FullScreenView(QObject):
    """Shows one view of ``grid`` alone with ``window`` full screen, and restores the window's layout after.

    The docks and tool bars are hidden (their layout is saved and restored); the
    menu bar, transport bar and status bar stay, so every key keeps working.
    """

    def __init__(self, window: QMainWindow, grid: VideoGrid, state: ViewerState) -> None:
        super().__init__(window)
        self._window, self._grid, self._state = window, grid, state
        self._saved: tuple[QByteArray, Qt.WindowState] | None = None
        grid.full_screen_requested.connect(self.enter)

    @property
    def active(self) -> bool:
        return self._saved is not None

    def toggle(self) -> None:
        """Leave full screen, or enter it with the selected view (else the enlarged one, else the first)."""
        if self.active:
            self.leave()
            return
        take = self._state.take
        if take is not None:
            self.enter(self._state.selected_view or self._grid.enlarged_view or take.view_names[0])

    def enter(self, view: str) -> None:
        """Show ``view`` alone, full screen."""
        if self._state.take is None:
            return
        if not self.active:
            self._saved = (self._window.saveState(), self._window.windowState())
            for bar in self._window.findChildren(QDockWidget) + self._window.findChildren(QToolBar):
                bar.hide()
        self._state.select_view(view)
        self._grid.show_single(view)
        self._window.showFullScreen()

    def leave(self) -> None:
        """Back to the grid and the window as it was."""
        if not self.active:
            return
        layout, window_state = self._saved
        self._saved = None
        self._grid.show_single(None)
        self._window.setWindowState(window_state)
        self._window.restoreState(layout)
