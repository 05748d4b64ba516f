"""Static background of one synthetic camera view: arena, floor mats, apparatus.

Every pixel is ray-cast at ``SUPERSAMPLE`` times the image resolution, through
the camera's exact lens distortion, then box-filtered down (anti-aliasing).
World frame: metres, Z up, floor at z = 0. Colours are BGR.

Besides the picture, the background keeps the apparatus pixels with their
camera depth and coverage, so that the athlete renderer can paint apparatus
that stands in front of the athlete back over the athlete.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis.catalogue.apparatus import Apparatus, Bar, Box, FloorPatch
from analysis.geometry.cameras import Camera

#: Supersampling factor per image axis.
SUPERSAMPLE = 2
#: Arena half extents along X and Y and wall height, metres.
ROOM = (24.0, 18.0, 10.0)
#: Unit direction towards the key light (world, Z up).
LIGHT = np.array([0.35, -0.45, 1.0]) / np.linalg.norm([0.35, -0.45, 1.0])

_ARENA_FLOOR = np.array([60.0, 64.0, 72.0], np.float32)
_BOARD_COLORS = np.array([[120.0, 62.0, 28.0], [70.0, 34.0, 18.0]], np.float32)
_BOARD_STRIPE = np.array([225.0, 225.0, 225.0], np.float32)
_STANDS_LOW = np.array([72.0, 64.0, 62.0], np.float32)
_STANDS_HIGH = np.array([30.0, 26.0, 28.0], np.float32)
_CEILING = np.array([22.0, 20.0, 22.0], np.float32)
_BOARD_HEIGHT = 1.0
_RAY_GRID_STEP = 8


@dataclass(frozen=True)
class Background:
    """A pre-rendered view and its apparatus pixels.

    Attributes
    ----------
    image : ndarray, shape (H, W, 3), uint8
        The BGR background.
    occluder_index : ndarray, shape (N,), int64
        Flat indices (row * W + column) of pixels that show apparatus.
    occluder_depth : ndarray, shape (N,), float32
        Camera depth (z in the camera frame) of the nearest apparatus surface, metres.
    occluder_alpha : ndarray, shape (N, 1), float32
        Fraction of the pixel the apparatus covers, 0..1.
    occluder_color : ndarray, shape (N, 3), float32
        Mean BGR colour of the apparatus part of the pixel.
    """

    image: np.ndarray
    occluder_index: np.ndarray
    occluder_depth: np.ndarray
    occluder_alpha: np.ndarray
    occluder_color: np.ndarray

    def apparatus_coverage(self) -> np.ndarray:
        """Per-pixel apparatus coverage, shape (H, W), float32 in 0..1."""
        coverage = np.zeros(self.image.shape[:2], np.float32)
        coverage.flat[self.occluder_index] = self.occluder_alpha[:, 0]
        return coverage


@dataclass
class _Hits:
    """Nearest surface along each ray: depth (..,), colour (.., 3), surface id (..,)."""

    depth: np.ndarray
    color: np.ndarray
    ident: np.ndarray

    def merge(self, other: _Hits, region: tuple[slice, slice]) -> None:
        """Keep, per ray of ``region``, whichever of ``self`` and ``other`` is nearer."""
        nearer = other.depth < self.depth[region]
        self.depth[region][nearer] = other.depth[nearer]
        self.color[region][nearer] = other.color[nearer]
        self.ident[region][nearer] = other.ident[nearer]


def render_background(camera: Camera, apparatus: Apparatus) -> Background:
    """Ray-cast the arena, the event's floor patches and its apparatus.

    Parameters
    ----------
    camera : Camera
    apparatus : Apparatus

    Returns
    -------
    Background
    """
    origin = camera.center.astype(np.float32)
    rays = pixel_rays(camera, SUPERSAMPLE)
    focal = float(camera.K[0, 0]) * SUPERSAMPLE
    environment = _cast_environment(origin, rays, apparatus.patches)
    props = _Hits(np.full(rays.shape[:2], np.inf, np.float32), np.zeros(rays.shape, np.float32),
                  np.zeros(rays.shape[:2], np.int32))
    for index, box in enumerate(apparatus.boxes):
        region = _screen_region(camera, _box_corners(box), 4)
        props.merge(_cast_box(origin, rays[region], box, 1 + 6 * index), region)
    for index, bar in enumerate(apparatus.bars):
        region = _screen_region(camera, np.array([bar.start, bar.end]), 6)
        props.merge(_cast_bar(origin, rays[region], bar, focal, 1 + 6 * len(apparatus.boxes) + index), region)
    is_prop = props.depth < environment.depth
    props.color *= _outline_shade(props.ident)[..., None]
    color = np.where(is_prop[..., None], props.color, environment.color)
    return _downsample(color, is_prop, props)


def _box_corners(box: Box) -> np.ndarray:
    """The 8 corners (8, 3) of a box, metres."""
    signs = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)], np.float64)
    return np.asarray(box.center) + signs * np.asarray(box.size) / 2


def _screen_region(camera: Camera, points: np.ndarray, margin: int) -> tuple[slice, slice]:
    """Supersampled pixel rows and columns that can show the convex hull of world ``points`` (n, 3).

    The whole frame when a point is behind the camera or more than 45 degrees
    off its axis (where distortion may fold); ``margin`` (pixels) pads
    for lens bending between points and for widened thin bars.
    """
    height, width = camera.height * SUPERSAMPLE, camera.width * SUPERSAMPLE
    in_camera = camera.to_camera(points)
    if np.any(in_camera[:, 2] <= 0) or np.any(np.abs(in_camera[:, :2]) > in_camera[:, 2:]):
        return slice(0, height), slice(0, width)
    pixels = camera.project(points) * SUPERSAMPLE
    pad = margin * SUPERSAMPLE
    (u0, v0), (u1, v1) = pixels.min(axis=0) - pad, pixels.max(axis=0) + pad
    rows = slice(int(np.clip(v0, 0, height)), int(np.clip(np.ceil(v1), 0, height)))
    columns = slice(int(np.clip(u0, 0, width)), int(np.clip(np.ceil(u1), 0, width)))
    return rows, columns


def pixel_rays(camera: Camera, supersample: int) -> np.ndarray:
    """World ray directions through sub-pixel centres, with unit camera depth.

    The distortion is inverted exactly on a coarse pixel grid and interpolated
    in between (it is smooth), which is far cheaper than per-sample inversion.

    Returns
    -------
    ndarray, shape (H * supersample, W * supersample, 3), float32
        ``d`` such that ``camera.center + s * d`` is at camera depth ``s`` metres.
    """
    step = _RAY_GRID_STEP
    us = np.arange(-step, camera.width + 2 * step, step, dtype=np.float64)
    vs = np.arange(-step, camera.height + 2 * step, step, dtype=np.float64)
    grid = np.stack(np.meshgrid(us, vs), axis=-1).reshape(-1, 1, 2)
    normalized = cv2.undistortPoints(grid, camera.K, camera.dist).reshape(len(vs), len(us), 2)
    sub_u = (np.arange(camera.width * supersample) + 0.5) / supersample - 0.5
    sub_v = (np.arange(camera.height * supersample) + 0.5) / supersample - 0.5
    map_u, map_v = np.meshgrid((sub_u - us[0]) / step, (sub_v - vs[0]) / step)
    xy = cv2.remap(normalized.astype(np.float32), map_u.astype(np.float32), map_v.astype(np.float32),
                   cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    camera_dirs = np.concatenate([xy, np.ones(xy.shape[:2] + (1,), np.float32)], axis=-1)
    return camera_dirs @ camera.R.astype(np.float32)


def _cast_environment(origin: np.ndarray, rays: np.ndarray, patches: tuple[FloorPatch, ...]) -> _Hits:
    """Floor, walls and ceiling of a box-shaped arena around the origin."""
    half_x, half_y, room_height = ROOM
    with np.errstate(divide="ignore", invalid="ignore"):
        t_floor = np.where(rays[..., 2] < 0, -origin[2] / rays[..., 2], np.inf)
        t_ceiling = np.where(rays[..., 2] > 0, (room_height - origin[2]) / rays[..., 2], np.inf)
        t_wall_x = np.abs((np.sign(rays[..., 0]) * half_x - origin[0]) / rays[..., 0])
        t_wall_y = np.abs((np.sign(rays[..., 1]) * half_y - origin[1]) / rays[..., 1])
    t_wall = np.minimum(t_wall_x, t_wall_y)
    depth = np.minimum(np.minimum(t_floor, t_wall), t_ceiling).astype(np.float32)
    points = origin + depth[..., None] * rays
    floor = t_floor <= depth
    wall = ~floor & (t_wall <= depth)
    color = np.empty(rays.shape, np.float32)
    color[...] = _CEILING
    color[floor] = _floor_color(points[floor][:, 0], points[floor][:, 1], patches)
    along_wall = np.where(t_wall_x < t_wall_y, points[..., 1], points[..., 0])
    color[wall] = _wall_color(points[wall][:, 2], along_wall[wall])
    return _Hits(depth, color, np.zeros(depth.shape, np.int32))


def _floor_color(x: np.ndarray, y: np.ndarray, patches: tuple[FloorPatch, ...]) -> np.ndarray:
    """Floor colour (n, 3) at world ``x, y`` (n,): arena floor, then patches in order, lit from above.

    Patches get a darker rim and faint alternating 1.5 m strips.
    """
    table = np.array([_ARENA_FLOOR] + [patch.color for patch in patches], np.float32)
    which = np.zeros(x.shape, np.int64)
    shade = np.ones(x.shape, np.float32)
    for number, patch in enumerate(patches, start=1):
        (x0, x1), (y0, y1) = patch.x_range, patch.y_range
        inside = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1))
        px, py = x[inside], y[inside]
        rim = np.minimum(np.minimum(px - x0, x1 - px), np.minimum(py - y0, y1 - py)) < 0.05
        strips = np.where(np.floor((py - y0) / 1.5) % 2 == 0, 1.035, 1.0)
        which[inside] = number
        shade[inside] = np.where(rim, 0.78, strips)
    spot = 0.72 + 0.38 * np.exp(-(x * x + y * y) / (2 * 7.0**2))
    return table[which] * (shade * spot)[:, None]


def _wall_color(z: np.ndarray, along: np.ndarray) -> np.ndarray:
    """Arena wall colour (n, 3) at height ``z`` and horizontal position ``along`` (n,), metres.

    Advertising boards along the bottom, a white stripe, then dim stands in
    rows that darken towards the ceiling.
    """
    board = _BOARD_COLORS[(np.floor(along / 3.0) % 2).astype(np.int64)]
    stripe = (z > _BOARD_HEIGHT - 0.12) & (z <= _BOARD_HEIGHT)
    board = np.where(stripe[..., None], _BOARD_STRIPE, board)
    height = np.clip((z - _BOARD_HEIGHT) / (ROOM[2] - _BOARD_HEIGHT), 0.0, 1.0)[..., None]
    rows = 1.0 + 0.12 * (np.floor(z / 0.8) % 2 == 0)[..., None]
    stands = (_STANDS_LOW * (1 - height) + _STANDS_HIGH * height) * rows
    return np.where((z <= _BOARD_HEIGHT)[..., None], board, stands)


def _cast_box(origin: np.ndarray, rays: np.ndarray, box: Box, first_id: int) -> _Hits:
    """Slab-test an axis-aligned box; faces get Lambert shading and ids ``first_id + face``."""
    center = np.asarray(box.center, np.float32)
    half = np.asarray(box.size, np.float32) / 2
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1.0 / rays
        t_low = (center - half - origin) * inverse
        t_high = (center + half - origin) * inverse
    t_enter = np.minimum(t_low, t_high)
    t_exit = np.maximum(t_low, t_high)
    near = np.maximum(np.maximum(t_enter[..., 0], t_enter[..., 1]), t_enter[..., 2])
    far = np.minimum(np.minimum(t_exit[..., 0], t_exit[..., 1]), t_exit[..., 2])
    hit = (near <= far) & (near > 0)
    axis = np.where(t_enter[..., 0] == near, 0, np.where(t_enter[..., 1] == near, 1, 2))
    positive_face = np.take_along_axis(rays, axis[..., None], axis=-1)[..., 0] < 0
    face = 2 * axis + positive_face
    normals = np.repeat(np.eye(3, dtype=np.float32), 2, axis=0) * np.tile([-1.0, 1.0], 3)[:, None]
    face_shade = 0.5 + 0.5 * np.clip(normals @ LIGHT, 0.0, 1.0).astype(np.float32)
    color = np.asarray(box.color, np.float32) * face_shade[face][..., None]
    return _Hits(np.where(hit, near, np.inf).astype(np.float32), color, (first_id + face).astype(np.int32))


def _cast_bar(origin: np.ndarray, rays: np.ndarray, bar: Bar, focal: float, ident: int) -> _Hits:
    """Hit a bar (cylinder) by the ray's closest approach to its axis.

    The radius is widened to at least one output pixel so that thin bars stay
    visible from far cameras; shading fakes a cylinder with a specular streak.
    """
    start = np.asarray(bar.start, np.float32)
    axis = np.asarray(bar.end, np.float32) - start
    length = float(np.linalg.norm(axis))
    axis /= length
    offset = origin - start
    along_ray = rays @ axis
    ray_sq = np.einsum("...k,...k->...", rays, rays)
    ray_offset = rays @ offset
    axis_offset = float(offset @ axis)
    denominator = np.maximum(ray_sq - along_ray**2, 1e-12)
    t = (along_ray * axis_offset - ray_offset) / denominator
    s = (ray_sq * axis_offset - along_ray * ray_offset) / denominator
    gap = offset + t[..., None] * rays - s[..., None] * axis
    distance = np.linalg.norm(gap, axis=-1)
    radius = np.maximum(bar.radius, t * SUPERSAMPLE / focal)
    hit = (distance < radius) & (s >= 0) & (s <= length) & (t > 0)
    across = np.clip(distance / radius, 0.0, 1.0)
    facing = np.sqrt(1.0 - across**2)
    up = np.clip(gap[..., 2] / np.maximum(distance, 1e-9), -1.0, 1.0)
    shade = 0.45 + 0.35 * facing + 0.3 * np.clip(up, 0.0, 1.0) * facing**4
    color = np.asarray(bar.color, np.float32) * shade[..., None]
    return _Hits(np.where(hit, t, np.inf).astype(np.float32), color.astype(np.float32),
                 np.full(t.shape, ident, np.int32))


def _outline_shade(ident: np.ndarray) -> np.ndarray:
    """Brightness factor (..,) darkening samples where the surface id changes (edges)."""
    edge = np.zeros(ident.shape, bool)
    edge[1:] |= ident[1:] != ident[:-1]
    edge[:, 1:] |= ident[:, 1:] != ident[:, :-1]
    return np.where(edge, 0.7, 1.0).astype(np.float32)


def _downsample(color: np.ndarray, is_prop: np.ndarray, props: _Hits) -> Background:
    """Box-filter supersamples into pixels and collect the apparatus pixels."""
    height, width = color.shape[0] // SUPERSAMPLE, color.shape[1] // SUPERSAMPLE

    def mean(values: np.ndarray) -> np.ndarray:
        return cv2.resize(values, (width, height), interpolation=cv2.INTER_AREA)

    image = np.clip(mean(color) + 0.5, 0, 255).astype(np.uint8)
    coverage = mean(is_prop.astype(np.float32))
    prop_mean = mean(np.where(is_prop[..., None], props.color, 0.0).astype(np.float32))
    prop_depth = np.where(is_prop, props.depth, np.inf)
    depth = np.min([prop_depth[dy::SUPERSAMPLE, dx::SUPERSAMPLE]
                    for dy in range(SUPERSAMPLE) for dx in range(SUPERSAMPLE)], axis=0)
    index = np.flatnonzero(coverage > 0)
    alpha = coverage.reshape(-1)[index]
    prop_color = prop_mean.reshape(-1, 3)[index] / alpha[:, None]
    return Background(image, index, depth.reshape(-1)[index].astype(np.float32),
                      alpha[:, None].astype(np.float32), prop_color.astype(np.float32))
