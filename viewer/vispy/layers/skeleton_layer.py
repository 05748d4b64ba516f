"""The athlete's skeleton: bones and joints coloured by side, uncertain joints hollow and grey,
the selected joint highlighted, and the joints the scoring blames in orange to red."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene

from analysis.motion.skeleton import bone_sides, joint_sides
from analysis.render import palette
from viewer.model.scoring_result import RESPONSIBLE_THRESHOLD
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.vispy import scene_geometry as geometry
from viewer.vispy.layers.base import Layer, segment_lines, set_lines

SIDE_RGBA = palette.rgba_array(palette.SIDE_COLOURS)
LOW_CONFIDENCE_RGBA = palette.rgba(palette.LOW_CONFIDENCE)
SELECTED_RGBA = palette.rgba(palette.SELECTED)
JOINT_EDGE_RGBA = (0.05, 0.05, 0.06, 1.0)
JOINT_SIZE_PX = 10.0
SELECTED_JOINT_SIZE_PX = 16.0


class SkeletonLayer(Layer):
    """Bones and joints of the current frame; ``state.joint_selected`` and ``scoring_changed`` redraw it."""

    def __init__(self, parent: scene.Node, state: ViewerState, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self._state = state
        self._bones = segment_lines(parent, width=5.0)
        self._joints = scene.visuals.Markers(parent=parent, antialias=1)
        self._joints.visible = False
        self.visuals = (self._bones, self._joints)
        self._edges = np.zeros((0, 2), np.int64)
        self._bone_colors = np.zeros((0, 4))       # (E, 4)
        self._joint_colors = np.zeros((0, 4))      # (J, 4)
        self._responsibility: np.ndarray | None = None  # (J,) in [0, 1] from the scoring
        state.joint_selected.connect(lambda _joint: self.redraw())
        state.scoring_changed.connect(self._on_scoring_changed)
        self._on_scoring_changed(state.scoring)

    def _on_scoring_changed(self, scoring) -> None:
        if scoring is None:
            self._responsibility = None
        else:  # only the joints singled out by the scoring are coloured
            self._responsibility = np.zeros(len(scoring.joint_responsibility))
            chosen = scoring.responsible_joints()
            self._responsibility[chosen] = scoring.joint_responsibility[chosen]
        self.redraw()

    def _take_changed(self, take: TakeBundle) -> None:
        self._edges = take.skeleton.edge_array
        self._bone_colors = SIDE_RGBA[bone_sides(take.skeleton)]
        self._joint_colors = SIDE_RGBA[joint_sides(take.skeleton)]

    def _draw_frame(self, frame: int) -> None:
        pose = self._drawn.positions[frame]
        uncertain = self._drawn.uncertain[frame]
        segments, kept = geometry.skeleton_segments(self._edges, pose)
        colors = np.repeat(self._bone_colors[kept], 2, axis=0)
        colors[uncertain[self._edges[kept]].reshape(-1)] = LOW_CONFIDENCE_RGBA
        set_lines(self._bones, segments, colors)
        self._draw_joints(pose, uncertain)

    def _draw_joints(self, pose: np.ndarray, uncertain: np.ndarray) -> None:
        finite = np.all(np.isfinite(pose), axis=1)
        if not finite.any():
            self._joints.visible = False
            return
        face = self._joint_colors.copy()
        edge = np.tile(JOINT_EDGE_RGBA, (len(pose), 1))
        size = np.full(len(pose), JOINT_SIZE_PX)
        face[uncertain] = (0.0, 0.0, 0.0, 0.0)
        edge[uncertain] = LOW_CONFIDENCE_RGBA
        if self._responsibility is not None and len(self._responsibility) == len(pose):
            blamed = self._responsibility >= RESPONSIBLE_THRESHOLD
            weight = (self._responsibility[blamed] - RESPONSIBLE_THRESHOLD) / (1.0 - RESPONSIBLE_THRESHOLD)
            face[blamed] = palette.responsibility_rgba(weight)
            size[blamed] = JOINT_SIZE_PX * (1.3 + 0.7 * weight)
        selected = self._state.selected_joint
        if selected is not None and selected < len(pose):
            face[selected], edge[selected], size[selected] = SELECTED_RGBA, (1.0, 1.0, 1.0, 1.0), SELECTED_JOINT_SIZE_PX
        self._joints.set_data(pose[finite], face_color=face[finite], edge_color=edge[finite],
                              size=size[finite], edge_width=2.0)
        self._joints.visible = True
