"""The offscreen vispy canvas of the 3D view, the plain widget that shows its renders, and the mouse.

The scene is rendered offscreen (an FBO read back to an image) and painted by
a plain QWidget: a QOpenGLWidget anywhere in a window makes Qt compose the
whole window through OpenGL on every repaint, which on software GL halves the
frame rate of every other panel. The display's Qt mouse events are forwarded
to the canvas as vispy events, so the canvas's camera (orbit, pan, zoom) and
its mouse handlers work as if the canvas were on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import vispy
from PySide6.QtCore import QObject, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QImage, QMouseEvent, QPainter, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget
from vispy import gloo, scene
from vispy.util import keys

from analysis.render import palette

vispy.use(app="pyside6")

#: Qt mouse buttons and keyboard modifiers as vispy names them.
#: Size of the text written over the render (camera names), points.
LABEL_POINT_SIZE = 9.5
VISPY_BUTTONS = {Qt.MouseButton.LeftButton: 1, Qt.MouseButton.RightButton: 2, Qt.MouseButton.MiddleButton: 3}
VISPY_MODIFIERS = ((Qt.KeyboardModifier.ShiftModifier, keys.SHIFT), (Qt.KeyboardModifier.ControlModifier, keys.CONTROL),
                   (Qt.KeyboardModifier.AltModifier, keys.ALT), (Qt.KeyboardModifier.MetaModifier, keys.META))


class OffscreenCanvas(scene.SceneCanvas):
    """A SceneCanvas drawn only by :meth:`render_frame`; its own GL widget is never on screen.

    The native QOpenGLWidget is a separate top-level window that Qt treats as shown
    but never maps (``WA_DontShowOnScreen``): that is what gives it a valid GL context
    of its own, made current by every :meth:`render_frame`, without it joining any window.
    Its own repaints are switched off; whatever asks the canvas for a redraw calls
    ``on_change`` instead, so the display widget paints a fresh render.
    """

    def __init__(self, on_change, **kwargs) -> None:
        self._on_change = on_change
        self._target: tuple[tuple[int, int], gloo.FrameBuffer] | None = None   # the render's size and buffers
        super().__init__(show=False, **kwargs)
        native = self.native
        native.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
        native.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        native.show()
        native.setUpdatesEnabled(False)

    def update(self, node=None) -> None:
        if not self._drawing:  # visuals touched while drawing need no second render
            self._on_change()

    def render_frame(self) -> np.ndarray:
        """The scene at the canvas's size, ``(H, W, 4)`` uint8 RGBA.

        As ``SceneCanvas.render`` draws it, into frame buffers kept from one render to the next
        while the size stays (``render``, which vispy's picking also calls, makes and frees a colour
        and a depth buffer every time).
        """
        self.set_current()
        size = tuple(int(x * self.pixel_scale) for x in self.size)
        if self._target is None or self._target[0] != size:
            self._target = size, gloo.FrameBuffer(color=gloo.RenderBuffer(size[::-1]),
                                                  depth=gloo.RenderBuffer(size[::-1]))
        buffers = self._target[1]
        self.push_fbo(buffers, (0, 0), self.size)
        try:
            self._draw_scene()
            return buffers.read()
        finally:
            self.pop_fbo()


@dataclass(frozen=True)
class SceneLabel:
    """Text the display writes over the render: centred on ``x``, standing on ``y`` (widget pixels)."""

    x: float
    y: float
    text: str
    colour: QColor


class SceneDisplay(QWidget):
    """Paints the latest offscreen render and hands the mouse and its size to the view.

    Signals
    -------
    painting()
        A render is due after :meth:`request_render`: the receiver renders and calls :meth:`show_image`.
        While the display is on screen this comes at the next turn of the event loop, on its own, so
        the render does not add to the turn whose changes asked for it (a take switch repaints much of
        the window); a paint that finds the image out of date (first shown, resized, uncovered) asks
        for it at once.
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
        self._labels: tuple[SceneLabel, ...] = ()
        self._label_font = QFont(self.font())
        self._label_font.setPointSizeF(LABEL_POINT_SIZE)
        self._stale = True
        self._painting = False
        self._render_soon = QTimer(self, singleShot=True, interval=0, timeout=self._render_if_stale)

    def request_render(self) -> None:
        """Ask for a fresh render: at the next turn of the event loop while on screen, else at the next
        paint (many calls in one event-loop turn, one render)."""
        self._stale = True
        if not self._render_soon.isActive():
            self._render_soon.start()

    def _render_if_stale(self) -> None:
        if not self._stale:
            return
        if self.isVisible() and not self.visibleRegion().isEmpty():
            self.painting.emit()   # the receiver's show_image asks for the paint
        else:
            self.update()   # rendered by the paint that shows it, if it is shown

    @property
    def labels(self) -> tuple[SceneLabel, ...]:
        """The text written over the current render."""
        return self._labels

    def show_image(self, rgba: np.ndarray, labels: tuple[SceneLabel, ...] = ()) -> None:
        """Show a render ``(H, W, 4)`` uint8 (alpha ignored) with ``labels`` written over it, from the next paint on."""
        self._labels = tuple(labels)
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
            painter.fillRect(self.rect(), QColor(palette.SCENE_BACKGROUND))
        else:
            painter.drawImage(self.rect(), self._image)
            self._paint_labels(painter)
        painter.end()

    def _paint_labels(self, painter: QPainter) -> None:
        """Each label centred on its x, its baseline a little above its y."""
        painter.setFont(self._label_font)
        metrics = painter.fontMetrics()
        for label in self._labels:
            painter.setPen(label.colour)
            width = metrics.horizontalAdvance(label.text)
            painter.drawText(QPointF(label.x - width / 2, label.y - metrics.descent()), label.text)

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


