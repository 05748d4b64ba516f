"""The penalty strip under a clip: one row per penalty item along the clip's timeline, and a cursor.

Each row shows a recorded penalty's frame span in the colour of its deduction,
or a predicted item's per-frame probability as intensity. The rows are drawn
once; each frame only copies them and adds the cursor.
"""

from __future__ import annotations

import cv2
import numpy as np

from analysis.render import palette
from analysis.render.drawing import (
    MUTED_TEXT,
    SUBPIXEL,
    SUBPIXEL_SHIFT,
    TEXT_COLOUR,
    fit_text,
    put_text,
    text_width,
)
from analysis.render.overlays import PenaltyTrack

PANEL_BACKGROUND = palette.bgr(palette.VIDEO_BACKGROUND)
ROW_BACKGROUND = palette.bgr(palette.CLIP_ROW)
CURSOR_COLOUR = palette.bgr(palette.CURSOR)
MARKER_COLOUR = palette.bgr(palette.MARKER)
SEVERITY_COLOURS = {deduction: palette.bgr(colour) for deduction, colour in palette.SEVERITY_COLOURS.items()}
PREDICTED_COLOUR = palette.bgr(palette.PREDICTED_PENALTY)
PENALTY_ROW_HEIGHT = 22
STRIP_PADDING = 6
STRIP_LABEL_WIDTH = 230


def strip_height(n_penalties: int) -> int:
    """Height of the strip of ``n_penalties`` rows (one row saying there is none when 0), pixels."""
    return 2 * STRIP_PADDING + max(1, n_penalties) * PENALTY_ROW_HEIGHT


class PenaltyStrip:
    """The rows of the penalty strip, drawn once; a cursor is added per frame.

    Parameters
    ----------
    penalties : tuple of PenaltyTrack
    width : int
        Width of the strip, output pixels.
    first, last : int
        Frame range the timeline spans (inclusive).
    markers : tuple of int
        Frames of the coach's markers, ticked above the rows.
    """

    def __init__(self, penalties: tuple[PenaltyTrack, ...], width: int, first: int, last: int,
                 markers: tuple[int, ...] = ()) -> None:
        self.first, self.last = first, last
        self.height = strip_height(len(penalties))
        self.timeline_left = STRIP_LABEL_WIDTH
        self.timeline_width = max(1, width - STRIP_LABEL_WIDTH - STRIP_PADDING)
        self.background = np.empty((self.height, width, 3), np.uint8)
        self.background[:] = PANEL_BACKGROUND
        if not penalties:
            put_text(self.background, "No penalty recorded for this take", (STRIP_PADDING + 4, STRIP_PADDING + 15),
                     0.45, MUTED_TEXT)
        for row, track in enumerate(penalties):
            self._draw_row(row, track)
        for frame in markers:
            if first <= frame <= last:
                x = int(round(self.x_of(frame)))
                cv2.fillPoly(self.background, [np.array([(x - 4, 0), (x + 4, 0), (x, STRIP_PADDING)], np.int32)],
                             MARKER_COLOUR, cv2.LINE_AA)

    def x_of(self, frame: float) -> float:
        """Horizontal position of the centre of ``frame`` in the strip, pixels."""
        count = self.last - self.first + 1
        return self.timeline_left + (frame - self.first + 0.5) / count * self.timeline_width

    def _draw_row(self, row: int, track: PenaltyTrack) -> None:
        top = STRIP_PADDING + row * PENALTY_ROW_HEIGHT
        bottom = top + PENALTY_ROW_HEIGHT - 3
        image = self.background
        right = self.timeline_left + self.timeline_width
        cv2.rectangle(image, (self.timeline_left, top), (right - 1, bottom), ROW_BACKGROUND, cv2.FILLED)
        suffix = f"  −{track.deduction:.1f}" if track.deduction is not None else ""
        label = fit_text(track.name, 0.45, STRIP_LABEL_WIDTH - 16 - text_width(suffix, 0.45)) + suffix
        put_text(image, label, (STRIP_PADDING + 4, bottom - 5), 0.45, TEXT_COLOUR)
        activity = np.asarray(track.activity[self.first:self.last + 1], dtype=np.float64)
        if not np.isfinite(activity).any():
            put_text(image, "time span not recorded", (self.timeline_left + 8, bottom - 5), 0.4, MUTED_TEXT)
            return
        if track.deduction is not None:
            colour = np.array(SEVERITY_COLOURS.get(round(track.deduction, 1), PREDICTED_COLOUR), np.float64)
        else:
            colour = np.array(PREDICTED_COLOUR, np.float64)
        edges = np.round([self.x_of(self.first + k - 0.5) for k in range(len(activity) + 1)]).astype(int)
        base = np.array(ROW_BACKGROUND, np.float64)
        for k, value in enumerate(np.nan_to_num(activity, nan=0.0)):
            if value > 0.02 and edges[k + 1] > edges[k]:
                shade = tuple(int(c) for c in base + (colour - base) * min(value, 1.0))
                cv2.rectangle(image, (edges[k], top + 2), (edges[k + 1] - 1, bottom - 2), shade, cv2.FILLED)

    def draw(self, target: np.ndarray, frame: int) -> None:
        """Copy the strip into ``target`` ``(height, width, 3)`` and draw the cursor at ``frame``."""
        target[:] = self.background
        x = int(round(self.x_of(frame) * SUBPIXEL))
        bottom = (self.height - STRIP_PADDING + 1) * SUBPIXEL
        cv2.line(target, (x, (STRIP_PADDING - 3) * SUBPIXEL), (x, bottom), CURSOR_COLOUR, 2, cv2.LINE_AA,
                 SUBPIXEL_SHIFT)
