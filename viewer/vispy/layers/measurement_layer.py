"""The coach's 3D measurements: a line along each measured distance or angle, and its value, at every frame."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from vispy import scene

from analysis.annotations.items import Measurement
from analysis.annotations.measure import format_value, measurement_series
from analysis.render import palette
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.vispy.layers.base import TEXT, Layer, segment_lines, set_lines

MEASUREMENT_RGBA = palette.rgba(palette.ANNOTATION)
#: Values are written this far above the point they label, metres.
LABEL_LIFT_M = np.array([0.0, 0.0, 0.08])


class MeasurementLayer(Layer):
    """Lines and values of the current take's measurements; follows ``state.annotations``.

    Attributes
    ----------
    labels : list of str
        The values shown at the current frame, one per measurement (``"0.482 m"``, ``"93.1°"``).
    """

    def __init__(self, parent: scene.Node, state: ViewerState, changed: Callable[[], None]) -> None:
        super().__init__(changed)
        self._state = state
        self._lines = segment_lines(parent, width=3.0, order=TEXT)
        self._lines.set_gl_state(depth_test=False)       # drawn over the body: a measurement is never hidden
        self._text = scene.visuals.Text(color=MEASUREMENT_RGBA, font_size=11, bold=True, anchor_x="center",
                                        anchor_y="bottom", parent=parent)
        self._text.visible = False
        self._text.order = TEXT
        self.visuals = (self._lines, self._text)
        self._measured: list[tuple[Measurement, np.ndarray, np.ndarray]] = []   # item, joint indices, values (T,)
        self.labels: list[str] = []
        state.annotations.changed.connect(self._on_annotations_changed)

    def _on_annotations_changed(self, take: str) -> None:
        if self._take is not None and take in ("", self._take.take_id):
            self._take_changed(self._take)
            self.redraw()

    def _take_changed(self, take: TakeBundle) -> None:
        self._measured = []
        pose = take.pose
        for measurement in self._state.annotations.items(take.take_id, Measurement):
            if pose is None or not all(name in take.skeleton.joint_names for name in measurement.joints):
                continue
            joints = np.array([take.skeleton.index(name) for name in measurement.joints])
            self._measured.append((measurement, joints, measurement_series(measurement, pose, take.skeleton)))
        if not self._measured:
            self._hide()
            self.labels = []

    def _draw_frame(self, frame: int) -> None:
        if not self._measured:
            self._hide()
            return
        positions = self._drawn.positions[frame]
        segments, anchors, self.labels = [], [], []
        for measurement, joints, values in self._measured:
            points = positions[joints]
            segments.extend(np.repeat(points, 2, axis=0)[1:-1])       # a-b, or a-b and b-c
            anchors.append(points.mean(axis=0) if measurement.kind == "distance" else points[1])
            self.labels.append(format_value(measurement.kind, float(values[frame])))
        segments = np.asarray(segments)
        kept = np.isfinite(segments).all(axis=1).reshape(-1, 2).all(axis=1).repeat(2)
        set_lines(self._lines, segments[kept], np.tile(MEASUREMENT_RGBA, (int(kept.sum()), 1)))
        anchors = np.asarray(anchors) + LABEL_LIFT_M
        shown = np.isfinite(anchors).all(axis=1)
        self._text.visible = bool(shown.any())
        if shown.any():
            self._text.text = [label for label, keep in zip(self.labels, shown) if keep]
            self._text.pos = anchors[shown]
