"""The rotatable 3D skeleton view: a vispy scene that follows the viewer state.

The state is the model; this widget subscribes to its signals and moves
vertex data into a fixed set of vispy visuals (one per kind of thing drawn),
so a new frame costs a few ``set_data`` calls and one redraw. World frame:
Z up, metres.

The scene is rendered offscreen (an FBO read back to an image) and painted by
a plain QWidget: a QOpenGLWidget anywhere in a window makes Qt compose the
whole window through OpenGL on every repaint, which on software GL halves the
frame rate of every other panel.
"""

from __future__ import annotations

import numpy as np
import vispy
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from vispy import scene
from vispy.color import Color
from vispy.util import keys
from vispy.visuals.transforms import STTransform

from analysis.catalogue.apparatus import apparatus_for
from viewer.model.scoring_result import RESPONSIBLE_THRESHOLD
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.vispy import scene_geometry as geometry

vispy.use(app="pyside6")

BACKGROUND = "#17191d"
SIDE_COLORS = np.array([
    Color("#f2f2f2").rgba,   # centre
    Color("#3fa9ff").rgba,   # left
    Color("#ff7043").rgba,   # right
])
LOW_CONFIDENCE_COLOR = Color("#8a8f98").rgba
SELECTED_COLOR = Color("#ffd23f").rgba
FRUSTUM_COLOR = Color("#6f7d90").rgba
LABEL_COLOR = Color("#aab4c3").rgba
GRID_COLOR = Color("#343a44").rgba
GRID_X_AXIS_COLOR = Color("#7a3a3a").rgba
GRID_Y_AXIS_COLOR = Color("#3a6a3a").rgba
REFERENCE_COLOR = (1.0, 1.0, 1.0, 0.22)
EXEMPLAR_COLOR = (0.3, 1.0, 0.6, 0.55)
RESPONSIBLE_LOW_COLOR = np.array([1.0, 0.62, 0.1, 1.0])
RESPONSIBLE_HIGH_COLOR = np.array([0.95, 0.1, 0.12, 1.0])
"""Joints the scoring blames: orange at the threshold, red when fully responsible."""

#: Joints whose mean 2D confidence over the views is below this are drawn hollow and grey.
LOW_CONFIDENCE = 0.5
#: How far a click may be from a joint / a camera frustum to select it, canvas pixels.
JOINT_PICK_RADIUS_PX = 12.0
FRUSTUM_PICK_RADIUS_PX = 25.0
#: Drawn depth of the camera frustums, metres.
FRUSTUM_DEPTH_M = 0.7
#: Camera names are written this far above each camera centre, metres.
LABEL_LIFT_M = np.array([0.0, 0.0, 0.6])
#: Joints traced by the trails (by name) and how many frames the trails reach back.
TRAIL_JOINT_WORDS = ("wrist", "ankle")
TRAIL_WINDOW_FRAMES = 30
#: Field of view of the 3D camera, degrees, and the default viewing angles.
FIELD_OF_VIEW_DEG = 40.0
DEFAULT_ELEVATION_DEG = 18.0
DEFAULT_AZIMUTH_DEG = -35.0
#: Extra room around what reset_view / frame_rig frame.
FIT_MARGIN = 1.05
#: What the view frames when there is nothing to show, metres: two opposite corners.
EMPTY_SCENE_CORNERS = np.array([[-3.0, -3.0, 0.0], [3.0, 3.0, 2.0]])
#: The apparatus floor outlines are lifted this much to stay above the grid lines, metres.
APPARATUS_LIFT_M = 0.004
JOINT_SIZE_PX = 10.0
SELECTED_JOINT_SIZE_PX = 16.0
#: A press and release closer than this are a click (selection), not a drag, canvas pixels.
CLICK_SLOP_PX = 3.0
#: Qt mouse buttons and keyboard modifiers as vispy names them.
VISPY_BUTTONS = {Qt.MouseButton.LeftButton: 1, Qt.MouseButton.RightButton: 2, Qt.MouseButton.MiddleButton: 3}
VISPY_MODIFIERS = ((Qt.KeyboardModifier.ShiftModifier, keys.SHIFT), (Qt.KeyboardModifier.ControlModifier, keys.CONTROL),
                   (Qt.KeyboardModifier.AltModifier, keys.ALT), (Qt.KeyboardModifier.MetaModifier, keys.META))


