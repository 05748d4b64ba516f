"""Composing the frames of an annotated clip: video tiles, skeleton, angles, score, penalty strip.

Pure drawing with OpenCV and numpy (no Qt): :class:`ClipRenderer` turns the
decoded camera images of one frame into one output image, in one of the
:data:`~analysis.render.layouts.LAYOUTS` (in ``compare``, the exemplar is shown
at its time-aligned frame). Below the video sit an information band (take,
frame and time, score) and the penalty strip
(:class:`~analysis.render.penalty_strip.PenaltyStrip`). Everything that does
not change during the clip (labels, bars) is drawn once, at construction, so
each frame costs only the tiles and a cursor.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from analysis.geometry.cameras import Camera
from analysis.render.drawing import (
    MUTED_TEXT,
    TEXT_COLOUR,
    fit_text,
    put_text,
    text_width,
)
from analysis.render.drawings import draw_marker_caption
from analysis.render.layouts import LAYOUTS, even, layout_tiles, render_tile
from analysis.render.overlays import ClipOverlays, ExemplarPane
from analysis.render.penalty_strip import (
    PANEL_BACKGROUND,
    ROW_BACKGROUND,
    STRIP_PADDING,
    PenaltyStrip,
    strip_height,
)

INFO_BAND_HEIGHT = 30


def footer_height(overlays: ClipOverlays) -> int:
    """Height of what goes under the video: the information band and the penalty strip, pixels."""
    height = INFO_BAND_HEIGHT if overlays.timestamp or overlays.score is not None else 0
    return height + (strip_height(len(overlays.penalties)) if overlays.penalties is not None else 0)


class ClipRenderer:
    """Composes the output frames of a clip.

    Parameters
    ----------
    layout : {"single", "mosaic", "compare"}
    cameras : list of Camera
        The take's cameras, in display order (as ``overlays.take.points`` indexes them).
    views : sequence of int
        Indices of the views shown: one for ``single`` and ``compare``, all for ``mosaic``.
    overlays : ClipOverlays
    first, last : int
        Frame range of the clip (inclusive); the penalty strip spans it.
    exemplar : ExemplarPane, optional
        Required by ``compare``; the exemplar's skeleton is drawn from its
        ``take.points`` at view index 0.

    Attributes
    ----------
    size : (int, int)
        (width, height) of every output frame, pixels (both even).
    """

    def __init__(self, layout: str, cameras: Sequence[Camera], views: Sequence[int], overlays: ClipOverlays,
                 first: int, last: int, exemplar: ExemplarPane | None = None) -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
        if layout in ("single", "compare") and len(views) != 1:
            raise ValueError(f"the {layout} layout shows one view, got {len(views)}")
        if layout == "compare" and exemplar is None:
            raise ValueError("the compare layout needs an exemplar")
        if not 0 <= first <= last:
            raise ValueError(f"bad frame range {first}..{last}")
        self.layout = layout
        self.views = tuple(int(v) for v in views)
        self.overlays = overlays
        self.exemplar = exemplar
        self.first, self.last = first, last
        shown = [cameras[v] for v in self.views]
        if layout == "compare":
            shown.append(exemplar.camera)
        self.tiles, (width, video_height) = layout_tiles(layout, shown)
        self.video_height = video_height
        self.size = (width, even(video_height + footer_height(overlays)))
        self.strip = None if overlays.penalties is None else PenaltyStrip(
            overlays.penalties, width, first, last, tuple(marker.frame for marker in overlays.markers))
        self._band = self._info_band(width) if (overlays.timestamp or overlays.score is not None) else None

    @property
    def needs_exemplar_image(self) -> bool:
        return self.layout == "compare"

    def exemplar_frame(self, frame: int) -> int:
        """Exemplar frame shown with trainee ``frame`` in the ``compare`` layout."""
        return int(self.exemplar.frame_for[frame])

    def _info_band(self, width: int) -> np.ndarray:
        band = np.empty((INFO_BAND_HEIGHT, width, 3), np.uint8)
        band[:] = PANEL_BACKGROUND
        cv2.line(band, (0, 0), (width - 1, 0), ROW_BACKGROUND, 1)
        score = self.overlays.score
        if score is not None:
            text = f"Score {score:.2f}" if np.isfinite(score) else "Score -"
            source = f"  ({self.overlays.score_source})"
            right = width - STRIP_PADDING - 4 - text_width(source, 0.45)
            put_text(band, text, (right - text_width(text, 0.6, 2), 21), 0.6, TEXT_COLOUR, 2)
            put_text(band, source, (right, 21), 0.45, MUTED_TEXT)
        centre = fit_text(self.overlays.take.label, 0.5, width // 3)
        put_text(band, centre, ((width - text_width(centre, 0.5)) // 2, 20), 0.5, MUTED_TEXT)
        return band

    def render(self, frame: int, images: Sequence[np.ndarray | None],
               exemplar_image: np.ndarray | None = None) -> np.ndarray:
        """The output image of trainee ``frame``.

        Parameters
        ----------
        frame : int
            Frame index of the take (within ``first..last``).
        images : sequence of ndarray (h, w, 3) uint8 or None
            Decoded images of :attr:`views`, in that order; None without video.
        exemplar_image : ndarray or None
            ``compare`` only: the exemplar's image at :meth:`exemplar_frame`.

        Returns
        -------
        ndarray (height, width, 3) uint8, BGR, of :attr:`size`.
        """
        width, height = self.size
        canvas = np.empty((height, width, 3), np.uint8)
        canvas[self.video_height:] = PANEL_BACKGROUND
        take = self.overlays.take
        if self.layout == "compare":
            view = self.views[0]
            camera_name = self.tiles[0].camera.name
            render_tile(canvas, self.tiles[0], images[0], take, view, frame,
                        f"Trainee  {camera_name}  frame {frame}")
            shown = self.exemplar_frame(frame)
            role = "Exemplar" if self.exemplar.is_exemplar else "Reference"
            render_tile(canvas, self.tiles[1], exemplar_image, self.exemplar.take, 0, shown,
                        f"{role}  {self.exemplar.take.label}  frame {shown}")
            cv2.line(canvas, (self.tiles[1].x, 0), (self.tiles[1].x, self.video_height - 1), PANEL_BACKGROUND, 2)
        else:
            for tile, view, image in zip(self.tiles, self.views, images):
                render_tile(canvas, tile, image, take, view, frame, tile.camera.name)
        if self.overlays.markers:
            draw_marker_caption(canvas, self.overlays.markers, frame, take.fps, self.video_height)
        top = self.video_height
        if self._band is not None:
            canvas[top:top + INFO_BAND_HEIGHT] = self._band
            if self.overlays.timestamp:
                put_text(canvas, f"frame {frame}   {frame / take.fps:6.2f} s", (STRIP_PADDING + 4, top + 21),
                         0.55, TEXT_COLOUR)
            top += INFO_BAND_HEIGHT
        if self.strip is not None:
            self.strip.draw(canvas[top:top + self.strip.height], frame)
        return canvas
