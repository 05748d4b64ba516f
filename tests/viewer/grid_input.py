"""Mouse input on the video grid for the tests: positions of camera pixels, drags, clicks, the wheel."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.helpers import widget_pixels
from viewer.widgets.video_grid import VideoGrid

#: The view the drawing tests draw on.
VIEW = "cam2"


def wheel(grid: VideoGrid, position: QPointF, notches: float) -> None:
    """Turn the mouse wheel ``notches`` notches (negative: towards the user) over widget point ``position``."""
    event = QWheelEvent(position, grid.mapToGlobal(position), QPoint(), QPoint(0, round(120 * notches)),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(grid, event)


def at(grid: VideoGrid, point, view: str = VIEW) -> QPoint:
    """Widget position of camera pixel ``point`` of ``view``."""
    x, y = grid.tile_geometry(view).map(point)
    return QPoint(round(x), round(y))


def drag(qtbot, grid: VideoGrid, points) -> None:
    """Press at the first camera pixel of :data:`VIEW`, move through the others, release at the last."""
    qtbot.mousePress(grid, Qt.MouseButton.LeftButton, pos=at(grid, points[0]))
    for point in points[1:]:
        qtbot.mouseMove(grid, at(grid, point))
    qtbot.mouseRelease(grid, Qt.MouseButton.LeftButton, pos=at(grid, points[-1]))


def clicks(qtbot, grid: VideoGrid, points) -> None:
    """Move to and click each camera pixel of :data:`VIEW` in turn."""
    for point in points:
        qtbot.mouseMove(grid, at(grid, point))
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=at(grid, point))


def is_yellow(pixel) -> bool:
    red, green, blue = (int(c) for c in pixel)
    return red > 200 and green > 170 and blue < 130


def yellow_near(grid: VideoGrid, point, radius: int = 2) -> bool:
    shown = widget_pixels(grid)
    x, y = at(grid, point).x(), at(grid, point).y()
    return any(is_yellow(p) for p in shown[y - radius:y + radius + 1, x - radius:x + radius + 1].reshape(-1, 3))
