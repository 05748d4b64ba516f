"""Line geometry of the 3D view: floor grid, apparatus, frustums, bones, trails."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import Camera, look_at
from analysis.motion.skeleton import COCO17
from viewer.vispy import scene_geometry as geometry


def make_camera(eye=(4.0, -3.0, 2.0), target=(0.0, 0.0, 1.0), dist=()) -> Camera:
    rotation, translation = look_at(np.array(eye), np.array(target))
    K = np.array([[500.0, 0.0, 330.0], [0.0, 480.0, 170.0], [0.0, 0.0, 1.0]])
    return Camera("cam", K, np.array(dist, float), rotation, translation, 640, 360)


def test_frustum_rays_start_at_the_camera_centre():
    camera = make_camera()
    segments = geometry.frustum_segments(camera, depth=0.7)
    ray_starts = segments[0:8:2]
    np.testing.assert_allclose(ray_starts, np.tile(camera.center, (4, 1)), atol=1e-12)


@pytest.mark.parametrize("depth", [0.3, 2.0])
def test_frustum_corners_reproject_to_the_image_corners(depth):
    camera = make_camera()
    corners = geometry.frustum_corners(camera, depth)
    np.testing.assert_allclose(camera.project(corners), [(0, 0), (640, 0), (640, 360), (0, 360)], atol=1e-6)
    np.testing.assert_allclose(camera.to_camera(corners)[:, 2], depth, atol=1e-9)
    segments = geometry.frustum_segments(camera, depth)
    np.testing.assert_allclose(segments[1:8:2], corners, atol=1e-12)


def test_frustum_up_tick_sits_above_the_top_edge():
    camera = make_camera()
    segments = geometry.frustum_segments(camera, 1.0)
    tip = segments[-5]
    pixel = camera.project(tip)
    assert pixel[1] < 0 and 0 < pixel[0] < 640


def test_floor_grid_has_one_metre_lines_on_the_floor():
    grid = geometry.floor_grid_segments(2.5, spacing=1.0)
    assert grid.shape == (2 * 2 * 7, 3)
    np.testing.assert_array_equal(grid[:, 2], 0.0)
    constant_x = grid[: len(grid) // 2].reshape(-1, 2, 3)
    np.testing.assert_array_equal(constant_x[:, 0, 0], np.arange(-3, 4))
    np.testing.assert_array_equal(constant_x[:, :, 1], np.tile([-3.0, 3.0], (7, 1)))


def test_box_segments_are_the_twelve_edges():
    edges = geometry.box_segments(np.array([1.0, 2.0, 0.5]), np.array([2.0, 0.4, 1.0])).reshape(-1, 2, 3)
    lengths = np.sort(np.linalg.norm(edges[:, 1] - edges[:, 0], axis=1))
    np.testing.assert_allclose(lengths, [0.4] * 4 + [1.0] * 4 + [2.0] * 4)
    np.testing.assert_allclose(edges.reshape(-1, 3).min(axis=0), [0.0, 1.8, 0.0])


def test_apparatus_outline_has_the_bar_and_rgb_colours():
    apparatus = apparatus_for("MHB")
    segments, colors = geometry.apparatus_segments(apparatus)
    bar = apparatus.bars[0]
    pairs = segments.reshape(-1, 2, 3)
    assert any(np.allclose(pair, [bar.start, bar.end]) for pair in pairs)
    assert len(segments) == 4 * 2 * len(apparatus.patches) + 24 * len(apparatus.boxes) + 2 * len(apparatus.bars)
    mat = apparatus.patches[0].color
    np.testing.assert_allclose(colors[0], np.array(mat[::-1]) / 255)


def test_floor_exercise_outline_lies_on_the_floor():
    segments, colors = geometry.apparatus_segments(apparatus_for("WFE"))
    assert len(segments) == len(colors) > 0
    np.testing.assert_array_equal(segments[:, 2], 0.0)


def test_skeleton_segments_skip_bones_with_a_missing_joint():
    pose = np.arange(17 * 3, dtype=float).reshape(17, 3)
    pose[COCO17.index("left_knee")] = np.nan
    segments, kept = geometry.skeleton_segments(COCO17.edge_array, pose)
    assert len(kept) == len(COCO17.edges) - 2
    assert np.isfinite(segments).all()
    np.testing.assert_array_equal(segments.reshape(-1, 2, 3), pose[COCO17.edge_array[kept]])


def test_trail_fades_towards_the_past_and_skips_gaps():
    poses = np.zeros((50, 17, 3))
    poses[:, :, 0] = np.arange(50)[:, None]
    poses[38, 9] = np.nan
    segments, fade, which = geometry.trail_segments(poses, np.array([9, 10]), frame=40, window=10)
    # 10 steps per joint, minus the 2 steps touching the gap in joint 9.
    assert len(segments) == 2 * (10 + 8)
    assert fade.max() == 1.0 and fade.min() == 0.0
    newest = segments[fade == 1.0]
    np.testing.assert_array_equal(newest[:, 0], 40)
    assert set(which) == {0, 1}
    early = geometry.trail_segments(poses, np.array([9]), frame=3, window=10)[0]
    assert len(early) == 2 * 3


def test_motion_bounds_ignore_nan_and_refuse_empty():
    poses = np.full((4, 2, 3), np.nan)
    with pytest.raises(ValueError, match="no finite"):
        geometry.motion_bounds(poses)
    poses[1, 0] = (1, 2, 3)
    poses[3, 1] = (-1, 0, 5)
    low, high = geometry.motion_bounds(poses)
    np.testing.assert_array_equal(low, (-1, 0, 3))
    np.testing.assert_array_equal(high, (1, 2, 5))
