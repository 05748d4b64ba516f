"""The athlete as a shaded body: tapered capsules, a torso hull, a head with hair.

Body geometry is built in world metres from COCO-17 joints, then projected
into one camera and painted far-to-near (painter's algorithm per body part by
camera depth). Limbs are tapered capsules drawn as concentric polygons from a
dark rim to a lighter core, offset towards the light, to fake cylinders.
Colours are BGR.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import COCO17_NAMES

_J = {name: index for index, name in enumerate(COCO17_NAMES)}
#: Shading levels: (radius fraction, brightness factor), outer rim first.
_LEVELS = np.array([[1.0, 0.62], [0.82, 0.78], [0.63, 0.9], [0.43, 1.0], [0.22, 1.1]])
#: Highlight direction in the image (up and to the left), unit.
_SCREEN_LIGHT = np.array([-0.45, -0.9]) / np.linalg.norm([-0.45, -0.9])
_ARC_POINTS = 7
_SUBPIXEL_SHIFT = 4
_SKIN, _LEOTARD, _HAIR = 0, 1, 2

# (start joint, end joint, start radius, end radius) in metres, skin coloured.
_LIMBS = (
    ("left_shoulder", "left_elbow", 0.046, 0.036), ("right_shoulder", "right_elbow", 0.046, 0.036),
    ("left_elbow", "left_wrist", 0.035, 0.026), ("right_elbow", "right_wrist", 0.035, 0.026),
    ("left_knee", "left_ankle", 0.052, 0.034), ("right_knee", "right_ankle", 0.052, 0.034),
)
_THIGHS = (("left_hip", "left_knee"), ("right_hip", "right_knee"))
_TORSO_RADII = (0.055, 0.055, 0.10, 0.08, 0.07, 0.07, 0.085)


@dataclass(frozen=True)
class Appearance:
    """Colours of one athlete, BGR 0..255."""

    leotard_bgr: tuple[int, int, int]
    skin_bgr: tuple[int, int, int]
    hair_bgr: tuple[int, int, int]

    def palette(self) -> np.ndarray:
        """Material colours, shape (3, 3): rows skin, leotard, hair."""
        return np.array([self.skin_bgr, self.leotard_bgr, self.hair_bgr], np.float64)


@dataclass(frozen=True)
class BodyGeometry:
    """World-space body parts of one pose; rows with NaN are parts to skip.

    Attributes
    ----------
    starts, ends : ndarray, shape (P, 3)
        Capsule end points, metres.
    radii : ndarray, shape (P, 2)
        Capsule radius at start and end, metres.
    materials : ndarray, shape (P,), int
        0 skin, 1 leotard, 2 hair.
    torso_centers : ndarray, shape (Q, 3)
        Centres of the spheres whose hull is the torso, metres.
    torso_radii : ndarray, shape (Q,)
        Their radii, metres.
    """

    starts: np.ndarray
    ends: np.ndarray
    radii: np.ndarray
    materials: np.ndarray
    torso_centers: np.ndarray
    torso_radii: np.ndarray


def _unit(vectors: np.ndarray) -> np.ndarray:
    """Normalize along the last axis; zero vectors stay zero."""
    norm = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norm > 1e-9, norm, 1.0)


def _orthogonal(vectors: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Unit component of ``vectors`` (.., 3) perpendicular to unit ``reference`` (.., 3)."""
    return _unit(vectors - np.sum(vectors * reference, axis=-1, keepdims=True) * reference)


