"""How far a video tile is zoomed in and where it looks: pure arithmetic in camera pixels."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ZOOM = 20.0
#: One notch of the mouse wheel zooms by this factor.
WHEEL_STEP = 1.25


@dataclass(frozen=True)
class TileZoom:
    """A tile's zoom: ``factor`` (1 = the whole image) and the image point shown at the tile's centre.

    Attributes
    ----------
    factor : float
        In [1, :data:`MAX_ZOOM`].
    centre : (float, float) or None
        Camera pixels; None for the image centre (as at factor 1).
    """

    factor: float = 1.0
    centre: tuple[float, float] | None = None

    @property
    def is_zoomed(self) -> bool:
        return self.factor > 1.0

    def clamped(self, width: int, height: int) -> TileZoom:
        """The same zoom kept inside a ``width`` x ``height`` image (never showing beyond its edges)."""
        factor = min(max(self.factor, 1.0), MAX_ZOOM)
        if factor == 1.0:
            return TileZoom()
        x, y = self.centre if self.centre is not None else (width / 2, height / 2)
        half_w, half_h = width / (2 * factor), height / (2 * factor)
        return TileZoom(factor, (min(max(x, half_w), width - half_w), min(max(y, half_h), height - half_h)))

    def zoomed_about(self, point: tuple[float, float], change: float, width: int, height: int) -> TileZoom:
        """Zoom by ``change`` keeping the image point ``point`` (camera pixels) where it is on screen."""
        factor = min(max(self.factor * change, 1.0), MAX_ZOOM)
        change = factor / self.factor
        cx, cy = self.centre if self.centre is not None else (width / 2, height / 2)
        px, py = point
        return TileZoom(factor, (px + (cx - px) / change, py + (cy - py) / change)).clamped(width, height)

    def panned(self, dx: float, dy: float, width: int, height: int) -> TileZoom:
        """Move the view so the image slides by ``(dx, dy)`` camera pixels (a drag)."""
        cx, cy = self.centre if self.centre is not None else (width / 2, height / 2)
        return TileZoom(self.factor, (cx - dx, cy - dy)).clamped(width, height)
