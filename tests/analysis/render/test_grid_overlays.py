"""The grid's pose overlays drawn into decoded frames: where, in which colours, and only where asked."""

from __future__ import annotations

import numpy as np

from analysis.render import palette
from analysis.render.frame_fit import NOT_SHOWN
from analysis.render.grid_overlays import GridOverlays, PoseOverlayData, drawn_views, draw_grid_overlays

GREY = 90


def one_bone_take(reprojected: bool = False) -> PoseOverlayData:
    """Two joints 200 camera pixels apart on a 400-pixel-wide camera, one left-side bone (side code 1)."""
    pose2d = np.array([[[[100.0, 100.0, 1.0], [300.0, 100.0, 1.0]]]], np.float32)           # (V=1, T=1, J=2, 3)
    projected = pose2d[..., :2] + np.float32([0.0, 60.0]) if reprojected else None
    errors = np.full((1, 1, 2), 30.0) if reprojected else None
    return PoseOverlayData(pose2d, projected, errors, np.array([[0, 1]]), np.array([1]), (400,))


def frame_at_half_size() -> list[np.ndarray]:
    """The one view decoded at half its size (200 x 100 device pixels), a flat grey BGRX picture."""
    image = np.full((100, 200, 4), GREY, np.uint8)
    image[..., 3] = 255
    return [image]


def bgr_of(colour: str) -> tuple[int, int, int]:
    return palette.bgr(colour)


def shows(image: np.ndarray, y: int, x: int, bgr: tuple[int, int, int], tolerance: int = 40) -> bool:
    """Whether a pixel within 2 of (y, x) has about colour ``bgr`` (antialiased strokes blend at their edges)."""
    window = image[y - 2:y + 3, x - 2:x + 3, :3].astype(int)
    return bool((np.abs(window - np.array(bgr)).max(axis=-1) <= tolerance).any())


def test_bones_are_drawn_at_the_tile_scale_in_the_side_colour():
    overlays = GridOverlays(one_bone_take(), bones=True, detections=False, reprojection=False)
    [image] = draw_grid_overlays(frame_at_half_size(), [(200, 100)], 0, overlays)
    assert shows(image, 50, 100, bgr_of(palette.SIDE_COLOURS[1]))           # the bone's middle: (200, 100) / 2
    assert tuple(image[50, 30, :3]) == (GREY,) * 3                         # left of the first joint
    assert tuple(image[20, 100, :3]) == (GREY,) * 3                         # above the bone
    assert np.all(image[..., 3] == 255)


def test_dots_take_the_confidence_colour_and_crosses_the_error_class_colour():
    overlays = GridOverlays(one_bone_take(reprojected=True), bones=False, detections=True, reprojection=True)
    [image] = draw_grid_overlays(frame_at_half_size(), [(200, 100)], 0, overlays)
    full_confidence = tuple(round(channel * 255) for channel in palette.confidence_rgb(1.0))[::-1]
    assert shows(image, 50, 50, full_confidence)
    assert shows(image, 80, 50, bgr_of(palette.ERROR_CLASS_COLOURS[2]))       # 30 px: a bad reprojection
    assert not shows(image, 80, 50, bgr_of(palette.ERROR_CLASS_COLOURS[0]))
    assert tuple(image[50, 100, :3]) == (GREY,) * 3                             # no bones asked


def test_undetected_joints_draw_nothing():
    take = one_bone_take()
    take.pose2d[0, 0, 1] = np.nan
    overlays = GridOverlays(take, bones=True, detections=False, reprojection=False)
    [image] = draw_grid_overlays(frame_at_half_size(), [(200, 100)], 0, overlays)
    assert np.all(image[..., :3] == GREY)


def test_only_views_decoded_at_a_tile_size_are_drawn_into():
    overlays = GridOverlays(one_bone_take(), bones=True, detections=True, reprojection=False)
    for sizes in ([None], [NOT_SHOWN], None):
        frame = frame_at_half_size()
        [image] = draw_grid_overlays(frame, sizes, 0, overlays)
        assert np.all(image[..., :3] == GREY)
        assert drawn_views(frame, sizes, overlays) == [False]
    assert drawn_views(frame_at_half_size(), [(200, 100)], overlays) == [True]
    assert drawn_views([None], [(200, 100)], overlays) == [False]     # no video: the window draws its skeleton


def test_no_layer_asked_draws_nothing():
    overlays = GridOverlays(one_bone_take(), bones=False, detections=False, reprojection=True)   # no 3D here
    assert not overlays.draws_anything
    [image] = draw_grid_overlays(frame_at_half_size(), [(200, 100)], 0, overlays)
    assert np.all(image[..., :3] == GREY)