def body_geometry(joints: np.ndarray, support_heights: np.ndarray) -> BodyGeometry:
    """Capsules and torso spheres of a COCO-17 pose.

    Parameters
    ----------
    joints : ndarray, shape (17, 3)
        World joint positions, metres; NaN rows allowed.
    support_heights : ndarray, shape (2,)
        Height (z, metres) of the surface under the left and right ankle; a
        foot within a few centimetres of it stands flat, otherwise it points.

    Returns
    -------
    BodyGeometry
    """
    j = {name: joints[index] for name, index in _J.items()}
    mid_shoulder = (j["left_shoulder"] + j["right_shoulder"]) / 2
    mid_hip = (j["left_hip"] + j["right_hip"]) / 2
    across = (j["left_hip"] - j["right_hip"]) + (j["left_shoulder"] - j["right_shoulder"])
    forward = _unit(np.cross(across, mid_shoulder - mid_hip))
    parts = [(j[a], j[b], ra, rb, _SKIN) for a, b, ra, rb in _LIMBS]
    for hip, knee in _THIGHS:
        parts.append((j[hip] + 0.07 * _unit(j[knee] - j[hip]), j[knee], 0.08, 0.052, _SKIN))
    parts += _hands(j)
    parts += _feet(j, forward, support_heights)
    parts += _head(j, mid_shoulder)
    starts, ends, radius_a, radius_b, materials = (np.array(column) for column in zip(*parts))
    waist = mid_shoulder + 0.6 * (mid_hip - mid_shoulder)
    chest = mid_shoulder + 0.12 * _unit(mid_hip - mid_shoulder)
    torso = np.array([j["left_shoulder"], j["right_shoulder"], chest, waist, j["left_hip"], j["right_hip"], mid_hip])
    return BodyGeometry(starts, ends, np.stack([radius_a, radius_b], axis=1), materials,
                        torso, np.array(_TORSO_RADII))


def _hands(j: dict[str, np.ndarray]) -> list[tuple]:
    """A short capsule past each wrist along the forearm."""
    parts = []
    for side in ("left", "right"):
        wrist = j[f"{side}_wrist"]
        direction = _unit(wrist - j[f"{side}_elbow"])
        parts.append((wrist + 0.02 * direction, wrist + 0.1 * direction, 0.03, 0.032, _SKIN))
    return parts


def _feet(j: dict[str, np.ndarray], forward: np.ndarray, support_heights: np.ndarray) -> list[tuple]:
    """Feet flat on a support when the ankle is near it, pointed toes otherwise."""
    parts = []
    for side, support in zip(("left", "right"), support_heights):
        ankle = j[f"{side}_ankle"]
        shin = _unit(ankle - j[f"{side}_knee"])
        instep = _orthogonal(forward, shin)
        pointed = np.clip((ankle[2] - support - 0.13) / 0.12, 0.0, 1.0)
        heel = ankle + (1 - pointed) * (0.02 * shin - 0.035 * instep)
        toe = ankle + (1 - pointed) * (0.14 * instep + 0.05 * shin) + pointed * 0.16 * _unit(shin + 0.35 * instep)
        parts.append((heel, toe, 0.036, 0.026, _SKIN))
    return parts


def _head(j: dict[str, np.ndarray], mid_shoulder: np.ndarray) -> list[tuple]:
    """Neck, face, hair and a bun, oriented by the nose and ears."""
    center = (j["left_ear"] + j["right_ear"]) / 2
    face = _unit(j["nose"] - center)
    up = _orthogonal(center - mid_shoulder, face)
    face_center = center + 0.018 * face - 0.012 * up
    hair_center = center - 0.022 * face + 0.014 * up
    bun = center - 0.1 * face + 0.06 * up
    return [
        (mid_shoulder, center - 0.06 * up, 0.05, 0.046, _SKIN),
        (face_center - 0.03 * up, face_center + 0.02 * up, 0.077, 0.077, _SKIN),
        (hair_center - 0.03 * up, hair_center + 0.02 * up, 0.084, 0.084, _HAIR),
        (bun, bun, 0.04, 0.04, _HAIR),
    ]


@dataclass(frozen=True)
class _Shape:
    """One body part ready to paint: polygons per shading level and colours."""

    depth: float
    polygons: np.ndarray  # (L, M, 2) int32, fixed point with _SUBPIXEL_SHIFT
    colors: list  # L BGR triples


