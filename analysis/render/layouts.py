"""Where the camera views go in a clip's frame, and drawing one view into its tile.

Three layouts:

- ``single``: one camera view;
- ``mosaic``: every view, 2 rows of 4 tiles (480 px wide each);
- ``compare``: one view of the trainee beside the same view of an exemplar.

Views without video show the skeleton on a neutral background.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from analysis.geometry.cameras import Camera
from analysis.render import palette
from analysis.render.anonymize import blur_faces
from analysis.render.drawing import (
    MUTED_TEXT,
    draw_angle_labels,
    draw_skeleton,
    put_label,
)
from analysis.render.drawings import draw_drawings
from analysis.render.overlays import TakeOverlays

LAYOUTS: tuple[str, ...] = ("single", "mosaic", "compare")
NO_VIDEO_BACKGROUND = palette.bgr(palette.NO_VIDEO_BACKGROUND)
MOSAIC_COLUMNS = 4
MOSAIC_TILE_WIDTH = 480
SINGLE_WIDTH_RANGE = (640, 1920)
COMPARE_TILE_WIDTH_RANGE = (640, 960)


@dataclass(frozen=True)
class Tile:
    """Where one camera view goes in the output image.

    Attributes
    ----------
    x, y, width, height : int
        The tile, output pixels.
    camera : Camera
        Whose image (``camera.width`` x ``camera.height``) fills the tile, aspect kept.
    """

    x: int
    y: int
    width: int
    height: int
    camera: Camera

    @property
    def scale(self) -> float:
        """Output pixels per camera pixel."""
        return min(self.width / self.camera.width, self.height / self.camera.height)

    @property
    def image_size(self) -> tuple[int, int]:
        """(width, height) of the letterboxed camera image, output pixels."""
        return (max(1, round(self.camera.width * self.scale)), max(1, round(self.camera.height * self.scale)))

    @property
    def image_origin(self) -> tuple[int, int]:
        width, height = self.image_size
        return self.x + (self.width - width) // 2, self.y + (self.height - height) // 2


def even(value: float) -> int:
    """``value`` rounded to an even number of pixels, at least 2 (video encoders want even sizes)."""
    return max(2, int(round(value / 2.0)) * 2)


def _tile_height(camera: Camera, width: int) -> int:
    return even(width * camera.height / camera.width)


def layout_tiles(layout: str, cameras: Sequence[Camera]) -> tuple[list[Tile], tuple[int, int]]:
    """Tiles of a layout and the (width, height) of the video area, output pixels.

    Parameters
    ----------
    layout : {"single", "mosaic", "compare"}
    cameras : sequence of Camera
        ``single``: one camera; ``mosaic``: every view, in display order;
        ``compare``: the trainee's then the exemplar's camera of the view.
    """
    if layout == "single":
        (camera,) = cameras
        width = even(np.clip(camera.width, *SINGLE_WIDTH_RANGE))
        height = _tile_height(camera, width)
        return [Tile(0, 0, width, height, camera)], (width, height)
    if layout == "mosaic":
        width = MOSAIC_TILE_WIDTH
        height = max(_tile_height(camera, width) for camera in cameras)
        rows = -(-len(cameras) // MOSAIC_COLUMNS)
        columns = min(len(cameras), MOSAIC_COLUMNS)
        tiles = [Tile((k % MOSAIC_COLUMNS) * width, (k // MOSAIC_COLUMNS) * height, width, height, camera)
                 for k, camera in enumerate(cameras)]
        return tiles, (columns * width, rows * height)
    if layout == "compare":
        trainee, exemplar = cameras
        width = even(np.clip(trainee.width, *COMPARE_TILE_WIDTH_RANGE))
        height = max(_tile_height(trainee, width), _tile_height(exemplar, width))
        return [Tile(0, 0, width, height, trainee), Tile(width, 0, width, height, exemplar)], (2 * width, height)
    raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def _tile_text_scale(tile: Tile) -> float:
    return float(np.clip(tile.width / 1000.0, 0.38, 0.6))


def render_tile(canvas: np.ndarray, tile: Tile, image: np.ndarray | None, take: TakeOverlays, view: int,
                frame: int, title: str) -> None:
    """Draw one view of one frame into its tile of ``canvas``.

    Parameters
    ----------
    canvas : ndarray (H, W, 3) uint8
        The output image, drawn on in place.
    image : ndarray (h, w, 3) uint8 or None
        The decoded camera image; None (no video) leaves a neutral background.
    view : int
        Index of the view in ``take.points``.
    frame : int
        Frame of ``take`` shown.
    """
    region = canvas[tile.y:tile.y + tile.height, tile.x:tile.x + tile.width]
    region[:] = NO_VIDEO_BACKGROUND
    width, height = tile.image_size
    left, top = tile.image_origin[0] - tile.x, tile.image_origin[1] - tile.y
    picture = region[top:top + height, left:left + width]
    if image is not None:
        interpolation = cv2.INTER_AREA if width < image.shape[1] else cv2.INTER_LINEAR
        if image.shape[:2] == (height, width):
            picture[:] = image
        else:
            cv2.resize(image, (width, height), dst=picture, interpolation=interpolation)
    scale = width / tile.camera.width
    if image is not None and take.faces is not None:
        blur_faces(picture, take.faces[view, frame] * scale)   # centre and radius scale alike
    text_scale = _tile_text_scale(tile)
    if take.points is not None:
        joints = take.points[view, frame] * scale + (left, top)
        draw_skeleton(region, joints, take.skeleton, thickness=max(2, int(round(width / 320))))
        draw_angle_labels(region, joints, take, frame, text_scale * 0.9)
    if take.drawings:
        draw_drawings(region, take.drawings, tile.camera.name, frame, scale, (left, top), text_scale)
    if image is None:
        put_label(region, "no video", (6, tile.height - 24), text_scale * 0.85, MUTED_TEXT)
    put_label(region, title, (6, 6), text_scale)
