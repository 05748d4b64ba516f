"""The 3D view's measuring tools: click two joints for a distance, three for the angle at the middle one."""

from __future__ import annotations

from analysis.annotations.items import MEASUREMENT_JOINTS, Measurement
from viewer.model.annotations import MEASURING_TOOLS, AnnotationEdit
from viewer.model.state import ViewerState


class JointMeasuring:
    """Collects the joints clicked while a measuring tool is active and asks for the measurement.

    The tools are ``AnnotationsModel.tool`` values ``measure_distance`` and ``measure_angle``;
    the joint clicked last is selected in the state, so it shows highlighted.
    """

    def __init__(self, state: ViewerState) -> None:
        self._state = state
        self.picked: list[int] = []
        state.annotations.tool_changed.connect(lambda _tool: self.picked.clear())
        state.take_changed.connect(lambda _take: self.picked.clear())

    @property
    def active(self) -> bool:
        return self._state.annotations.tool in MEASURING_TOOLS

    @property
    def hint(self) -> str:
        """What to click next, for the tool bar ('' without a measuring tool)."""
        if not self.active:
            return ""
        kind = MEASURING_TOOLS[self._state.annotations.tool]
        needed = MEASUREMENT_JOINTS[kind]
        what = "2 joints" if kind == "distance" else "3 joints, vertex 2nd"
        return f"{kind.capitalize()}: click {what} ({len(self.picked)}/{needed})"

    def pick(self, joint: int) -> None:
        """The user clicked ``joint``: collect it, and ask for the measurement once there are enough."""
        take = self._state.take
        if not self.active or take is None or (self.picked and self.picked[-1] == joint):
            return
        self.picked.append(joint)
        self._state.select_joint(joint)
        kind = MEASURING_TOOLS[self._state.annotations.tool]
        if len(self.picked) == MEASUREMENT_JOINTS[kind]:
            names = tuple(take.skeleton.joint_names[j] for j in self.picked)
            self.picked.clear()
            self._state.annotations.request(AnnotationEdit.adding(Measurement(take.take_id, kind, names)))
