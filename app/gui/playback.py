"""The one clock that drives playback: a precise QTimer asking the PlaybackClock for the frame due.

Given a decode-ahead source (the application's frame prefetcher), playback
also decides which frames get decoded, and moves only to decoded frames, so
painting never waits for a decoder:

- It measures how long the window takes to show one frame and turns that into
  a *step*: the number of frames (a fraction, at least 1) that pass meanwhile at
  the current speed. Only the frames one step apart are asked for, since the
  frames between them could not be shown anyway (at 4x speed a 30 fps take asks
  for 120 frames a second). A fractional step lets the window show as many
  frames a second as it can paint, not the take's rate divided by a whole number.
- At each tick it shows the newest decoded frame that is due. Frames are
  chosen by elapsed time, so playback skips frames rather than drifting when
  the window or the decoder cannot keep up; when no due frame has been decoded
  for ``MAX_WAIT_S``, it shows the frame due anyway (the grid then decodes it).
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer

from viewer.model.playback_clock import PlaybackClock
from viewer.model.state import ViewerState

TICK_MS = 4
#: How many frames playback asks to have decoded ahead of the frame due.
DECODE_AHEAD_FRAMES = 12
#: How long playback keeps showing an older frame while the frame due is not decoded, seconds.
MAX_WAIT_S = 0.1
#: Weight of the newest frame in the running mean of the time one frame takes to show.
COST_SMOOTHING = 0.2
#: A tick this much later than its interval means the event loop was busy showing a frame.
LATE_TICK_FACTOR = 1.5
#: The step is a multiple of this many frames, so small changes of the frame cost keep the frames decoded.
STEP_QUANTUM = 0.25
#: The step changes only when the frames passing per shown frame differ from it by more than this fraction.
STEP_HYSTERESIS = 0.2


class DecodeAhead(Protocol):
    """What playback needs from a frame decoder (``FramePrefetcher``, ``SessionController``)."""

    def frame_ready(self, take_id: str, frame: int) -> bool:
        """Whether ``frame`` is decoded, so showing it does not wait."""

    def decode_ahead(self, take_id: str, frames: Sequence[int]) -> None:
        """Decode ``frames`` in the background, in this order, instead of those asked before."""


class PlaybackDriver(QObject):
    """Advances ``state.frame`` while ``state.playing`` is on.

    Parameters
    ----------
    state : ViewerState
    parent : QObject, optional
    decoder : DecodeAhead, optional
        Without it every due frame is shown at once (whoever paints it decodes it).

    Notes
    -----
    Frames are derived from elapsed time, so when painting cannot keep up the
    view skips frames rather than drifting behind real time. A seek during
    playback re-anchors the clock at the new frame.
    """

    def __init__(self, state: ViewerState, parent: QObject | None = None,
                 decoder: DecodeAhead | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._decoder = decoder
        self._clock = PlaybackClock(state.fps)
        self._due_frame: int | None = None
        self._frame_cost_s: float | None = None   # running mean of the time one shown frame takes
        self._step = 1.0
        self._busy_s = 0.0                        # event-loop time spent since the last frame was shown
        self._last_tick: float | None = None
        self._waiting_since: float | None = None
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        state.playing_changed.connect(self._on_playing_changed)
        state.speed_changed.connect(lambda _speed: self._anchor())
        state.frame_changed.connect(self._on_frame_changed)
        state.loop_changed.connect(lambda *_: self._anchor())

    @property
    def step(self) -> float:
        """Frames that pass at the current speed while the window shows one (at least 1, a multiple of 1/4).

        Playback has the frames one step apart decoded ahead.
        """
        return self._step

    def _range(self) -> tuple[int, int]:
        if self._state.loop_enabled:
            return self._state.loop_range
        return 0, max(0, self._state.n_frames - 1)

    def _anchor(self) -> None:
        self._clock = PlaybackClock(self._state.fps)
        self._clock.start(self._state.frame, time.monotonic(), self._state.speed)
        self._waiting_since = None
        if self._state.playing:
            self._decode_ahead(self._state.frame)

    def _on_playing_changed(self, playing: bool) -> None:
        if not playing:
            self._timer.stop()
            return
        first, last = self._range()
        if self._state.frame >= last or self._state.frame < first:
            self._state.seek(first)
        self._last_tick, self._busy_s = None, 0.0
        self._anchor()
        self._timer.start()

    def _on_frame_changed(self, frame: int) -> None:
        if self._state.playing and frame != self._due_frame:
            self._anchor()

    def _tick(self) -> None:
        now = time.monotonic()
        self._measure_busy(now)
        first, last = self._range()
        due, finished = self._clock.frame_at(now, first, last, self._state.loop_enabled)
        if finished:
            self._show(last)
            self._state.set_playing(False)
            return
        if due == self._state.frame:
            return
        frame = self._newest_decoded(due, first, last)
        if frame is None:
            if self._waiting_since is None:
                self._waiting_since = now
            if now - self._waiting_since < MAX_WAIT_S:
                return
            frame = due
        self._show(frame)
        self._decode_ahead(due)

    def _show(self, frame: int) -> None:
        """Move playback to ``frame``, after accounting for what showing the previous frame cost."""
        self._update_step()
        self._waiting_since = None
        self._due_frame = frame
        self._state.seek(frame)

    def _update_step(self) -> None:
        """Fold the busy time since the last frame into the frame cost; move the step if it is off by enough."""
        busy, self._busy_s = self._busy_s, 0.0
        if self._frame_cost_s is None:
            self._frame_cost_s = busy
        else:
            self._frame_cost_s += COST_SMOOTHING * (busy - self._frame_cost_s)
        passing = self._frame_cost_s * self._state.fps * self._state.speed
        if abs(passing - self._step) > STEP_HYSTERESIS * self._step:
            self._step = max(1.0, round(passing / STEP_QUANTUM) * STEP_QUANTUM)

    def _measure_busy(self, now: float) -> None:
        """Count the time since the last tick as busy when the tick came late (a frame was being shown)."""
        if self._last_tick is not None and now - self._last_tick > LATE_TICK_FACTOR * TICK_MS / 1000:
            self._busy_s += now - self._last_tick
        self._last_tick = now

    def _newest_decoded(self, due: int, first: int, last: int) -> int | None:
        """The newest decoded frame from ``due`` back to (not including) the frame shown, in playing order."""
        if self._decoder is None:
            return due
        take = self._state.take
        if take is None:
            return None
        span = last - first + 1
        behind = (due - self._state.frame) % span if self._state.loop_enabled else due - self._state.frame
        for back in range(min(behind, math.ceil(DECODE_AHEAD_FRAMES * self._step) + 1)):
            frame = first + (due - back - first) % span
            if self._decoder.frame_ready(take.take_id, frame):
                return frame
        return None

    def _decode_ahead(self, due: int) -> None:
        """Ask for the frames one step apart after ``due`` (wrapping inside a loop, stopping at the end)."""
        take = self._state.take
        if self._decoder is None or take is None:
            return
        self._decoder.decode_ahead(take.take_id, frames_ahead(due, self._step, *self._range(),
                                                              self._state.loop_enabled, DECODE_AHEAD_FRAMES))


def frames_ahead(due: int, step: float, first: int, last: int, loop: bool, count: int) -> list[int]:
    """The ``count`` frames playback will show after ``due``: ``first + k * step`` rounded, for whole ``k``.

    Counting from ``first`` keeps the same frames asked for while the step stays
    the same, so frames decoded ahead are the ones shown.

    Parameters
    ----------
    due : int
        The frame due now.
    step : float
        Frames between two shown frames (>= 1, may be fractional).
    first, last : int
        The range being played, inclusive.
    loop : bool
        After ``last`` go on from ``first``; without a loop the list ends with ``last``.
    count : int

    Returns
    -------
    list of int
        Distinct frame indices in playing order (fewer than ``count`` near the
        end of the range, or when a short loop holds fewer frames).
    """
    frames: list[int] = []
    k = math.floor((due - first) / step) + 1
    wrapped = False
    while len(frames) < count:
        frame = first + math.floor(k * step + 0.5)
        k += 1
        if frame <= due and not wrapped:
            continue
        if frame > last:
            if not loop:
                if due < last and last not in frames:
                    frames.append(last)
                break
            k, wrapped = 0, True
            continue
        if frame in frames:
            break
        frames.append(frame)
    return frames