class SkeletonView(QWidget):
    """3D skeleton, floor, apparatus, camera frustums and joint trails of the current take.

    Mouse: drag to orbit, shift-drag (or middle drag) to pan, wheel to zoom;
    a click near a joint selects it, a click near a camera frustum selects that view.

    Parameters
    ----------
    state : ViewerState
    parent : QWidget or None

    Signals
    -------
    frame_presented(int)
        A frame was rendered for the screen (or by :meth:`render_image`).
    """

    frame_presented = Signal(int)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._take: TakeBundle | None = None
        self._positions = np.zeros((0, 0, 3))      # (T, J, 3) drawn positions
        self._uncertain = np.zeros((0, 0), bool)   # (T, J) low confidence or substituted
        self._edges = np.zeros((0, 2), np.int64)
        self._bone_colors = np.zeros((0, 4))       # (E, 4)
        self._joint_colors = np.zeros((0, 4))      # (J, 4)
        self._exemplar_pose: np.ndarray | None = None  # (T, J, 3) exemplar on the take's frames
        self._responsibility: np.ndarray | None = None  # (J,) in [0, 1] from the scoring
        self._trail_joints = np.zeros(0, np.int64)
        self._frustum_lines = np.zeros((0, 3))     # (V * n, 3): n vertices per camera
        self._frustum_vertices_per_camera = 1
        self._frame_shown = -1
        self._pending_frame: int | None = None
        self.displayed_frame = -1
        self.follow = False
        self.show_trails = True
        self.show_reference = False

        self._press_event = None                   # vispy MouseEvent of the held button's press
        self._last_mouse_event = None              # previous vispy MouseEvent of the current drag

        self._display = _SceneDisplay(self)
        self._canvas = _OffscreenCanvas(on_change=self._display.request_render, keys=None, bgcolor=BACKGROUND,
                                        size=(self._display.width(), self._display.height()))
        self._view = self._canvas.central_widget.add_view()
        self._view.camera = scene.TurntableCamera(
            up="+z", fov=FIELD_OF_VIEW_DEG, elevation=DEFAULT_ELEVATION_DEG, azimuth=DEFAULT_AZIMUTH_DEG)
        self._build_visuals()
        self._canvas.events.mouse_release.connect(self._on_mouse_release)
        self._connect_display()
        self.destroyed.connect(self._canvas.native.deleteLater)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._build_toolbar())
        layout.addWidget(self._display, 1)

        state.take_changed.connect(self._on_take_changed)
        state.frame_changed.connect(self._on_frame_changed)
        state.view_selected.connect(self._on_view_selected)
        state.joint_selected.connect(self._on_joint_selected)
        state.exemplar_changed.connect(self._on_exemplar_changed)
        state.scoring_changed.connect(self._on_scoring_changed)
        self._on_take_changed(state.take)

    # ----------------------------------------------------------------- build
    def _build_visuals(self) -> None:
        root = self._view.scene
        segments = dict(connect="segments", method="gl", parent=root)
        self._grid = scene.visuals.Line(width=1.0, **segments)
        self._apparatus = scene.visuals.Line(width=2.0, antialias=True, **segments)
        self._apparatus.transform = STTransform(translate=(0.0, 0.0, APPARATUS_LIFT_M))
        self._frustums = scene.visuals.Line(width=1.5, antialias=True, **segments)
        self._labels = scene.visuals.Text(
            color=LABEL_COLOR, font_size=10, anchor_x="center", anchor_y="bottom", parent=root)
        self._reference = scene.visuals.Line(width=3.0, antialias=True, **segments)
        self._trails = scene.visuals.Line(width=2.0, antialias=True, **segments)
        self._bones = scene.visuals.Line(width=5.0, antialias=True, **segments)
        self._joints = scene.visuals.Markers(parent=root, antialias=1)
        self._exemplar_bones = scene.visuals.Line(width=4.0, antialias=True, **segments)
        self._exemplar_joints = scene.visuals.Markers(parent=root, antialias=1)
        self._visuals = (self._grid, self._apparatus, self._frustums, self._labels,
                         self._reference, self._trails, self._bones, self._joints,
                         self._exemplar_bones, self._exemplar_joints)
        for visual in self._visuals:
            visual.visible = False
        # Translucent visuals draw after the opaque ones.
        self._reference.order = self._trails.order = self._exemplar_bones.order = self._exemplar_joints.order = 1
        self._labels.order = 2

    def _build_toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 2, 4, 0)

        def button(text: str, tip: str, checked: bool | None = None) -> QToolButton:
            widget = QToolButton(self)
            widget.setText(text)
            widget.setToolTip(tip)
            widget.setAutoRaise(True)
            if checked is not None:
                widget.setCheckable(True)
                widget.setChecked(checked)
            bar.addWidget(widget)
            return widget

        button("Reset view", "Frame the whole motion of the take").clicked.connect(self.reset_view)
        button("Cameras", "Frame the motion and all the cameras").clicked.connect(self.frame_rig)
        self._follow_button = button("Follow", "Keep the camera centred on the pelvis", self.follow)
        self._follow_button.toggled.connect(self.set_follow)
        self._trails_button = button("Trails", f"Paths of wrists and ankles over the last {TRAIL_WINDOW_FRAMES} frames",
                                     self.show_trails)
        self._trails_button.toggled.connect(self.set_show_trails)
        self._reference_button = button("Reference", "Ground-truth skeleton as a faint ghost", self.show_reference)
        self._reference_button.toggled.connect(self.set_show_reference)
        bar.addStretch(1)
        return bar

    # ------------------------------------------------------------ public API
    @property
    def canvas(self) -> scene.SceneCanvas:
        """The offscreen vispy canvas; its size follows :attr:`display`."""
        return self._canvas

    @property
    def display(self) -> QWidget:
        """The widget that shows the rendered scene and receives the mouse (pixels = canvas pixels)."""
        return self._display

    @property
    def camera_center(self) -> np.ndarray:
        """Point the 3D camera orbits around, ``(3,)`` metres."""
        return np.asarray(self._view.camera.center, dtype=np.float64)

    def render_image(self) -> np.ndarray:
        """Render the canvas offscreen, and show it: ``(H, W, 4)`` uint8 RGBA at the canvas size."""
        image = self._canvas.render()
        self._display.show_image(image)
        self._present()
        return image

    def reset_view(self) -> None:
        """Look at the take's whole motion from the default angle."""
        joints = self._finite_joints()
        self._frame_points(joints if len(joints) else EMPTY_SCENE_CORNERS)
        if self.follow:
            self._center_on_pelvis(self._frame_shown)

    def frame_rig(self) -> None:
        """Look at the whole capture volume: the motion and every camera."""
        centres = [camera.center for camera in self._take.cameras] if self._take is not None else []
        points = np.concatenate([np.reshape(centres, (-1, 3)), self._finite_joints()])
        self._frame_points(points if len(points) else EMPTY_SCENE_CORNERS)

    def set_follow(self, follow: bool) -> None:
        """Keep (True) or stop keeping the camera centred on the pelvis as frames change."""
        self.follow = bool(follow)
        self._follow_button.setChecked(self.follow)
        if self.follow:
            self._center_on_pelvis(self._frame_shown)

    def set_show_trails(self, visible: bool) -> None:
        self.show_trails = bool(visible)
        self._trails_button.setChecked(self.show_trails)
        self._redraw_current()

    def set_show_reference(self, visible: bool) -> None:
        self.show_reference = bool(visible)
        self._reference_button.setChecked(self.show_reference)
        self._redraw_current()

    def project_to_canvas(self, points: np.ndarray) -> np.ndarray:
        """World points ``(N, 3)`` metres to canvas pixels ``(N, 2)`` (NaN behind the 3D camera).

        Canvas pixels have their origin at the top-left, like Qt widget coordinates.
        """
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        mapped = self._view.scene.node_transform(self._canvas.scene).map(points)
        w = mapped[:, 3:4]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(w > 0, mapped[:, :2] / w, np.nan)

    def joint_at(self, x: float, y: float) -> int | None:
        """The joint drawn within a few pixels of canvas point ``(x, y)``, or None."""
        if self._frame_shown < 0:
            return None
        pixels = self.project_to_canvas(self._positions[self._frame_shown])
        distances = np.linalg.norm(pixels - (x, y), axis=1)
        distances = np.where(np.isfinite(distances), distances, np.inf)
        nearest = int(np.argmin(distances))
        return nearest if distances[nearest] <= JOINT_PICK_RADIUS_PX else None

    def view_at(self, x: float, y: float) -> str | None:
        """The camera whose drawn frustum passes within ~25 px of canvas point ``(x, y)``, or None."""
        if self._take is None:
            return None
        pixels = self.project_to_canvas(self._frustum_lines)
        segment, distance = geometry.nearest_segment(np.array([x, y], float), pixels)
        if segment < 0 or distance > FRUSTUM_PICK_RADIUS_PX:
            return None
        return self._take.cameras[segment * 2 // self._frustum_vertices_per_camera].name

    def select_at(self, x: float, y: float) -> None:
        """Select what is drawn at canvas point ``(x, y)``: a joint first, else a camera view."""
        joint = self.joint_at(x, y)
        if joint is not None:
            self._state.select_joint(joint)
            return
        view = self.view_at(x, y)
        if view is not None:
            self._state.select_view(view)

    # -------------------------------------------------------------- handlers
    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self._take = take
        self._frame_shown = -1
        if take is None:
            for visual in self._visuals:
                visual.visible = False
            self._display.request_render()
            return
        self._prepare_take(take)
        self._show_static_scene(take)
        self.reset_view()
        self._show_frame(self._state.frame)

    def _on_frame_changed(self, frame: int) -> None:
        if self._take is not None:
            self._show_frame(frame)

    def _on_view_selected(self, _view: str | None) -> None:
        if self._take is not None:
            self._show_cameras(self._take)

    def _on_joint_selected(self, _joint: int | None) -> None:
        self._redraw_current()

    def _on_scoring_changed(self, scoring) -> None:
        if scoring is None:
            self._responsibility = None
        else:  # only the joints singled out by the scoring are coloured
            self._responsibility = np.zeros(len(scoring.joint_responsibility))
            chosen = scoring.responsible_joints()
            self._responsibility[chosen] = scoring.joint_responsibility[chosen]
        self._redraw_current()

    def _on_exemplar_changed(self, exemplar) -> None:
        self._exemplar_pose = None if exemplar is None else np.asarray(exemplar.aligned_pose, np.float64)
        self._redraw_current()

    def _on_mouse_release(self, event) -> None:
        press = event.press_event
        if event.button != 1 or press is None or np.hypot(*(np.asarray(event.pos) - press.pos)) > CLICK_SLOP_PX:
            return
        self.select_at(*event.pos[:2])

    # ------------------------------------------------- display and the mouse
    def _connect_display(self) -> None:
        display = self._display
        display.resized.connect(self._on_display_resized)
        display.painting.connect(self._render_for_display)
        display.mouse_pressed.connect(self._forward_press)
        display.mouse_moved.connect(self._forward_move)
        display.mouse_released.connect(self._forward_release)
        display.wheel_turned.connect(self._forward_wheel)

    def _on_display_resized(self, width: int, height: int) -> None:
        self._canvas.size = (max(width, 1), max(height, 1))

    def _render_for_display(self) -> None:
        """Render the scene for the display's coming paint (at most once per paint) and report the frame."""
        self._display.show_image(self._canvas.render())
        self._present()

    # The display's mouse events are re-emitted on the canvas's public emitters, which is
    # what the Qt backend does for its own widget: SceneCanvas routes them to the
    # TurntableCamera, and _on_mouse_release sees the click. A drag's press and previous
    # events travel with each event (the camera reads press_event); the chain is dropped
    # once the button is released so it does not grow over the session.
    def _forward_press(self, event: QMouseEvent) -> None:
        vispy_event = self._canvas.events.mouse_press(
            **_mouse_arguments(event), button=VISPY_BUTTONS.get(event.button(), 0),
            press_event=self._press_event, last_event=self._last_mouse_event)
        if self._press_event is None:
            self._press_event = vispy_event
        self._last_mouse_event = vispy_event

    def _forward_move(self, event: QMouseEvent) -> None:
        if self._press_event is None:
            return  # nothing in the scene reacts to hovering
        self._last_mouse_event = self._canvas.events.mouse_move(
            **_mouse_arguments(event), button=self._press_event.button,
            press_event=self._press_event, last_event=self._last_mouse_event)

    def _forward_release(self, event: QMouseEvent) -> None:
        button = VISPY_BUTTONS.get(event.button(), 0)
        self._canvas.events.mouse_release(
            **_mouse_arguments(event), button=button,
            press_event=self._press_event, last_event=self._last_mouse_event)
        if self._press_event is not None and self._press_event.button == button:
            self._press_event = self._last_mouse_event = None

    def _forward_wheel(self, event: QWheelEvent) -> None:
        angle = event.angleDelta()  # eighths of a degree; one notch of a wheel is 120
        self._canvas.events.mouse_wheel(**_mouse_arguments(event), delta=(angle.x() / 120.0, angle.y() / 120.0))

    # --------------------------------------------------------------- drawing
    def _prepare_take(self, take: TakeBundle) -> None:
        """Per-take arrays: drawn positions, uncertainty, colours, traced joints."""
        skeleton = take.skeleton
        shape = (take.n_frames, skeleton.n_joints, 3)
        estimate = take.pose3d if take.pose3d is not None else np.full(shape, np.nan)
        missing = ~np.all(np.isfinite(estimate), axis=-1)
        if take.reference is not None:
            positions = np.where(missing[..., None], take.reference, estimate)
        else:
            positions = estimate
        # An undetected joint (NaN) counts as confidence 0 in its view.
        confidence = np.nan_to_num(take.pose2d[..., 2], nan=0.0).mean(axis=0)
        self._positions = np.asarray(positions, dtype=np.float64)
        self._uncertain = missing | (confidence < LOW_CONFIDENCE)
        self._edges = skeleton.edge_array
        self._bone_colors = SIDE_COLORS[geometry.bone_sides(skeleton)]
        self._joint_colors = SIDE_COLORS[geometry.joint_sides(skeleton)]
        self._trail_joints = np.array([i for i, name in enumerate(skeleton.joint_names)
                                       if any(word in name.lower() for word in TRAIL_JOINT_WORDS)], np.int64)

    def _show_static_scene(self, take: TakeBundle) -> None:
        """Floor grid, apparatus and cameras: drawn once per take."""
        centres = np.array([camera.center for camera in take.cameras]).reshape(-1, 3)
        reach = np.abs(centres[:, :2]).max() if len(centres) else 6.0
        grid = geometry.floor_grid_segments(reach + 1.0)
        colors = np.tile(GRID_COLOR, (len(grid), 1))
        on_x_axis = np.all(np.abs(grid[:, 1:]) < 1e-9, axis=1).reshape(-1, 2).all(axis=1)
        on_y_axis = np.all(np.abs(grid[:, [0, 2]]) < 1e-9, axis=1).reshape(-1, 2).all(axis=1)
        colors[np.repeat(on_x_axis, 2)] = GRID_X_AXIS_COLOR
        colors[np.repeat(on_y_axis, 2)] = GRID_Y_AXIS_COLOR
        _set_lines(self._grid, grid, colors)

        session = self._state.session
        try:
            apparatus = apparatus_for(session.event) if session is not None else None
        except ValueError:
            apparatus = None
        if apparatus is None:
            _set_lines(self._apparatus, np.zeros((0, 3)), np.zeros((0, 4)))
        else:
            segments, rgb = geometry.apparatus_segments(apparatus)
            # Lift the apparatus colours towards white so dark materials read on the dark background.
            rgba = np.hstack([0.45 * rgb + 0.55, np.full((len(rgb), 1), 0.9)])
            _set_lines(self._apparatus, segments, rgba)

        frustums = [geometry.frustum_segments(camera, FRUSTUM_DEPTH_M) for camera in take.cameras]
        self._frustum_vertices_per_camera = len(frustums[0]) if frustums else 1
        self._frustum_lines = np.concatenate(frustums) if frustums else np.zeros((0, 3))
        self._show_cameras(take)

    def _show_cameras(self, take: TakeBundle) -> None:
        selected = np.array([camera.name == self._state.selected_view for camera in take.cameras])
        colors = np.where(np.repeat(selected, self._frustum_vertices_per_camera)[:, None], SELECTED_COLOR, FRUSTUM_COLOR)
        _set_lines(self._frustums, self._frustum_lines, colors)
        self._labels.text = [camera.name for camera in take.cameras]
        self._labels.pos = np.array([camera.center + LABEL_LIFT_M for camera in take.cameras])
        self._labels.color = np.where(selected[:, None], SELECTED_COLOR, LABEL_COLOR)
        self._labels.visible = True

    def _redraw_current(self) -> None:
        if self._take is not None and self._frame_shown >= 0:
            self._show_frame(self._frame_shown)

    def _show_frame(self, frame: int) -> None:
        """Move the skeleton, ghost and trails to ``frame`` and ask for a redraw."""
        frame = min(max(int(frame), 0), len(self._positions) - 1)
        self._frame_shown = frame
        pose = self._positions[frame]
        uncertain = self._uncertain[frame]

        segments, kept = geometry.skeleton_segments(self._edges, pose)
        colors = np.repeat(self._bone_colors[kept], 2, axis=0)
        colors[uncertain[self._edges[kept]].reshape(-1)] = LOW_CONFIDENCE_COLOR
        _set_lines(self._bones, segments, colors)
        self._show_joints(pose, uncertain)

        reference = self._take.reference
        if self.show_reference and reference is not None:
            ghost, _ = geometry.skeleton_segments(self._edges, np.asarray(reference[frame], np.float64))
            _set_lines(self._reference, ghost, np.tile(REFERENCE_COLOR, (len(ghost), 1)))
        else:
            self._reference.visible = False
        self._show_exemplar_ghost(frame)

        if self.show_trails and len(self._trail_joints):
            trail, fade, which = geometry.trail_segments(self._positions, self._trail_joints, frame,
                                                         TRAIL_WINDOW_FRAMES)
            colors = self._joint_colors[self._trail_joints][which].copy()
            colors[:, 3] = 0.9 * fade
            _set_lines(self._trails, trail, colors)
        else:
            self._trails.visible = False

        if self.follow:
            self._center_on_pelvis(frame)
        self._pending_frame = frame
        self._display.request_render()

    def _show_exemplar_ghost(self, frame: int) -> None:
        """The exemplar, aligned onto this take's frame, root and facing, as a translucent skeleton."""
        pose = None if self._exemplar_pose is None or frame >= len(self._exemplar_pose) else self._exemplar_pose[frame]
        if pose is None:
            self._exemplar_bones.visible = self._exemplar_joints.visible = False
            return
        ghost, _ = geometry.skeleton_segments(self._edges, pose)
        _set_lines(self._exemplar_bones, ghost, np.tile(EXEMPLAR_COLOR, (len(ghost), 1)))
        finite = np.all(np.isfinite(pose), axis=1)
        self._exemplar_joints.visible = bool(finite.any())
        if finite.any():
            self._exemplar_joints.set_data(pose[finite], face_color=EXEMPLAR_COLOR, edge_width=0.0,
                                           size=JOINT_SIZE_PX * 0.7)

    def _show_joints(self, pose: np.ndarray, uncertain: np.ndarray) -> None:
        finite = np.all(np.isfinite(pose), axis=1)
        if not finite.any():
            self._joints.visible = False
            return
        face = self._joint_colors.copy()
        edge = np.tile((0.05, 0.05, 0.06, 1.0), (len(pose), 1))
        size = np.full(len(pose), JOINT_SIZE_PX)
        face[uncertain] = (0.0, 0.0, 0.0, 0.0)
        edge[uncertain] = LOW_CONFIDENCE_COLOR
        if self._responsibility is not None and len(self._responsibility) == len(pose):
            blamed = self._responsibility >= RESPONSIBLE_THRESHOLD
            weight = ((self._responsibility[blamed] - RESPONSIBLE_THRESHOLD) / (1.0 - RESPONSIBLE_THRESHOLD))[:, None]
            face[blamed] = (1.0 - weight) * RESPONSIBLE_LOW_COLOR + weight * RESPONSIBLE_HIGH_COLOR
            size[blamed] = JOINT_SIZE_PX * (1.3 + 0.7 * weight[:, 0])
        selected = self._state.selected_joint
        if selected is not None and selected < len(pose):
            face[selected], edge[selected], size[selected] = SELECTED_COLOR, (1.0, 1.0, 1.0, 1.0), SELECTED_JOINT_SIZE_PX
        self._joints.set_data(pose[finite], face_color=face[finite], edge_color=edge[finite],
                              size=size[finite], edge_width=2.0)
        self._joints.visible = True

    def _finite_joints(self) -> np.ndarray:
        """Every drawn joint position of the take, ``(N, 3)`` metres."""
        joints = self._positions.reshape(-1, 3)
        return joints[np.all(np.isfinite(joints), axis=1)]

    def _center_on_pelvis(self, frame: int) -> None:
        if self._take is None or frame < 0:
            return
        pelvis = geometry.pelvis_position(self._take.skeleton, self._positions[frame])
        if np.all(np.isfinite(pelvis)):
            self._view.camera.center = tuple(pelvis)

    def _frame_points(self, points: np.ndarray) -> None:
        """Default viewing angles, centred on the bounding box of ``points`` (N, 3) and zoomed to fit them all."""
        centre = (points.min(axis=0) + points.max(axis=0)) / 2
        radius = max(float(np.linalg.norm(points - centre, axis=1).max()), 0.5)
        camera = self._view.camera
        camera.elevation, camera.azimuth = DEFAULT_ELEVATION_DEG, DEFAULT_AZIMUTH_DEG
        # A sphere of radius r fits the view cone when scale_factor = 2 r / cos(fov / 2).
        camera.scale_factor = FIT_MARGIN * 2 * radius / np.cos(np.radians(FIELD_OF_VIEW_DEG) / 2)
        camera.center = tuple(centre)

    def _present(self) -> None:
        """Record that the pending frame was rendered for the screen and tell listeners."""
        if self._pending_frame is None:
            return
        self.displayed_frame, self._pending_frame = self._pending_frame, None
        self.frame_presented.emit(self.displayed_frame)


def _set_lines(line: scene.visuals.Line, segments: np.ndarray, colors: np.ndarray) -> None:
    """Give a segments Line new vertices ``(2N, 3)`` and colours ``(2N, 4)``; hide it when empty."""
    line.visible = len(segments) > 0
    if line.visible:
        line.set_data(pos=np.ascontiguousarray(segments, np.float32), color=np.asarray(colors, np.float32))


class _OffscreenCanvas(scene.SceneCanvas):
    """A SceneCanvas drawn only by :meth:`render`; its own GL widget is never on screen.

    The native QOpenGLWidget is a separate top-level window that Qt treats as shown
    but never maps (``WA_DontShowOnScreen``): that is what gives it a valid GL context
    of its own, made current by every :meth:`render`, without it joining any window.
    Its own repaints are switched off; whatever asks the canvas for a redraw calls
    ``on_change`` instead, so the display widget paints a fresh render.
    """

    def __init__(self, on_change, **kwargs) -> None:
        self._on_change = on_change
        super().__init__(show=False, **kwargs)
        native = self.native
        native.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        native.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        native.show()
        native.setUpdatesEnabled(False)

    def update(self, node=None) -> None:
        if not self._drawing:  # visuals touched while drawing need no second render
            self._on_change()


class _SceneDisplay(QWidget):
    """Paints the latest offscreen render and hands the mouse and its size to the view.

    Signals
    -------
    painting()
        A paint is due after :meth:`request_render`: the receiver renders and calls :meth:`show_image`.
    resized(int, int)
        New width and height, pixels.
    mouse_pressed, mouse_moved, mouse_released (QMouseEvent), wheel_turned (QWheelEvent)
    """

    painting = Signal()
    resized = Signal(int, int)
    mouse_pressed = Signal(QMouseEvent)
    mouse_moved = Signal(QMouseEvent)
    mouse_released = Signal(QMouseEvent)
    wheel_turned = Signal(QWheelEvent)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.WheelFocus)
        self.setMinimumSize(120, 90)
        self._image: QImage | None = None
        self._pixels: np.ndarray | None = None  # keeps the QImage's memory alive
        self._stale = True
        self._painting = False

    def request_render(self) -> None:
        """Ask for a fresh render at the next paint (many calls in one event-loop turn, one render)."""
        self._stale = True
        self.update()

    def show_image(self, rgba: np.ndarray) -> None:
        """Show a render ``(H, W, 4)`` uint8 (alpha ignored) from the next paint on."""
        self._pixels = np.ascontiguousarray(rgba)
        height, width = self._pixels.shape[:2]
        self._image = QImage(self._pixels.data, width, height, 4 * width, QImage.Format.Format_RGBX8888)
        self._image.setDevicePixelRatio(width / max(self.width(), 1))
        self._stale = False
        if not self._painting:
            self.update()

    def paintEvent(self, _event) -> None:
        if self._stale:
            self._painting = True
            try:
                self.painting.emit()
            finally:
                self._painting = False
        painter = QPainter(self)
        if self._image is None:
            painter.fillRect(self.rect(), QColor(BACKGROUND))
        else:
            painter.drawImage(self.rect(), self._image)
        painter.end()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.resized.emit(self.width(), self.height())
        self.request_render()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.mouse_pressed.emit(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self.mouse_moved.emit(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self.mouse_released.emit(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.wheel_turned.emit(event)


def _mouse_arguments(event: QMouseEvent | QWheelEvent) -> dict:
    """Position, held buttons and modifiers of a Qt mouse event, as vispy's mouse events take them."""
    position: QPointF = event.position()
    return dict(pos=(position.x(), position.y()),
                buttons=[vispy for qt, vispy in VISPY_BUTTONS.items() if event.buttons() & qt],
                modifiers=tuple(key for qt, key in VISPY_MODIFIERS if event.modifiers() & qt))