class MouseForwarder(QObject):
    """Re-emits a :class:`SceneDisplay`'s mouse events on a canvas's vispy mouse events.

    This is what vispy's Qt backend does for its own widget: the SceneCanvas routes
    the events to its camera and to the handlers of ``canvas.events.mouse_*``. A
    drag's press and previous events travel with each event (the camera reads
    ``press_event``); the chain is dropped once the button is released so it does
    not grow over the session.

    Parameters
    ----------
    display : SceneDisplay
    canvas : vispy.scene.SceneCanvas
    """

    def __init__(self, display: SceneDisplay, canvas: scene.SceneCanvas) -> None:
        super().__init__(display)
        self._canvas = canvas
        self._press_event = None                   # vispy MouseEvent of the held button's press
        self._last_mouse_event = None              # previous vispy MouseEvent of the current drag
        display.mouse_pressed.connect(self._forward_press)
        display.mouse_moved.connect(self._forward_move)
        display.mouse_released.connect(self._forward_release)
        display.wheel_turned.connect(self._forward_wheel)

    def _forward_press(self, event: QMouseEvent) -> None:
        vispy_event = self._canvas.events.mouse_press(
            **mouse_arguments(event), button=VISPY_BUTTONS.get(event.button(), 0),
            press_event=self._press_event, last_event=self._last_mouse_event)
        if self._press_event is None:
            self._press_event = vispy_event
        self._last_mouse_event = vispy_event

    def _forward_move(self, event: QMouseEvent) -> None:
        if self._press_event is None:
            return  # nothing in the scene reacts to hovering
        self._last_mouse_event = self._canvas.events.mouse_move(
            **mouse_arguments(event), button=self._press_event.button,
            press_event=self._press_event, last_event=self._last_mouse_event)

    def _forward_release(self, event: QMouseEvent) -> None:
        button = VISPY_BUTTONS.get(event.button(), 0)
        self._canvas.events.mouse_release(
            **mouse_arguments(event), button=button,
            press_event=self._press_event, last_event=self._last_mouse_event)
        if self._press_event is not None and self._press_event.button == button:
            self._press_event = self._last_mouse_event = None

    def _forward_wheel(self, event: QWheelEvent) -> None:
        angle = event.angleDelta()  # eighths of a degree; one notch of a wheel is 120
        self._canvas.events.mouse_wheel(**mouse_arguments(event), delta=(angle.x() / 120.0, angle.y() / 120.0))


def mouse_arguments(event: QMouseEvent | QWheelEvent) -> dict:
    """Position, held buttons and modifiers of a Qt mouse event, as vispy's mouse events take them."""
    position: QPointF = event.position()
    return dict(pos=(position.x(), position.y()),
                buttons=[vispy for qt, vispy in VISPY_BUTTONS.items() if event.buttons() & qt],
                modifiers=tuple(key for qt, key in VISPY_MODIFIERS if event.modifiers() & qt))
