"""An event-loop heartbeat for the GUI benchmarks: how late a timer that should fire every 50 ms comes.

A beat more than :data:`STALL_S` late means the window was frozen that long (no input handled,
nothing painted). Counted per phase of a benchmark, with the latest beat of each phase.
"""

from __future__ import annotations

import time
from collections import Counter

from PySide6.QtCore import QTimer

STALL_S = 0.2
BEAT_S = 0.05


class Heartbeat:
    """Counts event-loop stalls (beats that come more than :data:`STALL_S` late) and the latest beat, by phase."""

    def __init__(self) -> None:
        self.phase = "start"
        self.stalls: Counter = Counter()
        self.worst: dict[str, float] = {}
        self._last = time.monotonic()
        self._timer = QTimer(interval=int(BEAT_S * 1000))
        self._timer.timeout.connect(self._beat)
        self._timer.start()

    def _beat(self) -> None:
        now = time.monotonic()
        late = now - self._last - BEAT_S
        self._last = now
        self.worst[self.phase] = max(self.worst.get(self.phase, 0.0), late)
        if late > STALL_S:
            self.stalls[self.phase] += 1

    def report(self, phases: tuple[str, ...]) -> str:
        """One line: per phase, the stalls counted and how late its latest beat came."""
        return "event-loop stalls > 200 ms: " + ", ".join(
            f"{phase} {self.stalls[phase]} (latest beat {self.worst.get(phase, 0.0) * 1000:.0f} ms late)"
            for phase in phases)