def paint_athlete(image: np.ndarray, camera: Camera, body: BodyGeometry, palette: np.ndarray,
                  floor_weight: np.ndarray, depth_buffer: np.ndarray | None = None) -> None:
    """Lay the body's soft shadow on the floor, then paint the body over it far-to-near.

    Parameters
    ----------
    image : ndarray, shape (H, W, 3), uint8
        Drawn in place.
    camera : Camera
    body : BodyGeometry
    palette : ndarray, shape (3, 3)
        BGR of skin, leotard, hair (see ``Appearance.palette``).
    floor_weight : ndarray, shape (H, W), float32
        1 where the floor is visible, 0 on apparatus: how much of the shadow each pixel takes.
    depth_buffer : ndarray, shape (H, W), float32, optional
        When given, each painted part writes its camera depth (metres) there.
    """
    _paint_shadow(image, camera, body, floor_weight)
    shapes = _capsule_shapes(camera, body, palette) + _torso_shapes(camera, body, palette)
    for shape in sorted(shapes, key=lambda item: -item.depth):
        for polygon, color in zip(shape.polygons, shape.colors):
            cv2.fillConvexPoly(image, polygon, color, cv2.LINE_AA, _SUBPIXEL_SHIFT)
        if depth_buffer is not None:
            cv2.fillConvexPoly(depth_buffer, shape.polygons[0], shape.depth, cv2.LINE_8, _SUBPIXEL_SHIFT)


