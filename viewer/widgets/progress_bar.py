"""Setting a progress bar without an immediate repaint.

``QProgressBar.setValue`` repaints the bar at once (synchronously) whenever what it shows
changes, and a repaint inside a large window costs milliseconds: a job reporting hundreds
of steps then holds the GUI thread that long at every step. With updates off while the
range and value change, the bar is painted once, at the next paint of the window.
"""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar


def show_progress(bar: QProgressBar, value: int, maximum: int) -> None:
    """Show ``value`` of ``0..maximum`` on ``bar`` (``maximum`` 0: busy, no known end), painted later."""
    bar.setUpdatesEnabled(False)
    bar.setRange(0, maximum)
    bar.setValue(value)
    bar.setUpdatesEnabled(True)
