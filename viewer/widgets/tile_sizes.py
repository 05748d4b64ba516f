"""The size the video grid asks for each view's frame at: the pixels its tile shows the image at.

A frame decoded at that size (on a decode thread) is copied to the screen
unscaled. A zoomed view shows part of the frame magnified, so it asks for the
whole frame; a view about as large as its frame or larger too (Qt scales it
while painting, :func:`analysis.render.frame_fit.display_size`).
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.render.frame_fit import NOT_SHOWN, display_size
from viewer.widgets.overlay_painter import TileGeometry

#: Per view, in camera order: (width, height) device pixels, None for full size, or NOT_SHOWN.
DecodeSizes = tuple[tuple[int, int] | None, ...]


def decode_sizes(geometries: Sequence[TileGeometry | None], camera_sizes: Sequence[tuple[int, int]],
                 zoomed: Sequence[bool], pixel_ratio: float) -> DecodeSizes:
    """The size to decode each view at.

    Parameters
    ----------
    geometries : sequence of TileGeometry or None, length V
        Where each view's image is drawn (None: the view is not shown).
    camera_sizes : sequence of (width, height), length V
        Each camera's frame, pixels.
    zoomed : sequence of bool, length V
    pixel_ratio : float
        Device pixels per widget pixel.
    """
    sizes: list[tuple[int, int] | None] = []
    for geometry, camera_size, zoom in zip(geometries, camera_sizes, zoomed):
        if geometry is None:
            sizes.append(NOT_SHOWN)
        elif zoom:
            sizes.append(None)
        else:
            shown = (round(geometry.image.width() * pixel_ratio), round(geometry.image.height() * pixel_ratio))
            sizes.append(display_size(camera_size, shown))
    return tuple(sizes)
