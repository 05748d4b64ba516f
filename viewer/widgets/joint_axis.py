"""The left axis of a joint x frame heatmap: one row per joint, named as far as the rows allow.

Names are shortened (``left_small_toe`` reads ``L small toe``) and drawn at a
fixed, readable font. When the rows are thinner than a line of text, every
k-th row is named so that no two names overlap; the inspector names the joint
under the mouse in its readout and in the axis tooltip.
"""

from __future__ import annotations

import math
import re

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetricsF

#: Font size of the joint names, points.
LABEL_POINT_SIZE = 7.5
_SIDE_PREFIX = re.compile(r"^(left|right)[_ ]", re.IGNORECASE)


def short_joint_name(name: str) -> str:
    """A joint name for a narrow axis: ``left_small_toe`` -> ``L small toe``; ``LSmallToe`` stays."""
    side = _SIDE_PREFIX.match(name)
    if side:
        name = f"{side.group(1)[0].upper()} {name[side.end():]}"
    return name.replace("_", " ")


class JointAxis(pg.AxisItem):
    """Left axis naming the rows of a (J, T) image drawn with row j between y = j and j + 1."""

    def __init__(self) -> None:
        self._names: tuple[str, ...] = ()  # before the base class lays the axis out
        self._stride = 0
        self._font = QFont()
        self._font.setPointSizeF(LABEL_POINT_SIZE)
        super().__init__("left")
        self.setStyle(tickFont=self._font)

    def set_joint_names(self, names: tuple[str, ...]) -> None:
        """Name the rows (full names; they are shortened for the axis)."""
        self._names = tuple(short_joint_name(name) for name in names)
        self._stride = 0
        # Room for the longest name up front: grown while drawing, the axis would skip the names that do not fit yet.
        metrics = QFontMetricsF(self._font)
        widest = max((metrics.horizontalAdvance(name) for name in self._names), default=0.0)
        self.setStyle(autoExpandTextSpace=False, tickTextWidth=math.ceil(widest) + 2)
        self._update_ticks()

    def line_height_px(self) -> float:
        """Height of one line of the label font, pixels."""
        return QFontMetricsF(self._font).height()

    def row_pitch_px(self) -> float:
        """Height of one heatmap row on screen, pixels (0 before the axis is laid out)."""
        span = abs(self.range[1] - self.range[0])  # the heatmap's y axis runs downwards
        return self.geometry().height() / span if span > 0 else 0.0

    def labelled_rows(self) -> list[int]:
        """Rows whose name is drawn: all of them when the rows are tall enough, else every k-th."""
        return list(range(0, len(self._names), max(self._stride, 1)))

    def label(self, row: int) -> str:
        """The shortened name drawn for ``row``."""
        return self._names[row]

    def resizeEvent(self, event=None) -> None:
        super().resizeEvent(event)
        self._update_ticks()

    def linkedViewChanged(self, view, newRange=None) -> None:
        super().linkedViewChanged(view, newRange)
        self._update_ticks()

    def _update_ticks(self) -> None:
        pitch = self.row_pitch_px()
        stride = max(1, math.ceil(self.line_height_px() / pitch)) if pitch > 0 else max(len(self._names), 1)
        if stride == self._stride:
            return
        self._stride = stride
        self.setTicks([[(row + 0.5, name if row % stride == 0 else "") for row, name in enumerate(self._names)]])
