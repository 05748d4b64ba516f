"""Transport bar: play/pause, frame stepping, the frame slider, loop range and speed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QStyle,
    QToolButton,
    QWidget,
)
from superqt import QRangeSlider

from analysis.annotations.items import Marker
from viewer.model.state import SPEEDS, ViewerState
from viewer.widgets.marker_slider import MarkerSlider

#: The frame slider keeps at least this width (pixels) so that its marker ticks stay apart.
MIN_SLIDER_PX = 240


class TransportBar(QWidget):
    """Playback controls bound to the viewer state."""

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        icon = self.style().standardIcon
        self._play_icon = icon(QStyle.StandardPixmap.SP_MediaPlay)
        self._pause_icon = icon(QStyle.StandardPixmap.SP_MediaPause)
        self.play_button = self._button(self._play_icon, "Play / pause (Space)", state.toggle_playing)
        buttons = [
            self._button(icon(QStyle.StandardPixmap.SP_MediaSkipBackward), "First frame (Home)", state.seek_start),
            self._button(icon(QStyle.StandardPixmap.SP_MediaSeekBackward), "Back 10 frames (Shift+Left)",
                         lambda: state.step(-10)),
            self._button(icon(QStyle.StandardPixmap.SP_ArrowLeft), "Previous frame (Left)", lambda: state.step(-1)),
            self.play_button,
            self._button(icon(QStyle.StandardPixmap.SP_ArrowRight), "Next frame (Right)", lambda: state.step(1)),
            self._button(icon(QStyle.StandardPixmap.SP_MediaSeekForward), "Forward 10 frames (Shift+Right)",
                         lambda: state.step(10)),
            self._button(icon(QStyle.StandardPixmap.SP_MediaSkipForward), "Last frame (End)", state.seek_end),
        ]
        self.slider = MarkerSlider()
        self.slider.setToolTip("Current frame; the ticks are markers (M adds one)")
        self.slider.setMinimumWidth(MIN_SLIDER_PX)
        self.slider.valueChanged.connect(state.seek)
        self.loop_slider = QRangeSlider(Qt.Orientation.Horizontal)
        self.loop_slider.setToolTip("Loop range: drag the handles")
        self.loop_slider.setMaximumWidth(220)
        self.loop_slider.setMinimumWidth(60)
        self.loop_slider.valueChanged.connect(lambda value: state.set_loop(state.loop_enabled, *value))
        self.loop_box = QCheckBox("Loop")
        self.loop_box.setToolTip("Loop inside the range (L)")
        self.loop_box.toggled.connect(lambda on: state.set_loop(on))
        self.speed_box = QComboBox()
        self.speed_box.setToolTip("Playback speed ([ slower, ] faster)")
        for speed in SPEEDS:
            self.speed_box.addItem(f"{speed:g}×", speed)
        self.speed_box.currentIndexChanged.connect(lambda i: state.set_speed(self.speed_box.itemData(i)))
        self.time_label = QLabel()
        self.time_label.setMinimumWidth(170)
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        for button in buttons:
            layout.addWidget(button)
        layout.addWidget(self.slider, stretch=1)
        layout.addWidget(self.time_label)
        layout.addWidget(self.loop_box)
        layout.addWidget(self.loop_slider)
        layout.addWidget(self.speed_box)

        state.take_changed.connect(lambda _take: self._on_take())
        state.annotations.changed.connect(lambda _take: self._show_markers())
        state.frame_changed.connect(self._on_frame)
        state.playing_changed.connect(
            lambda playing: self.play_button.setIcon(self._pause_icon if playing else self._play_icon))
        state.speed_changed.connect(self._on_speed)
        state.loop_changed.connect(self._on_loop)
        self._on_take()
        self._on_speed(state.speed)

    def _button(self, icon, tip: str, slot) -> QToolButton:
        button = QToolButton(icon=icon, toolTip=tip, autoRaise=True)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(slot)
        return button

    def _on_take(self) -> None:
        last = max(0, self._state.n_frames - 1)
        for widget in (self.slider, self.loop_slider):
            widget.blockSignals(True)
            widget.setRange(0, last)
        self.loop_slider.setValue(self._state.loop_range)
        for widget in (self.slider, self.loop_slider):
            widget.blockSignals(False)
        self.setEnabled(self._state.take is not None)
        self._on_frame(self._state.frame)
        self._show_markers()

    def _show_markers(self) -> None:
        take = self._state.take
        markers = [] if take is None else self._state.annotations.items(take.take_id, Marker)
        self.slider.set_markers([(marker.frame, marker.note) for marker in markers])

    def _on_frame(self, frame: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(frame)
        self.slider.blockSignals(False)
        total = self._state.n_frames
        self.time_label.setText(f"{frame} / {max(0, total - 1)}   {self._state.time_s:6.2f} s")

    def _on_speed(self, speed: float) -> None:
        index = self.speed_box.findData(speed)
        if index >= 0 and index != self.speed_box.currentIndex():
            self.speed_box.setCurrentIndex(index)

    def _on_loop(self, enabled: bool, first: int, last: int) -> None:
        self.loop_box.blockSignals(True)
        self.loop_box.setChecked(enabled)
        self.loop_box.blockSignals(False)
        if tuple(self.loop_slider.value()) != (first, last):
            self.loop_slider.blockSignals(True)
            self.loop_slider.setValue((first, last))
            self.loop_slider.blockSignals(False)
