"""A job's progress steps do not each repaint the window on the spot; the bar shows the last one."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QProgressBar, QVBoxLayout, QWidget

from viewer.widgets.progress_bar import show_progress


class PaintCounter(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.paints = 0

    def eventFilter(self, _watched, event) -> bool:
        self.paints += event.type() == QEvent.Type.Paint
        return False


def test_progress_steps_are_painted_once_later_not_each_at_once(qtbot):
    window = QWidget()
    bar = QProgressBar(window)
    QVBoxLayout(window).addWidget(bar)
    qtbot.addWidget(window)
    window.resize(600, 80)
    window.show()
    qtbot.waitExposed(window)
    counter = PaintCounter()
    bar.installEventFilter(counter)
    for step in range(1, 31):
        show_progress(bar, step, 30)
    assert counter.paints == 0                      # nothing painted while the steps come in
    qtbot.waitUntil(lambda: counter.paints > 0)
    assert bar.value() == 30 and bar.maximum() == 30
    painted = counter.paints
    for step in range(1, 31):                       # what Qt's own setValue does: a paint per visible change
        bar.setValue(step - 1)
    assert counter.paints > painted + 10
