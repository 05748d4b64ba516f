"""The one clock that drives playback: a precise QTimer asking the PlaybackClock for the frame due."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer

from viewer.playback_clock import PlaybackClock
from viewer.state import ViewerState

TICK_MS = 4


class PlaybackDriver(QObject):
    """Advances ``state.frame`` while ``state.playing`` is on.

    Frames are derived from elapsed time, so when painting cannot keep up the
    view skips frames rather than drifting behind real time. A seek during
    playback re-anchors the clock at the new frame.
    """

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._clock = PlaybackClock(state.fps)
        self._due_frame: int | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        state.playing_changed.connect(self._on_playing_changed)
        state.speed_changed.connect(lambda _speed: self._anchor())
        state.frame_changed.connect(self._on_frame_changed)
        state.loop_changed.connect(lambda *_: self._anchor())

    def _range(self) -> tuple[int, int]:
        if self._state.loop_enabled:
            return self._state.loop_range
        return 0, max(0, self._state.n_frames - 1)

    def _anchor(self) -> None:
        self._clock = PlaybackClock(self._state.fps)
        self._clock.start(self._state.frame, time.monotonic(), self._state.speed)

    def _on_playing_changed(self, playing: bool) -> None:
        if not playing:
            self._timer.stop()
            return
        first, last = self._range()
        if self._state.frame >= last or self._state.frame < first:
            self._state.seek(first)
        self._anchor()
        self._timer.start()

    def _on_frame_changed(self, frame: int) -> None:
        if self._state.playing and frame != self._due_frame:
            self._anchor()

    def _tick(self) -> None:
        first, last = self._range()
        frame, finished = self._clock.frame_at(time.monotonic(), first, last, self._state.loop_enabled)
        self._due_frame = frame
        self._state.seek(frame)
        if finished:
            self._state.set_playing(False)
