"""The reprojection error heatmap (joints x frames) with its time cursor, joint band and joint names."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem

from viewer.widgets.joint_axis import JointAxis

#: Colour scale of the heatmap, pixels: fixed so that takes and views compare at a glance.
ERROR_RANGE_PX = (0.0, 30.0)
COLORMAP = "inferno"
#: Shown where there is no usable detection or no 3D point.
MISSING_COLOUR = QColor(110, 110, 110)
CURSOR_COLOUR = QColor(80, 200, 255)


class _CellImage(pg.ImageItem):
    """The heatmap image; a left click reports the (joint, frame) cell under the mouse."""

    cell_clicked = Signal(int, int)

    def mouseClickEvent(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self.image is None:
            super().mouseClickEvent(event)
            return
        event.accept()
        rows, columns = self.image.shape
        joint, frame = int(np.floor(event.pos().y())), int(np.floor(event.pos().x()))
        if 0 <= joint < rows and 0 <= frame < columns:
            self.cell_clicked.emit(joint, frame)


class ErrorHeatmapView(pg.GraphicsLayoutWidget):
    """A (J, T) error image: frames along x (with time in seconds on top), one named row per joint.

    Signals
    -------
    cell_clicked(int, int)
        ``(joint, frame)`` of a left click on a cell.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.joint_axis = JointAxis()
        self.plot = self.addPlot(axisItems={"left": self.joint_axis})
        self._image = _CellImage(axisOrder="row-major")
        self._backdrop = QGraphicsRectItem()
        self._cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(CURSOR_COLOUR, width=2))
        self._joint_band = pg.LinearRegionItem(orientation="horizontal", movable=False,
                                               brush=pg.mkBrush(None), pen=pg.mkPen(CURSOR_COLOUR, width=1.5))
        self._setup_plot()
        self._image.cell_clicked.connect(self.cell_clicked)

    def _setup_plot(self) -> None:
        plot = self.plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setMouseEnabled(x=True, y=False)
        plot.getViewBox().invertY(True)
        plot.setLabel("bottom", "frame")
        plot.showAxis("top")
        plot.setLabel("top", "time", units="s")
        self._backdrop.setBrush(QBrush(MISSING_COLOUR))
        self._backdrop.setPen(QPen(Qt.PenStyle.NoPen))
        self._backdrop.setZValue(-10)
        for item in (self._backdrop, self._image, self._joint_band, self._cursor):
            plot.addItem(item)
        self._joint_band.setZValue(5)
        self._cursor.setZValue(10)
        bar = pg.ColorBarItem(values=ERROR_RANGE_PX, colorMap=pg.colormap.get(COLORMAP), interactive=False,
                              label="reprojection error (px)", width=14)
        bar.setImageItem(self._image, insert_in=plot)

    def show_errors(self, heatmap: np.ndarray, joint_names: Sequence[str], fps: float) -> None:
        """Draw a (J, T) heatmap in pixels (NaN drawn grey) with its joints' names."""
        n_joints, n_frames = heatmap.shape
        self._image.setImage(heatmap, autoLevels=False, levels=ERROR_RANGE_PX)
        self._backdrop.setRect(QRectF(0, 0, n_frames, n_joints))
        self.joint_axis.set_joint_names(tuple(joint_names))
        self.plot.getAxis("top").setScale(1.0 / fps)
        view_box = self.plot.getViewBox()
        view_box.setLimits(xMin=0, xMax=n_frames, yMin=0, yMax=n_joints, minXRange=min(10, n_frames))
        view_box.setRange(xRange=(0, n_frames), yRange=(0, n_joints), padding=0)

    def clear_errors(self) -> None:
        """Draw nothing (no take, or no 3D)."""
        self._image.clear()
        self._backdrop.setRect(QRectF())
        self.joint_axis.set_joint_names(())
        self._cursor.setVisible(False)
        self._joint_band.setVisible(False)

    def set_cursor(self, frame: int | None) -> None:
        """Put the time cursor on ``frame``; None hides it."""
        self._cursor.setVisible(frame is not None)
        if frame is not None:
            self._cursor.setValue(frame + 0.5)

    def set_joint_band(self, joint: int | None) -> None:
        """Outline the row of ``joint``; None hides the outline."""
        self._joint_band.setVisible(joint is not None)
        if joint is not None:
            self._joint_band.setRegion((joint, joint + 1))

    def cell_at(self, scene_position: QPointF) -> tuple[int, int]:
        """``(joint, frame)`` under a scene position (may lie outside the image)."""
        position = self._image.mapFromScene(scene_position)
        return int(np.floor(position.y())), int(np.floor(position.x()))

    def over_cells(self, scene_position: QPointF) -> bool:
        """Whether a scene position lies on the image's plot area."""
        return self.plot.getViewBox().sceneBoundingRect().contains(scene_position)

    def over_joint_names(self, scene_position: QPointF) -> bool:
        """Whether a scene position lies on the axis that names the joints."""
        return self.joint_axis.sceneBoundingRect().contains(scene_position)

    def cell_to_scene(self, joint: int, frame: int) -> QPointF:
        """Scene position of the centre of the cell (``joint``, ``frame``)."""
        return self.plot.getViewBox().mapViewToScene(QPointF(frame + 0.5, joint + 0.5))
