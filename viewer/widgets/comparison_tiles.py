"""The Compare panel's two video tiles: the trainee at its frame, the exemplar at the DTW-matched frame."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from analysis.render import palette
from analysis.render.framing import athlete_boxes, athlete_window
from viewer.model.exemplar_bundle import no_exemplar_message
from viewer.model.state import ViewerState
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.overlay_painter import bone_colors, draw_bones
from viewer.widgets.tile_painter import CAPTION_BACKGROUND, NO_VIDEO_BACKGROUND, bgr_qimage
from viewer.widgets.video_grid import BACKGROUND

#: (view name, frame) -> BGRX (H, W, 4) or BGR (H, W, 3) uint8 image, or None where the take has no video.
FrameSource = Callable[[str, int], np.ndarray | None]

MESSAGE_TEXT = QColor(palette.MUTED_TEXT)
WARNING_TEXT = QColor(palette.WARNING_TEXT)
TRAINEE_ACCENT = QColor(palette.CURSOR)
EXEMPLAR_ACCENT = QColor(palette.EXEMPLAR)
TILE_GAP = 6


def score_text(score: float) -> str:
    """``"score 9.35"``, or ``"unscored"``."""
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
        captions = (f"TRAINEE · frame {frame} · {score_text(take.info.score)}",
                    f"{role} {exemplar.athlete} {exemplar.take.take_id} · frame {matched} · "
                    f"{score_text(exemplar.take.info.score)}")
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
