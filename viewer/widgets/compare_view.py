"""The Compare panel: the trainee's take beside its exemplar, at DTW-matched frames.

Everything is keyed by the trainee's frame (``state.frame``): the exemplar tile
shows ``exemplar.alignment.exemplar_frame_for[state.frame]``, so playing or
seeking steps both takes through matching phases. Below the tiles, the
per-phase deviation summary lists the joints that differ most from the
exemplar and where; clicking a row seeks to that joint's worst frame in the
phase.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from analysis.render import palette
from viewer.model.exemplar_bundle import ExemplarBundle
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.overlay_painter import bone_colors, draw_bones
from viewer.widgets.panel import header_over_body
from viewer.widgets.tile_painter import CAPTION_BACKGROUND, NO_VIDEO_BACKGROUND
from viewer.widgets.video_grid import BACKGROUND, bgr_qimage

#: (view name, frame) -> BGRX (H, W, 4) or BGR (H, W, 3) uint8 image, or None where the take has no video.
FrameSource = Callable[[str, int], np.ndarray | None]

MESSAGE_TEXT = QColor(palette.MUTED_TEXT)
TRAINEE_ACCENT = QColor(palette.CURSOR)
EXEMPLAR_ACCENT = QColor(palette.EXEMPLAR)
TILE_GAP = 6
#: Rows of the deviation table per phase (the joints that differ most).
JOINTS_PER_PHASE = 3
#: The splitter starts with about this many table rows in sight (tiles get 3 : 2 of the height).
TABLE_ROWS_SHOWN = 6
#: A tile shows the athlete's largest 2D extent over the take times this, at least this
#: fraction of the camera image's height.
ATHLETE_MARGIN = 1.3
MIN_WINDOW_FRACTION = 0.25


def _score_text(score: float) -> str:
    return "unscored" if not np.isfinite(score) else f"score {score:.2f}"


class ComparisonTiles(QWidget):
    """Two video tiles of one view: the trainee at ``state.frame``, the exemplar at its matched frame.

    Each tile is zoomed onto its athlete (:func:`athlete_window`) with the 2D skeleton drawn
    over it; without video, the skeleton is drawn on a neutral background.
    """

    def __init__(self, state: ViewerState, trainee_frame: FrameSource, exemplar_frame: FrameSource,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._sources = {"trainee": trainee_frame, "exemplar": exemplar_frame}
        self._view: str | None = None
        self._displayed: tuple[int, int] | None = None
        self.setMinimumSize(320, 140)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    @property
    def view(self) -> str | None:
        return self._view

    def set_view(self, view: str | None) -> None:
        if view != self._view:
            self._view = view
            self.update()

    def displayed_frames(self) -> tuple[int, int] | None:
        """(trainee frame, exemplar frame) shown at the last paint, or None when no pair was shown."""
        return self._displayed

    def tile_rects(self) -> tuple[QRectF, QRectF]:
        half = (self.width() - 3 * TILE_GAP) / 2
        height = self.height() - 2 * TILE_GAP
        return (QRectF(TILE_GAP, TILE_GAP, half, height), QRectF(2 * TILE_GAP + half, TILE_GAP, half, height))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        take, exemplar = self._state.take, self._state.exemplar
        if take is None or exemplar is None or self._view is None:
            self._displayed = None
            painter.setPen(MESSAGE_TEXT)
            message = ("Open a take to compare it with an exemplar" if take is None
                       else "Looking for the exemplar of this action …" if exemplar is None
                       else "Choose a view")
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, message)
            painter.end()
            return
        frame = self._state.frame
        matched = exemplar.exemplar_frame(frame)
        left, right = self.tile_rects()
        self._paint_side(painter, left, "trainee", take, frame,
                         f"TRAINEE · frame {frame} · {_score_text(take.info.score)}", TRAINEE_ACCENT)
        self._paint_side(painter, right, "exemplar", exemplar.take, matched,
                         f"EXEMPLAR {exemplar.athlete} · frame {matched} · {_score_text(exemplar.take.info.score)}",
                         EXEMPLAR_ACCENT)
        painter.end()
        self._displayed = (frame, matched)

    def _paint_side(self, painter: QPainter, tile: QRectF, role: str, take: TakeBundle, frame: int,
                    caption: str, accent: QColor) -> None:
        index = take.view_names.index(self._view) if self._view in take.view_names else 0
        camera = take.cameras[index]
        window = athlete_window(take.pose2d[index], frame, camera.width, camera.height, tile.width() / tile.height())
        target = QRectF(tile)
        scale = target.width() / window.width()
        image = self._sources[role](camera.name, frame) if camera.name in take.info.video_views else None
        painter.fillRect(target, NO_VIDEO_BACKGROUND)
        if image is not None:
            image = np.ascontiguousarray(image)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(target, bgr_qimage(image), window)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.save()
        painter.setClipRect(target)
        points = (take.pose2d[index, frame, :, :2] - (window.left(), window.top())) * scale + (target.left(), target.top())
        draw_bones(painter, points, take.skeleton.edge_array, bone_colors(take.skeleton),
                   float(np.clip(1.4 * scale, 2.0, 6.0)))
        painter.restore()
        font = QFont(painter.font())
        font.setPointSizeF(10.0)
        font.setBold(True)
        painter.setFont(font)
        text = caption if image is not None else f"{caption} · no video"
        metrics = QFontMetricsF(font)
        box = QRectF(target.left() + 6, target.top() + 6,
                     min(metrics.horizontalAdvance(text) + 14, target.width() - 12), metrics.height() + 6)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(CAPTION_BACKGROUND)
        painter.drawRoundedRect(box, 4, 4)
        painter.setPen(accent)
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter,
                         metrics.elidedText(text, Qt.TextElideMode.ElideRight, box.width() - 10))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(accent, 2.0))
        painter.drawRect(target.adjusted(1, 1, -1, -1))


def athlete_window(pose2d: np.ndarray, frame: int, width: int, height: int, aspect: float) -> QRectF:
    """The part of a camera image that frames the athlete at ``frame``, camera pixels.

    Its size is fixed for the take (the athlete's largest extent times
    :data:`ATHLETE_MARGIN`, at ``aspect`` = width / height) so the zoom does not
    pump; it follows the athlete's 2D box centre and stays inside the image.

    Parameters
    ----------
    pose2d : ndarray (T, J, 3)
        One view's detections, pixels.
    width, height : int
        Camera image size, pixels.
    """
    points = pose2d[..., :2]
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        extent = np.nanmax(np.nanmax(points, axis=1) - np.nanmin(points, axis=1))
        centre = 0.5 * (np.nanmax(points[frame], axis=0) + np.nanmin(points[frame], axis=0))
    window_h = ATHLETE_MARGIN * extent if np.isfinite(extent) and extent > 0 else height
    window_h = min(max(window_h, MIN_WINDOW_FRACTION * height), height, width / aspect)
    window_w = window_h * aspect
    if not np.all(np.isfinite(centre)):
        centre = np.array([width / 2, height / 2])
    left = float(np.clip(centre[0] - window_w / 2, 0, width - window_w))
    top = float(np.clip(centre[1] - window_h / 2, 0, height - window_h))
    return QRectF(left, top, window_w, window_h)


class CompareView(QWidget):
    """Trainee and exemplar side by side, the exemplar picker and the per-phase deviation summary.

    Parameters
    ----------
    state : ViewerState
        Source of the take, frame, selected view and exemplar; row clicks call ``state.seek``.
    trainee_frame, exemplar_frame : callable (view, frame) -> ndarray or None
        Decoded BGRX (or BGR) frames of the current take and of the exemplar (each at its own frame index).

    Signals
    -------
    exemplar_chosen(str, str)
        The user picked another exemplar: library ``file`` and take id.
    """

    exemplar_chosen = Signal(str, str)

    def __init__(self, state: ViewerState, trainee_frame: FrameSource, exemplar_frame: FrameSource,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._rows = pd.DataFrame()

        self._exemplar_box = QComboBox(toolTip="Exemplars of this action, best score first")
        self._exemplar_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._exemplar_box.setMinimumContentsLength(20)
        self._exemplar_box.activated.connect(self._on_exemplar_activated)
        self._view_box = QComboBox(toolTip="Camera view shown for both takes")
        self._view_box.currentIndexChanged.connect(lambda _i: self.tiles.set_view(self._view_box.currentData()))
        self._alignment_label = QLabel()
        self._alignment_label.setStyleSheet(f"color: {palette.MUTED_TEXT}")

        header = QHBoxLayout()
        header.setContentsMargins(6, 3, 6, 3)
        header.addWidget(QLabel("Exemplar"))
        header.addWidget(self._exemplar_box)
        header.addSpacing(12)
        header.addWidget(QLabel("View"))
        header.addWidget(self._view_box)
        header.addSpacing(12)
        header.addWidget(self._alignment_label, 1)

        self.tiles = ComparisonTiles(state, trainee_frame, exemplar_frame)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Phase (frames)", "Joint", "Mean / peak gap", "Worst at", "Angle gap"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Joints farthest from the exemplar in each third of the take; click a row to go there")
        self.table.cellClicked.connect(self._on_row_clicked)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tiles)
        splitter.addWidget(self.table)
        splitter.setSizes([3 * TABLE_ROWS_SHOWN * 10, 2 * TABLE_ROWS_SHOWN * 10])

        header_over_body(self, header, splitter)

        state.take_changed.connect(self._on_take_changed)
        state.exemplar_candidates_changed.connect(self._show_candidates)
        state.exemplar_changed.connect(self._on_exemplar_changed)
        state.frame_changed.connect(lambda _f: self.tiles.update())
        state.view_selected.connect(self._on_view_selected)
        self._on_take_changed(state.take)
        self._show_candidates(state.exemplar_candidates)
        self._on_exemplar_changed(state.exemplar)

    # ------------------------------------------------------------------ API
    def candidate_labels(self) -> list[str]:
        return [self._exemplar_box.itemText(i) for i in range(self._exemplar_box.count())]

    def choose_candidate(self, index: int) -> None:
        """Pick the ``index``-th exemplar of the picker, as a user would."""
        self._exemplar_box.setCurrentIndex(index)
        self._on_exemplar_activated(index)

    def set_view(self, view: str) -> None:
        self._view_box.setCurrentIndex(self._view_box.findData(view))

    def deviation_rows(self) -> pd.DataFrame:
        """The rows of the deviation table, as shown (phase, joint, ..., peak_frame)."""
        return self._rows

    # ------------------------------------------------------------ reactions
    def _show_candidates(self, candidates: pd.DataFrame) -> None:
        """Fill the exemplar picker (``state.exemplar_candidates``, best first)."""
        self._exemplar_box.blockSignals(True)
        self._exemplar_box.clear()
        for row in candidates.itertuples():
            self._exemplar_box.addItem(f"{row.athlete} · {row.take} · {_score_text(row.score)}", (row.file, row.take))
            self._exemplar_box.setItemData(self._exemplar_box.count() - 1, row.file, Qt.ItemDataRole.ToolTipRole)
        self._exemplar_box.setEnabled(len(candidates) > 0)
        self._exemplar_box.blockSignals(False)
        self._select_shown_exemplar()

    def _on_take_changed(self, take: TakeBundle | None) -> None:
        self._view_box.blockSignals(True)
        self._view_box.clear()
        for view in take.view_names if take is not None else ():
            self._view_box.addItem(view, view)
        self._view_box.blockSignals(False)
        if take is not None and take.view_names:
            preferred = self._state.selected_view or (take.info.video_views or take.view_names)[0]
            self.set_view(preferred)
        self.tiles.set_view(self._view_box.currentData())
        self.tiles.update()

    def _on_view_selected(self, view: str | None) -> None:
        if view is not None and self._view_box.findData(view) >= 0:
            self.set_view(view)

    def _on_exemplar_changed(self, exemplar: ExemplarBundle | None) -> None:
        self._fill_table(exemplar)
        self._select_shown_exemplar()
        if exemplar is None:
            self._alignment_label.setText("")
        else:
            self._alignment_label.setText(
                f"DTW: {len(exemplar.alignment.path)} matched pairs, mean pose gap "
                f"{exemplar.alignment.cost:.2f} trunk lengths")
        self.tiles.update()

    def _select_shown_exemplar(self) -> None:
        exemplar = self._state.exemplar
        if exemplar is None:
            return
        for index in range(self._exemplar_box.count()):
            file, take = self._exemplar_box.itemData(index)
            if take == exemplar.take.take_id and exemplar.path.as_posix().endswith(file):
                self._exemplar_box.setCurrentIndex(index)

    def _on_exemplar_activated(self, index: int) -> None:
        data = self._exemplar_box.itemData(index)
        if data is not None:
            self.exemplar_chosen.emit(*data)

    def _fill_table(self, exemplar: ExemplarBundle | None) -> None:
        rows = pd.DataFrame() if exemplar is None else (
            exemplar.deviations.groupby("phase", sort=True).head(JOINTS_PER_PHASE).reset_index(drop=True))
        self._rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows.itertuples()):
            angle = ("" if not row.angle else
                     f"{row.mean_angle_difference_deg:.0f}° {row.angle.removesuffix('_deg').replace('_', ' ')}")
            cells = (f"{row.phase}  ({row.start_frame}–{row.end_frame - 1})",
                     row.joint.replace("_", " "),
                     f"{row.mean_distance_cm:.0f} / {row.peak_distance_cm:.0f} cm",
                     f"frame {row.peak_frame}",
                     angle)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def _on_row_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._rows):
            self._state.set_playing(False)
            self._state.seek(int(self._rows["peak_frame"].iloc[row]))
