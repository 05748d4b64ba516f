"""The frame the video grid shows: its images from the frames source, as QImages, and what is drawn in them.

While a take plays the grid asks the source for its views with the pose
overlays drawn in (:mod:`analysis.render.grid_overlays`); this holder remembers
which views came that way, so the grid paints only the rest.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtGui import QImage

from analysis.motion.skeleton import bone_sides
from analysis.render.grid_overlays import GridOverlays, PoseOverlayData, drawn_views
from analysis.session.contract import SessionFormatError
from viewer.model.take_bundle import TakeBundle
from viewer.widgets.tile_painter import bgr_qimage
from viewer.widgets.tile_sizes import DecodeSizes

FramesSource = Callable[[str, int, DecodeSizes, GridOverlays | None], list[np.ndarray | None]]


class GridFrame:
    """The images of the frame last fetched for the grid (one fetch per frame, key and overlays).

    Parameters
    ----------
    frames : FramesSource
        ``(take_id, frame, sizes, overlays) ->`` BGRX (or BGR) images per view, None without video.
    """

    def __init__(self, frames: FramesSource) -> None:
        self._frames = frames
        self._shown: tuple[str, int, DecodeSizes, GridOverlays | None] | None = None
        self._images: list[np.ndarray | None] = []
        self.qimages: list[QImage | None] = []
        self.layers_drawn: list[bool] = []      #: per view: its image has the pose overlays drawn in
        self.read_error: str | None = None      #: why the frame could not be read, or None
        self._overlay_data: tuple[TakeBundle | None, PoseOverlayData | None] = (None, None)

    def forget(self) -> None:
        """Drop the images held (a new take)."""
        self._shown, self._images, self.qimages, self.layers_drawn = None, [], [], []

    def image(self, index: int) -> QImage | None:
        return self.qimages[index] if index < len(self.qimages) else None

    def has_layers_drawn(self, index: int) -> bool:
        return index < len(self.layers_drawn) and self.layers_drawn[index]

    def fetch(self, take: TakeBundle, frame: int, sizes: DecodeSizes, overlays: GridOverlays | None) -> None:
        """Get the images of ``frame`` at ``sizes`` (``overlays`` drawn in), unless they are held already."""
        if self._shown == (take.take_id, frame, sizes, overlays):
            return
        try:
            images = self._frames(take.take_id, frame, sizes, overlays)
            self.read_error = None
        except SessionFormatError as error:
            images = [None] * len(take.cameras)
            self.read_error = str(error)
        self._images = [None if image is None else np.ascontiguousarray(image) for image in images]
        self.qimages = [None if image is None else bgr_qimage(image) for image in self._images]
        self.layers_drawn = drawn_views(self._images, sizes, overlays)
        self._shown = (take.take_id, frame, sizes, overlays)

    def playback_overlays(self, take: TakeBundle, shown: dict[str, bool], pixel_ratio: float) -> GridOverlays | None:
        """The overlays to have drawn in while playing: the layers ``shown`` asks for (None when it asks for none).

        Parameters
        ----------
        take : TakeBundle
        shown : dict
            The state's overlays (``"bones"``, ``"detections"``, ``"reprojection"`` -> on).
        pixel_ratio : float
            The grid's device pixels per widget pixel.
        """
        if self._overlay_data[0] is not take:
            data = PoseOverlayData(take.pose2d, take.reprojected, take.errors, take.skeleton.edge_array,
                                   bone_sides(take.skeleton), tuple(camera.width for camera in take.cameras))
            self._overlay_data = (take, data)
        overlays = GridOverlays(self._overlay_data[1], bool(shown.get("bones")), bool(shown.get("detections")),
                                bool(shown.get("reprojection")), pixel_ratio)
        return overlays if overlays.draws_anything else None
