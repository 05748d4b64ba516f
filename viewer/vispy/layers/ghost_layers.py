"""Ghost skeletons over the athlete: the exemplar aligned onto the take, and the ground-truth reference."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene

from analysis.render import palette
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.vispy import scene_geometry as geometry
from viewer.vispy.layers.base import TRANSLUCENT, Layer, segment_lines, set_lines

EXEMPLAR_RGBA = palette.rgba(palette.EXEMPLAR, palette.EXEMPLAR_GHOST_ALPHA)
REFERENCE_RGBA = palette.rgba(palette.REFERENCE, palette.REFERENCE_GHOST_ALPHA)
#: Size of the exemplar's joints, pixels.
EXEMPLAR_JOINT_SIZE_PX = 7.0


class ExemplarGhostLayer(Layer):
    """The exemplar's pose on this take's frame, root and facing, as a translucent green skeleton.

    ``state.exemplar_changed`` brings the aligned pose (or takes it away).
    """

    def __init__(self, parent: scene.Node, state: ViewerState, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self._bones = segment_lines(parent, width=4.0, order=TRANSLUCENT)
        self._joints = scene.visuals.Markers(parent=parent, antialias=1)
        self._joints.visible = False
        self._joints.order = TRANSLUCENT
        self.visuals = (self._bones, self._joints)
        self._edges = np.zeros((0, 2), np.int64)
        self._pose: np.ndarray | None = None  # (T, J, 3) exemplar on the take's frames
        state.exemplar_changed.connect(self._on_exemplar_changed)
        self._on_exemplar_changed(state.exemplar)

    def _on_exemplar_changed(self, exemplar) -> None:
        self._pose = None if exemplar is None else np.asarray(exemplar.aligned_pose, np.float64)
        self.redraw()

    def _take_changed(self, take: TakeBundle) -> None:
        self._edges = take.skeleton.edge_array

    def _draw_frame(self, frame: int) -> None:
        pose = None if self._pose is None or frame >= len(self._pose) else self._pose[frame]
        if pose is None:
            self._bones.visible = self._joints.visible = False
            return
        ghost, _ = geometry.skeleton_segments(self._edges, pose)
        set_lines(self._bones, ghost, np.tile(EXEMPLAR_RGBA, (len(ghost), 1)))
        finite = np.all(np.isfinite(pose), axis=1)
        self._joints.visible = bool(finite.any())
        if finite.any():
            self._joints.set_data(pose[finite], face_color=EXEMPLAR_RGBA, edge_width=0.0, size=EXEMPLAR_JOINT_SIZE_PX)


class ReferenceGhostLayer(Layer):
    """The take's ground-truth skeleton as a faint white ghost, when enabled (off at first) and the take has one."""

    def __init__(self, parent: scene.Node, changed: Callable[[], None]) -> None:
        super().__init__(changed, enabled=False)
        self._bones = segment_lines(parent, width=3.0, order=TRANSLUCENT)
        self.visuals = (self._bones,)

    def _draw_frame(self, frame: int) -> None:
        reference = self._take.reference
        if reference is None:
            self._bones.visible = False
            return
        ghost, _ = geometry.skeleton_segments(self._take.skeleton.edge_array, np.asarray(reference[frame], np.float64))
        set_lines(self._bones, ghost, np.tile(REFERENCE_RGBA, (len(ghost), 1)))
