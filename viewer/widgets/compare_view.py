"""The Compare panel: the trainee's take beside its exemplar, at DTW-matched frames.

Everything is keyed by the trainee's frame (``state.frame``): the exemplar tile
shows ``exemplar.alignment.exemplar_frame_for[state.frame]``, so playing or
seeking steps both takes through matching phases. Below the tiles, the
per-phase deviation summary lists the body parts that differ most from the
exemplar, by joint angle first (:mod:`analysis.motion.deviations`), and where;
clicking a row seeks to that part's worst frame in the phase.
"""

from __future__ import annotations

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

from analysis.motion.comparison import largest_deviations
from analysis.motion.deviations import deviation_cells
from analysis.render import palette
from analysis.render.framing import athlete_boxes, athlete_window
from viewer.model.exemplar_bundle import ExemplarBundle, no_exemplar_message
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.overlay_painter import bone_colors, draw_bones
from viewer.widgets.panel import header_over_body
from viewer.widgets.tile_painter import CAPTION_BACKGROUND, NO_VIDEO_BACKGROUND
from viewer.widgets.tile_painter import bgr_qimage
from viewer.widgets.video_grid import BACKGROUND

#: (view name, frame) -> BGRX (H, W, 4) or BGR (H, W, 3) uint8 image, or None where the take has no video.
FrameSource = Callable[[str, int], np.ndarray | None]

OTHER_TAKES_HEADER = "Other takes of this action"
MESSAGE_TEXT = QColor(palette.MUTED_TEXT)
WARNING_TEXT = QColor(palette.WARNING_TEXT)
TRAINEE_ACCENT = QColor(palette.CURSOR)
EXEMPLAR_ACCENT = QColor(palette.EXEMPLAR)
TILE_GAP = 6
#: The splitter starts with about this many table rows in sight (tiles get 3 : 2 of the height).
TABLE_ROWS_SHOWN = 6


def _score_text(score: float) -> str:
    return "unscored" if not np.isfinite(score) else f"score {score:.2f}"


