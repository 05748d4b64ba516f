"""The rotatable 3D skeleton view: a vispy scene that follows the viewer state.

The state is the model; the view composes one thin adapter per drawn layer
(:mod:`viewer.vispy.layers`: floor and apparatus, cameras, reference ghost,
trails, skeleton, exemplar ghost), each of which moves vertex data into its
own vispy visuals, so a new frame costs a few ``set_data`` calls and one
redraw. The view tells the layers the take and the frame, and owns the 3D
camera (reset, frame the rig, follow the pelvis) and picking. The scene is
rendered offscreen and shown by a plain widget (:mod:`viewer.vispy.canvas`).
World frame: Z up, metres.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget
from superqt.utils import qthrottled
from vispy import scene

from analysis.geometry.planar import nearest_segment
from analysis.motion.series import root_track
from analysis.render import palette
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.vispy.canvas import MouseForwarder, OffscreenCanvas, SceneDisplay, SceneLabel
from viewer.vispy.joint_measuring import JointMeasuring
from viewer.vispy.layers.camera_layer import CameraLayer
from viewer.vispy.layers.floor_layer import FloorLayer
from viewer.vispy.layers.ghost_layers import ExemplarGhostLayer, ReferenceGhostLayer
from viewer.vispy.layers.measurement_layer import MeasurementLayer
from viewer.vispy.layers.skeleton_layer import SkeletonLayer
from viewer.vispy.layers.trail_layer import TRAIL_WINDOW_FRAMES, TrailLayer
from viewer.vispy.scene_geometry import DrawnPose
from viewer.widgets.panel import header_over_body

#: Joints whose mean 2D confidence over the views is below this are drawn hollow and grey.
LOW_CONFIDENCE = 0.5
#: How far a click may be from a joint / a camera frustum to select it, canvas pixels.
JOINT_PICK_RADIUS_PX = 12.0
FRUSTUM_PICK_RADIUS_PX = 25.0
#: Field of view of the 3D camera, degrees, and the default viewing angles.
FIELD_OF_VIEW_DEG = 40.0
DEFAULT_ELEVATION_DEG = 18.0
DEFAULT_AZIMUTH_DEG = -35.0
#: Extra room around what reset_view / frame_rig frame.
FIT_MARGIN = 1.05
#: What the view frames when there is nothing to show, metres: two opposite corners.
EMPTY_SCENE_CORNERS = np.array([[-3.0, -3.0, 0.0], [3.0, 3.0, 2.0]])
#: A press and release closer than this are a click (selection), not a drag, canvas pixels.
CLICK_SLOP_PX = 3.0
#: During playback the scene is rendered at most this often (ms): a render per frame at 4x speed
#: would take the CPU the video grid needs; paused, it follows every seek at once.
PLAYBACK_RENDER_MS = 33


class SkeletonView(QWidget):
    """3D skeleton, floor, apparatus, camera frustums and joint trails of the current take.

    Mouse: drag to orbit, shift-drag (or middle drag) to pan, wheel to zoom;
    a click near a joint selects it, a click near a camera frustum selects that view.
    With the *Distance* or *Angle* tool, clicks on joints make a 3D measurement
    (:mod:`viewer.vispy.joint_measuring`), drawn with its value at every frame.

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
        self._drawn: DrawnPose | None = None
        self._root = np.zeros((0, 3))  # (T, 3) metres: the point Follow keeps centred
        self._frame_shown = -1
        self._pending_frame: int | None = None
        self._framing_due = False   # a new take's motion is framed before the next render or projection
        self.displayed_frame = -1
        self.follow = False

        self._display = SceneDisplay(self)
        self._canvas = OffscreenCanvas(on_change=self._display.request_render, keys=None,
                                       bgcolor=palette.SCENE_BACKGROUND,
                                       size=(self._display.width(), self._display.height()))
        self._view = self._canvas.central_widget.add_view()
        self._view.camera = scene.TurntableCamera(
            up="+z", fov=FIELD_OF_VIEW_DEG, elevation=DEFAULT_ELEVATION_DEG, azimuth=DEFAULT_AZIMUTH_DEG)
        root, changed = self._view.scene, self._display.request_render
        self._floor = FloorLayer(root, changed)
        self._cameras = CameraLayer(root, state, changed)
        self._reference = ReferenceGhostLayer(root, changed)
        self._trails = TrailLayer(root, changed)
        self._skeleton = SkeletonLayer(root, state, changed)
        self._exemplar = ExemplarGhostLayer(root, state, changed)
        self.measurements = MeasurementLayer(root, state, changed)
        self._layers = (self._floor, self._cameras, self._reference, self._trails, self._skeleton, self._exemplar,
                        self.measurements)
        self.measuring = JointMeasuring(state)

        self._canvas.events.mouse_release.connect(self._on_mouse_release)
        self._display.resized.connect(self._on_display_resized)
        self._display.painting.connect(self._render_for_display)
        MouseForwarder(self._display, self._canvas)
        self.destroyed.connect(self._canvas.native.deleteLater)

        layout = header_over_body(self, self._build_toolbar(), self._display, spacing=2)
        self._measure_hint = QLabel(wordWrap=True, visible=False)   # under the tool bar, so it never widens the dock
        self._measure_hint.setContentsMargins(6, 0, 6, 0)
        layout.insertWidget(1, self._measure_hint)

        state.take_changed.connect(self._on_take_changed)
        state.frame_changed.connect(self._on_frame_changed)
        self._show_frame_while_playing = qthrottled(self._show_frame, timeout=PLAYBACK_RENDER_MS)
        state.playing_changed.connect(self._on_playing_changed)
        state.annotations.tool_changed.connect(lambda _tool: self._show_measuring())
        self._on_take_changed(state.take)

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
                                     self._trails.enabled)
        self._trails_button.toggled.connect(self.set_show_trails)
        self._reference_button = button("Reference", "Ground-truth skeleton as a faint ghost", self._reference.enabled)
        self._reference_button.toggled.connect(self.set_show_reference)
        bar.addSpacing(10)
        self.measure_buttons = {
            "measure_distance": button("Distance", "Measure the distance between two joints (Shift+D)", False),
            "measure_angle": button("Angle", "Measure the angle at a joint: click three joints, the vertex "
                                             "second (Shift+G)", False)}
        for tool, widget in self.measure_buttons.items():
            widget.clicked.connect(lambda on, t=tool: self._state.annotations.set_tool(t if on else "select"))
        bar.addStretch(1)
        return bar

    def _show_measuring(self) -> None:
        for tool, widget in self.measure_buttons.items():
            widget.setChecked(self._state.annotations.tool == tool)
        self._measure_hint.setText(self.measuring.hint)
        self._measure_hint.setVisible(bool(self.measuring.hint))

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
        self._frame_take_if_due()
        return np.asarray(self._view.camera.center, dtype=np.float64)

    @property
    def show_trails(self) -> bool:
        return self._trails.enabled

    @property
    def show_reference(self) -> bool:
        return self._reference.enabled

    def render_image(self) -> np.ndarray:
        """Render the canvas offscreen, and show it: ``(H, W, 4)`` uint8 RGBA at the canvas size."""
        self._frame_take_if_due()
        image = self._canvas.render_frame()
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
        self._trails.set_enabled(visible)
        self._trails_button.setChecked(self._trails.enabled)

    def set_show_reference(self, visible: bool) -> None:
        self._reference.set_enabled(visible)
        self._reference_button.setChecked(self._reference.enabled)

    def project_to_canvas(self, points: np.ndarray) -> np.ndarray:
        """World points ``(N, 3)`` metres to canvas pixels ``(N, 2)`` (NaN behind the 3D camera).

        Canvas pixels have their origin at the top-left, like Qt widget coordinates.
        """
        self._frame_take_if_due()
        points = np.asarray(points, dtype=np.float64).reshape(-1, 3)
        mapped = self._view.scene.node_transform(self._canvas.scene).map(points)
        w = mapped[:, 3:4]
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(w > 0, mapped[:, :2] / w, np.nan)

    def joint_at(self, x: float, y: float) -> int | None:
        """The joint drawn within a few pixels of canvas point ``(x, y)``, or None."""
        if self._drawn is None or self._frame_shown < 0:
            return None
        pixels = self.project_to_canvas(self._drawn.positions[self._frame_shown])
        distances = np.linalg.norm(pixels - (x, y), axis=1)
        distances = np.where(np.isfinite(distances), distances, np.inf)
        nearest = int(np.argmin(distances))
        return nearest if distances[nearest] <= JOINT_PICK_RADIUS_PX else None

    def view_at(self, x: float, y: float) -> str | None:
        """The camera whose drawn frustum passes within ~25 px of canvas point ``(x, y)``, or None."""
        if self._take is None:
            return None
        pixels = self.project_to_canvas(self._cameras.frustum_lines)
        segment, distance = nearest_segment(np.array([x, y], float), pixels)
        if segment < 0 or distance > FRUSTUM_PICK_RADIUS_PX:
            return None
        return self._cameras.camera_of_segment(segment)

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
        self._drawn = None if take is None else DrawnPose.of(take.pose3d, take.reference, take.pose2d, LOW_CONFIDENCE)
        self._root = np.zeros((0, 3)) if take is None else root_track(self._drawn.positions, take.skeleton)
        for layer in self._layers:
            layer.set_take(take, self._drawn)
        # the camera (each change ~10 ms) is framed in the render's own event-loop turn, not in the take switch's
        self._framing_due = take is not None
        if take is not None:
            self._show_frame(self._state.frame)

    def _on_frame_changed(self, frame: int) -> None:
        if self._take is not None:
            (self._show_frame_while_playing if self._state.playing else self._show_frame)(frame)

    def _on_playing_changed(self, playing: bool) -> None:
        if not playing:
            self._show_frame_while_playing.cancel()   # a throttled older frame must not come after this one
            self._on_frame_changed(self._state.frame)

    def _on_mouse_release(self, event) -> None:
        press = event.press_event
        if event.button != 1 or press is None or np.hypot(*(np.asarray(event.pos) - press.pos)) > CLICK_SLOP_PX:
            return
        if self.measuring.active:
            joint = self.joint_at(*event.pos[:2])
            if joint is not None:
                self.measuring.pick(joint)
                self._show_measuring()
            return
        self.select_at(*event.pos[:2])

    def _on_display_resized(self, width: int, height: int) -> None:
        self._canvas.size = (max(width, 1), max(height, 1))

    def _render_for_display(self) -> None:
        """Render the scene for the display's coming paint (at most once per paint) and report the frame."""
        self._frame_take_if_due()
        image = self._canvas.render_frame()
        self._display.show_image(image, self._camera_labels())
        self._present()

    def _camera_labels(self) -> tuple[SceneLabel, ...]:
        """The camera names where the render puts their anchors (those in front of the 3D camera)."""
        names, anchors, colours = self._cameras.labels()
        pixels = self.project_to_canvas(anchors)
        return tuple(SceneLabel(float(x), float(y), name, QColor.fromRgbF(*colour))
                     for name, (x, y), colour in zip(names, pixels, colours) if np.isfinite(x) and np.isfinite(y))

    # --------------------------------------------------------------- drawing
    def _show_frame(self, frame: int) -> None:
        """Move every layer to ``frame`` and ask for a redraw."""
        frame = min(max(int(frame), 0), len(self._drawn.positions) - 1)
        self._frame_shown = frame
        for layer in self._layers:
            layer.show_frame(frame)
        if self.follow:
            self._center_on_pelvis(frame)
        self._pending_frame = frame
        self._display.request_render()

    def _finite_joints(self) -> np.ndarray:
        """Every drawn joint position of the take, ``(N, 3)`` metres."""
        return np.zeros((0, 3)) if self._drawn is None else self._drawn.finite_joints()

    def _center_on_pelvis(self, frame: int) -> None:
        if self._take is None or frame < 0:
            return
        pelvis = self._root[frame]
        if np.all(np.isfinite(pelvis)):
            self._view.camera.center = tuple(pelvis)

    def _frame_take_if_due(self) -> None:
        """Frame a newly shown take's motion (:meth:`reset_view`) if that has not happened since it came."""
        if self._framing_due:
            self.reset_view()

    def _frame_points(self, points: np.ndarray) -> None:
        """Default viewing angles, centred on the bounding box of ``points`` (N, 3) and zoomed to fit them all."""
        self._framing_due = False
        centre = (points.min(axis=0) + points.max(axis=0)) / 2
        radius = max(float(np.linalg.norm(points - centre, axis=1).max()), 0.5)
        # A sphere of radius r fits the view cone when scale_factor = 2 r / cos(fov / 2). One update, not four.
        self._view.camera.set_state(elevation=DEFAULT_ELEVATION_DEG, azimuth=DEFAULT_AZIMUTH_DEG, center=tuple(centre),
                                    scale_factor=FIT_MARGIN * 2 * radius / np.cos(np.radians(FIELD_OF_VIEW_DEG) / 2))

    def _present(self) -> None:
        """Record that the pending frame was rendered for the screen and tell listeners."""
        if self._pending_frame is None:
            return
        self.displayed_frame, self._pending_frame = self._pending_frame, None
        self.frame_presented.emit(self.displayed_frame)
