"""The floor grid (with the world X and Y axes marked) and the event's apparatus outline."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene
from vispy.visuals.transforms import STTransform

from analysis.catalogue.apparatus import apparatus_for
from analysis.render import palette
from viewer.model.take_bundle import TakeBundle
from viewer.vispy import scene_geometry as geometry
from viewer.vispy.layers.base import Layer, segment_lines, set_lines

#: The apparatus floor outlines are lifted this much to stay above the grid lines, metres.
APPARATUS_LIFT_M = 0.004
#: The grid reaches this far beyond the farthest camera, metres.
GRID_MARGIN_M = 1.0
#: Half the grid's extent without cameras, metres.
DEFAULT_GRID_REACH_M = 6.0


class FloorLayer(Layer):
    """Drawn once per take: the grid under the capture volume and the apparatus of the session's event."""

    def __init__(self, parent: scene.Node, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self._grid = segment_lines(parent, width=1.0, antialias=False)
        self._apparatus = segment_lines(parent, width=2.0)
        self._apparatus.transform = STTransform(translate=(0.0, 0.0, APPARATUS_LIFT_M))
        self.visuals = (self._grid, self._apparatus)

    def _take_changed(self, take: TakeBundle) -> None:
        centres = np.array([camera.center for camera in take.cameras]).reshape(-1, 3)
        reach = np.abs(centres[:, :2]).max() if len(centres) else DEFAULT_GRID_REACH_M
        grid = geometry.floor_grid_segments(reach + GRID_MARGIN_M)
        colors = np.tile(palette.rgba(palette.FLOOR_GRID), (len(grid), 1))
        on_x_axis = np.all(np.abs(grid[:, 1:]) < 1e-9, axis=1).reshape(-1, 2).all(axis=1)
        on_y_axis = np.all(np.abs(grid[:, [0, 2]]) < 1e-9, axis=1).reshape(-1, 2).all(axis=1)
        colors[np.repeat(on_x_axis, 2)] = palette.rgba(palette.FLOOR_X_AXIS)
        colors[np.repeat(on_y_axis, 2)] = palette.rgba(palette.FLOOR_Y_AXIS)
        set_lines(self._grid, grid, colors)

        try:
            apparatus = apparatus_for(take.event)
        except ValueError:
            apparatus = None
        if apparatus is None:
            set_lines(self._apparatus, np.zeros((0, 3)), np.zeros((0, 4)))
            return
        segments, rgb = geometry.apparatus_segments(apparatus)
        # Lift the apparatus colours towards white so dark materials read on the dark background.
        rgba = np.hstack([0.45 * rgb + 0.55, np.full((len(rgb), 1), 0.9)])
        set_lines(self._apparatus, segments, rgba)
