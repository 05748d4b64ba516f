"""Trails: the paths of the wrists and ankles over the last frames, fading with age."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene

from analysis.motion.skeleton import joint_sides
from analysis.render import palette
from viewer.model.take_bundle import TakeBundle
from viewer.vispy import scene_geometry as geometry
from viewer.vispy.layers.base import TRANSLUCENT, Layer, segment_lines, set_lines

#: Joints traced by the trails (by name) and how many frames the trails reach back.
TRAIL_JOINT_WORDS = ("wrist", "ankle")
TRAIL_WINDOW_FRAMES = 30


class TrailLayer(Layer):
    """Fading paths of the traced joints up to the current frame, in their side's colour."""

    def __init__(self, parent: scene.Node, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self._trails = segment_lines(parent, width=2.0, order=TRANSLUCENT)
        self.visuals = (self._trails,)
        self._joints = np.zeros(0, np.int64)
        self._colors = np.zeros((0, 4))

    def _take_changed(self, take: TakeBundle) -> None:
        names = take.skeleton.joint_names
        self._joints = np.array([i for i, name in enumerate(names)
                                 if any(word in name.lower() for word in TRAIL_JOINT_WORDS)], np.int64)
        self._colors = palette.rgba_array(palette.SIDE_COLOURS)[joint_sides(take.skeleton)[self._joints]]

    def _draw_frame(self, frame: int) -> None:
        if not len(self._joints):
            self._trails.visible = False
            return
        trail, fade, which = geometry.trail_segments(self._drawn.positions, self._joints, frame, TRAIL_WINDOW_FRAMES)
        colors = self._colors[which].copy()
        colors[:, 3] = 0.9 * fade
        set_lines(self._trails, trail, colors)