class ComparisonTiles(QWidget):
    """Two video tiles of one view: the trainee at ``state.frame``, the exemplar at its matched frame.

    Each tile frames its athlete's whole body (:func:`analysis.render.framing.athlete_window`)
    with the 2D skeleton drawn over it; without video, the skeleton is drawn on a neutral
    background.
    """

    def __init__(self, state: ViewerState, trainee_frame: FrameSource, exemplar_frame: FrameSource,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._sources = {"trainee": trainee_frame, "exemplar": exemplar_frame}
        self._view: str | None = None
        self._displayed: tuple[int, int] | None = None
        self._captions: tuple[str, ...] = ()
        self._skeleton_boxes: dict[str, QRectF] = {}
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

    def captions(self) -> tuple[str, ...]:
        """The captions of the two tiles at the last paint (empty when no pair was shown)."""
        return self._captions

    def skeleton_boxes(self) -> dict[str, QRectF]:
        """Bounding box of the skeleton drawn at the last paint, widget pixels, by role (trainee, exemplar)."""
        return dict(self._skeleton_boxes)

    def message(self) -> str:
        """What the panel says instead of the tiles ('' while it shows them)."""
        state = self._state
        if state.take is None:
            return "Open a take to compare it with an exemplar"
        if state.exemplar is not None:
            return "" if self._view is not None else "Choose a view"
        if state.take.pose is None:
            return f"Take {state.take.take_id} has no 3D pose: it cannot be aligned with an exemplar"
        if state.library is None:
            return "Indexing the library to find an exemplar of this action …"
        if self._no_exemplar():
            return no_exemplar_message(state.take.info.action_name, state.library.root)
        return "Aligning the exemplar of this action …"

    def _no_exemplar(self) -> bool:
        state = self._state
        return (state.take is not None and state.take.pose is not None and state.library is not None
                and state.exemplar is None and state.exemplar_candidates.empty)

    def tile_rects(self) -> tuple[QRectF, QRectF]:
        half = (self.width() - 3 * TILE_GAP) / 2
        height = self.height() - 2 * TILE_GAP
        return (QRectF(TILE_GAP, TILE_GAP, half, height), QRectF(2 * TILE_GAP + half, TILE_GAP, half, height))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        take, exemplar = self._state.take, self._state.exemplar
        if take is None or exemplar is None or self._view is None:
            self._displayed, self._captions = None, ()
            self._skeleton_boxes = {}
            painter.setPen(WARNING_TEXT if self._no_exemplar() else MESSAGE_TEXT)
            painter.drawText(self.rect().adjusted(12, 12, -12, -12),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message())
            painter.end()
            return
        frame = self._state.frame
        matched = exemplar.exemplar_frame(frame)
        left, right = self.tile_rects()
        role = "EXEMPLAR" if exemplar.is_exemplar else "OTHER TAKE (not an exemplar)"
        captions = (f"TRAINEE · frame {frame} · {_score_text(take.info.score)}",
                    f"{role} {exemplar.athlete} {exemplar.take.take_id} · frame {matched} · "
                    f"{_score_text(exemplar.take.info.score)}")
        self._paint_side(painter, left, "trainee", take, frame, captions[0], TRAINEE_ACCENT)
        self._paint_side(painter, right, "exemplar", exemplar.take, matched, captions[1], EXEMPLAR_ACCENT)
        painter.end()
        self._displayed, self._captions = (frame, matched), captions

    def _paint_side(self, painter: QPainter, tile: QRectF, role: str, take: TakeBundle, frame: int,
                    caption: str, accent: QColor) -> None:
        index = take.view_names.index(self._view) if self._view in take.view_names else 0
        camera = take.cameras[index]
        window = QRectF(*athlete_window(athlete_boxes(take.pose2d[index]), frame, camera.width, camera.height,
                                        tile.width() / tile.height()))
        target = QRectF(tile)
        scale = target.width() / window.width()
        image = self._sources[role](camera.name, frame) if camera.name in take.info.video_views else None
        painter.fillRect(target, NO_VIDEO_BACKGROUND)
        if image is not None:
            image = np.ascontiguousarray(image)
            shown = window.intersected(QRectF(0, 0, image.shape[1], image.shape[0]))   # the window may pass the edges
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(QRectF(target.topLeft() + (shown.topLeft() - window.topLeft()) * scale,
                                     shown.size() * scale), bgr_qimage(image), shown)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.save()
        painter.setClipRect(target)
        points = (take.pose2d[index, frame, :, :2] - (window.left(), window.top())) * scale + (target.left(), target.top())
        seen = points[np.isfinite(points).all(axis=1)]
        self._skeleton_boxes[role] = (QRectF(*seen.min(axis=0), *np.ptp(seen, axis=0)) if len(seen) else QRectF())
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
        The user picked another exemplar, or another take of the action: library ``file`` and take id.
    """

    exemplar_chosen = Signal(str, str)

    def __init__(self, state: ViewerState, trainee_frame: FrameSource, exemplar_frame: FrameSource,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._rows = pd.DataFrame()
        self._n_exemplars = 0

        self._exemplar_box = QComboBox(toolTip="Exemplars of this action, best first, then its other takes "
                                               "(this athlete's first)")
        self._exemplar_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self._exemplar_box.setMinimumContentsLength(20)
        self._exemplar_box.activated.connect(self._on_exemplar_activated)
        self._view_box = QComboBox(toolTip="Camera view shown for both takes")
        self._view_box.currentIndexChanged.connect(lambda _i: self.tiles.set_view(self._view_box.currentData()))
        self._alignment_label = QLabel()
        self._alignment_label.setStyleSheet(f"color: {palette.MUTED_TEXT}")

        header = QHBoxLayout()
        header.setContentsMargins(6, 3, 6, 3)
        header.addWidget(QLabel("Compare with"))
        header.addWidget(self._exemplar_box)
        header.addSpacing(12)
        header.addWidget(QLabel("View"))
        header.addWidget(self._view_box)
        header.addSpacing(12)
        header.addWidget(self._alignment_label, 1)

        self.tiles = ComparisonTiles(state, trainee_frame, exemplar_frame)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Phase (frames)", "Body part", "Angle gap", "Mean / peak distance", "Worst at"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setToolTip("Body parts farthest from the exemplar in each third of the take, largest "
                              "joint angle gap first; click a row to go there")
        self.table.cellClicked.connect(self._on_row_clicked)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.tiles)
        splitter.addWidget(self.table)
        splitter.setSizes([3 * TABLE_ROWS_SHOWN * 10, 2 * TABLE_ROWS_SHOWN * 10])

        header_over_body(self, header, splitter)

        state.take_changed.connect(self._on_take_changed)
        state.exemplar_candidates_changed.connect(lambda _rows: self._show_candidates())
        state.other_takes_changed.connect(lambda _rows: self._show_candidates())
        state.library_changed.connect(lambda _library: self.tiles.update())
        state.exemplar_changed.connect(self._on_exemplar_changed)
        state.frame_changed.connect(lambda _f: self.tiles.update())
        state.view_selected.connect(self._on_view_selected)
        self._on_take_changed(state.take)
        self._show_candidates()
        self._on_exemplar_changed(state.exemplar)

    # ------------------------------------------------------------------ API
    def candidate_labels(self) -> list[str]:
        """The exemplars in the picker, as listed (best first)."""
        return [self._exemplar_box.itemText(i) for i in range(self._n_exemplars)]

    def other_take_labels(self) -> list[str]:
        """The other takes of the action in the picker, as listed under their heading."""
        return [self._exemplar_box.itemText(i) for i in range(self._n_exemplars + 1, self._exemplar_box.count())]

    def choose_candidate(self, index: int) -> None:
        """Pick the ``index``-th exemplar of the picker, as a user would."""
        self._choose_item(index)

    def choose_other_take(self, index: int) -> None:
        """Pick the ``index``-th of the action's other takes in the picker, as a user would."""
        self._choose_item(self._n_exemplars + 1 + index)

    def _choose_item(self, index: int) -> None:
        self._exemplar_box.setCurrentIndex(index)
        self._on_exemplar_activated(index)

    def set_view(self, view: str) -> None:
        self._view_box.setCurrentIndex(self._view_box.findData(view))

    def deviation_rows(self) -> pd.DataFrame:
        """The rows of the deviation table, as shown (phase, joint, ..., peak_frame)."""
        return self._rows

    # ------------------------------------------------------------ reactions
    def _show_candidates(self) -> None:
        """Fill the picker: ``state.exemplar_candidates`` (best first), then ``state.other_takes`` under a heading."""
        candidates, others = self._state.exemplar_candidates, self._state.other_takes
        box = self._exemplar_box
        box.blockSignals(True)
        box.clear()
        for row in candidates.itertuples():
            self._add_take(row, "")
        self._n_exemplars = len(candidates)
        if len(others):
            box.addItem(OTHER_TAKES_HEADER, None)
            box.model().item(box.count() - 1).setEnabled(False)
            athlete = self._state.session.athlete if self._state.session is not None else None
            for row in others.itertuples():
                self._add_take(row, " · same athlete" if row.athlete == athlete else "")
        box.setEnabled(len(candidates) + len(others) > 0)
        box.blockSignals(False)
        self._select_shown_exemplar()
        self.tiles.update()

    def _add_take(self, row, note: str) -> None:
        self._exemplar_box.addItem(f"{row.athlete} · {row.take} · {_score_text(row.score)}{note}", (row.file, row.take))
        self._exemplar_box.setItemData(self._exemplar_box.count() - 1, row.file, Qt.ItemDataRole.ToolTipRole)

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
            data = self._exemplar_box.itemData(index)
            if data is not None and data[1] == exemplar.take.take_id and exemplar.path.as_posix().endswith(data[0]):
                self._exemplar_box.setCurrentIndex(index)

    def _on_exemplar_activated(self, index: int) -> None:
        data = self._exemplar_box.itemData(index)
        if data is not None:
            self.exemplar_chosen.emit(*data)

    def _fill_table(self, exemplar: ExemplarBundle | None) -> None:
        rows = pd.DataFrame() if exemplar is None else largest_deviations(exemplar.deviations)
        self._rows = rows
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows.itertuples()):
            for c, text in enumerate(deviation_cells(row)):
                item = QTableWidgetItem(text)
                item.setToolTip(row.joints if c == 1 else "")
                if c in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)

    def _on_row_clicked(self, row: int, _column: int) -> None:
        if 0 <= row < len(self._rows) and self._rows["peak_frame"].iloc[row] >= 0:
            self._state.set_playing(False)
            self._state.seek(int(self._rows["peak_frame"].iloc[row]))
