"""Which frame playback should show now: derived from elapsed time, never accumulated.

Playback computes the frame from the time since it started (or since the last
seek or speed change), so a slow repaint makes it skip frames instead of
drifting behind real time.
"""

from __future__ import annotations


class PlaybackClock:
    """Maps wall-clock time to a frame index.

    Parameters
    ----------
    fps : float
        Frames per second of the recording.
    """

    def __init__(self, fps: float) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.fps = fps
        self._anchor_frame = 0
        self._anchor_time = 0.0
        self._speed = 1.0

    def start(self, frame: int, now: float, speed: float) -> None:
        """Anchor playback: ``frame`` is shown at time ``now`` (seconds), at ``speed``."""
        self._anchor_frame = int(frame)
        self._anchor_time = float(now)
        self._speed = float(speed)

    def frame_at(self, now: float, first: int, last: int, loop: bool) -> tuple[int, bool]:
        """The frame due at ``now`` and whether playback has reached its end.

        Parameters
        ----------
        now : float
            Seconds, same clock as :meth:`start`.
        first, last : int
            The range being played (inclusive).
        loop : bool
            Wrap around inside the range instead of stopping at ``last``.

        Returns
        -------
        frame : int
        finished : bool
            True when not looping and ``last`` has been reached.
        """
        advanced = int((now - self._anchor_time) * self.fps * self._speed)
        frame = self._anchor_frame + advanced
        if loop:
            span = last - first + 1
            if frame > last or frame < first:
                frame = first + (frame - first) % span
            return frame, False
        if frame >= last:
            return last, True
        return frame, False