def _project(camera: Camera, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (.., 2) and camera depths (..,) of world points (.., 3); NaN when invalid."""
    depth = camera.to_camera(points)[..., 2]
    pixels = camera.project(points)
    pixels[depth < 0.1] = np.nan
    return pixels, depth


def _capsule_shapes(camera: Camera, body: BodyGeometry, palette: np.ndarray) -> list[_Shape]:
    """Shaded polygons of every valid capsule, built in one vectorized pass."""
    pixels, depth = _project(camera, np.stack([body.starts, body.ends], axis=1))
    focal = camera.K[0, 0]
    radius_px = np.maximum(focal * body.radii / depth, 1.0)
    valid = np.all(np.isfinite(pixels), axis=(1, 2)) & np.all(np.isfinite(radius_px), axis=1)
    pixels, depth, radius_px = pixels[valid], depth[valid], radius_px[valid]
    polygons = _capsule_polygons(pixels[:, 0], pixels[:, 1], radius_px)
    colors = np.clip(palette[body.materials[valid]][:, None, :] * _LEVELS[None, :, 1, None], 0, 255)
    keys = depth.mean(axis=1) - body.radii[valid].mean(axis=1)
    return [_Shape(float(key), poly, color) for key, poly, color in zip(keys, polygons, colors.tolist())]


def _capsule_polygons(a: np.ndarray, b: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Convex outlines of tapered 2D capsules at every shading level.

    Parameters
    ----------
    a, b : ndarray, shape (P, 2)
        End centres, pixels.
    radii : ndarray, shape (P, 2)
        End radii, pixels.

    Returns
    -------
    ndarray, shape (P, L, 2 * _ARC_POINTS, 2), int32
        Fixed-point polygons (``_SUBPIXEL_SHIFT`` fractional bits).
    """
    axis = b - a
    length = np.linalg.norm(axis, axis=1)
    theta = np.arctan2(axis[:, 1], axis[:, 0])
    taper = np.arcsin(np.clip((radii[:, 0] - radii[:, 1]) / np.maximum(length, 1e-9), -1.0, 1.0))
    steps = np.linspace(0.0, 1.0, _ARC_POINTS)
    angle_b = theta[:, None] - (np.pi / 2 - taper[:, None]) + steps * (np.pi - 2 * taper[:, None])
    angle_a = theta[:, None] + (np.pi / 2 - taper[:, None]) + steps * (np.pi + 2 * taper[:, None])
    unit_b = np.stack([np.cos(angle_b), np.sin(angle_b)], axis=-1)
    unit_a = np.stack([np.cos(angle_a), np.sin(angle_a)], axis=-1)
    fractions = _LEVELS[:, 0]
    ring_b = b[:, None, None] + (fractions[:, None, None] * radii[:, None, 1, None, None]) * unit_b[:, None]
    ring_a = a[:, None, None] + (fractions[:, None, None] * radii[:, None, 0, None, None]) * unit_a[:, None]
    outline = np.concatenate([ring_b, ring_a], axis=2)
    return _to_fixed(outline + _highlight_offsets(axis, length, radii.mean(axis=1))[:, :, None, :])


def _highlight_offsets(axis: np.ndarray, length: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Shift (P, L, 2) of each inner level towards the light, across the limb axis."""
    along = axis / np.maximum(length, 1e-9)[:, None]
    elongation = np.clip(length / np.maximum(radius, 1e-9), 0.0, 1.0)[:, None]
    light = _SCREEN_LIGHT - elongation * (along @ _SCREEN_LIGHT)[:, None] * along
    return (1.0 - _LEVELS[:, 0])[None, :, None] * 0.7 * radius[:, None, None] * light[:, None, :]


def _to_fixed(points: np.ndarray) -> np.ndarray:
    """Float pixels to OpenCV fixed-point int32 coordinates."""
    return np.round(points * (1 << _SUBPIXEL_SHIFT)).astype(np.int32)


def _torso_shapes(camera: Camera, body: BodyGeometry, palette: np.ndarray) -> list[_Shape]:
    """The torso: convex hull of its projected spheres, shaded like a lit barrel."""
    pixels, depth = _project(camera, body.torso_centers)
    valid = np.all(np.isfinite(pixels), axis=1)
    if valid.sum() < 3:
        return []
    radius_px = camera.K[0, 0] * body.torso_radii[valid] / depth[valid]
    circle = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    rim = np.stack([np.cos(circle), np.sin(circle)], axis=-1)
    samples = (pixels[valid][:, None] + radius_px[:, None, None] * rim).reshape(-1, 2)
    hull = cv2.convexHull(samples.astype(np.float32))[:, 0].astype(np.float64)
    center = hull.mean(axis=0)
    size = float(np.sqrt(cv2.contourArea(hull.astype(np.float32)) + 1.0))
    highlight = center + 0.12 * size * _SCREEN_LIGHT
    polygons = [_to_fixed(highlight + fraction * (hull - highlight)) for fraction in _LEVELS[:, 0]]
    colors = np.clip(palette[_LEOTARD] * _LEVELS[:, 1, None], 0, 255).tolist()
    key = float(depth[valid].mean()) - 0.1
    return [_Shape(key, np.array(polygons), colors)]


def _paint_shadow(image: np.ndarray, camera: Camera, body: BodyGeometry, floor_weight: np.ndarray) -> None:
    """Darken the floor under the body with a soft shadow of its parts (see :func:`paint_athlete`)."""
    strokes = _shadow_strokes(camera, body)
    if strokes is None:
        return
    pixels, widths, strength = strokes
    margin = int(widths.max()) + 12
    low = np.maximum(np.floor(pixels.reshape(-1, 2).min(axis=0)).astype(int) - margin, 0)
    high = np.minimum(np.ceil(pixels.reshape(-1, 2).max(axis=0)).astype(int) + margin, [image.shape[1], image.shape[0]])
    if np.any(high <= low):
        return
    mask = np.zeros((high[1] - low[1], high[0] - low[0]), np.float32)
    for (start, end), width, value in zip(_to_fixed(pixels - low), widths, strength):
        cv2.line(mask, tuple(start), tuple(end), float(value), max(int(width), 1), cv2.LINE_8, _SUBPIXEL_SHIFT)
    mask = cv2.GaussianBlur(mask, (0, 0), 3.0)
    region = (slice(low[1], high[1]), slice(low[0], high[0]))
    darken = 1.0 - 0.5 * mask * floor_weight[region]
    image[region] = (image[region] * darken[..., None]).astype(np.uint8)


def _shadow_strokes(camera: Camera, body: BodyGeometry) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Body parts dropped vertically onto the floor (z = 0).

    Returns
    -------
    pixels : ndarray, shape (S, 2, 2)
        Stroke end points, pixels.
    widths : ndarray, shape (S,)
        Stroke widths, pixels (a little wider than the part, for softness).
    strength : ndarray, shape (S,)
        Darkness 0..1, fading with the part's height above the floor.
    None when no part projects.
    """
    segments = np.concatenate([np.stack([body.starts, body.ends], axis=1),
                               np.repeat(body.torso_centers[:, None], 2, axis=1)])
    radii = np.concatenate([body.radii.mean(axis=1), body.torso_radii])
    strength = np.exp(-np.maximum(segments[..., 2].mean(axis=1), 0.0) / 1.6)
    on_floor = segments * [1.0, 1.0, 0.0]
    pixels, depth = _project(camera, on_floor)
    valid = np.all(np.isfinite(pixels), axis=(1, 2)) & np.isfinite(strength)
    if not valid.any():
        return None
    widths = camera.K[0, 0] * 2.2 * radii[valid] / depth[valid].mean(axis=1)
    return pixels[valid], widths, strength[valid]
