"""The cameras of the rig: a frustum and a name label each, the selected view highlighted.

The frustums are vispy lines; the names are written by the display with Qt over the render
(:meth:`CameraLayer.labels`), which is crisper than vispy's text and costs no glyph atlas
(laying out vispy's glyphs made the 3D view's first render a quarter of a second longer).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene

from analysis.render import palette
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.vispy import scene_geometry as geometry
from viewer.vispy.layers.base import Layer, segment_lines, set_lines

#: Drawn depth of the camera frustums, metres.
FRUSTUM_DEPTH_M = 0.7
#: Camera names are written this far above each camera centre, metres.
LABEL_LIFT_M = np.array([0.0, 0.0, 0.6])
SELECTED_RGBA = palette.rgba(palette.SELECTED)
FRUSTUM_RGBA = palette.rgba(palette.FRUSTUM)
LABEL_RGBA = palette.rgba(palette.CAMERA_LABEL)


class CameraLayer(Layer):
    """Frustums and labels of the take's cameras; follows ``state.view_selected``.

    Attributes
    ----------
    frustum_lines : ndarray, shape (V * n, 3)
        Segments of every frustum, metres, ``n`` vertices per camera in camera order.
    """

    def __init__(self, parent: scene.Node, state: ViewerState, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self._state = state
        self._frustums = segment_lines(parent, width=1.5)
        self.visuals = (self._frustums,)
        self._label_names: list[str] = []
        self._label_points = np.zeros((0, 3))
        self._label_colours = np.zeros((0, 4))
        self.frustum_lines = np.zeros((0, 3))
        self._vertices_per_camera = 1
        state.view_selected.connect(self._on_view_selected)

    def labels(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """The camera names to write while the frustums are drawn: names, anchors ``(V, 3)`` metres
        (above each camera centre) and RGBA colours ``(V, 4)`` in 0..1; empty when nothing is drawn."""
        if not self._frustums.visible:
            return [], np.zeros((0, 3)), np.zeros((0, 4))
        return self._label_names, self._label_points, self._label_colours

    def camera_of_segment(self, segment: int) -> str:
        """Name of the camera whose frustum has segment ``segment`` of :attr:`frustum_lines`."""
        return self._take.cameras[segment * 2 // self._vertices_per_camera].name

    def _on_view_selected(self, _view: str | None) -> None:
        if self._take is not None:
            self._take_changed(self._take)
            self._changed()

    def _take_changed(self, take: TakeBundle) -> None:
        frustums = [geometry.frustum_segments(camera, FRUSTUM_DEPTH_M) for camera in take.cameras]
        self._vertices_per_camera = len(frustums[0]) if frustums else 1
        self.frustum_lines = np.concatenate(frustums) if frustums else np.zeros((0, 3))
        selected = np.array([camera.name == self._state.selected_view for camera in take.cameras])
        colors = np.where(np.repeat(selected, self._vertices_per_camera)[:, None], SELECTED_RGBA, FRUSTUM_RGBA)
        set_lines(self._frustums, self.frustum_lines, colors)
        self._label_names = [camera.name for camera in take.cameras]   # none for 3D imported without a calibration
        self._label_points = np.array([camera.center + LABEL_LIFT_M for camera in take.cameras]).reshape(-1, 3)
        self._label_colours = np.where(selected[:, None], SELECTED_RGBA, LABEL_RGBA).reshape(-1, 4)
