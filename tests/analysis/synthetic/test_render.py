"""Tests of the synthetic multi-view renderer, on hand-built poses."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.catalogue.apparatus import apparatus_for
from analysis.motion.skeleton import COCO17_NAMES
from analysis.render.contact_sheet import contact_sheet
from analysis.synthetic.render import Appearance, ViewRenderer, render_take
from analysis.synthetic.rig import make_rig

LEOTARD = (40, 200, 40)
SKIN = (150, 180, 225)
LOOK = Appearance(leotard_bgr=LEOTARD, skin_bgr=SKIN, hair_bgr=(30, 40, 70))
J = {name: index for index, name in enumerate(COCO17_NAMES)}


def _pose(left_side: dict[str, tuple[float, float, float]], offset=(0.0, 0.0, 0.0)) -> np.ndarray:
    """COCO-17 joints (17, 3) from left-side/central joints mirrored across the X-Z plane, facing +X."""
    joints = np.full((17, 3), np.nan)
    for name, (x, y, z) in left_side.items():
        if name == "nose":
            joints[J["nose"]] = (x, y, z)
        else:
            joints[J[f"left_{name}"]] = (x, y, z)
            joints[J[f"right_{name}"]] = (x, -y, z)
    return joints + np.asarray(offset)


def standing(offset=(0.0, 0.0, 0.0)) -> np.ndarray:
    """A 1.6 m athlete standing upright, arms down, facing +X; joints (17, 3) in metres."""
    return _pose({
        "nose": (0.09, 0.0, 1.50), "eye": (0.07, 0.033, 1.53), "ear": (0.0, 0.075, 1.50),
        "shoulder": (0.0, 0.17, 1.33), "elbow": (0.0, 0.21, 1.05), "wrist": (0.02, 0.22, 0.80),
        "hip": (0.0, 0.09, 0.88), "knee": (0.02, 0.10, 0.47), "ankle": (0.0, 0.10, 0.08),
    }, offset)


def handstand() -> np.ndarray:
    """A handstand on the floor, facing +X; joints (17, 3) in metres."""
    return _pose({
        "nose": (0.09, 0.0, 0.47), "eye": (0.07, 0.033, 0.44), "ear": (0.0, 0.075, 0.47),
        "shoulder": (0.0, 0.17, 0.63), "elbow": (0.0, 0.18, 0.37), "wrist": (0.0, 0.17, 0.10),
        "hip": (0.0, 0.09, 1.08), "knee": (0.0, 0.08, 1.49), "ankle": (0.0, 0.06, 1.88),
    })


def chromaticity(bgr) -> np.ndarray:
    """Colour with brightness divided out, (.., 3)."""
    bgr = np.asarray(bgr, np.float64)
    return bgr / np.maximum(bgr.sum(axis=-1, keepdims=True), 1.0)


def looks_like(pixel, color) -> bool:
    """Whether a shaded pixel has the hue of ``color`` rather than of the other body colour."""
    other = SKIN if tuple(color) == LEOTARD else LEOTARD
    c = chromaticity(pixel)
    return np.linalg.norm(c - chromaticity(color)) < np.linalg.norm(c - chromaticity(other))


@pytest.fixture(scope="module")
def floor_rig():
    apparatus = apparatus_for("MFE")
    cameras = make_rig(apparatus, np.random.default_rng(0))
    return apparatus, cameras, [ViewRenderer(camera, apparatus) for camera in cameras]


def front_index(cameras) -> int:
    """Index of the camera most directly in front (+X) of an athlete at the origin."""
    return int(np.argmax([camera.center[0] / np.linalg.norm(camera.center[:2]) for camera in cameras]))


def test_image_shape_and_dtype(floor_rig):
    _, cameras, renderers = floor_rig
    image = renderers[0].render(standing(), LOOK)
    assert image.shape == (cameras[0].height, cameras[0].width, 3)
    assert image.dtype == np.uint8


@pytest.mark.parametrize("pose", [standing(), handstand()], ids=["standing", "handstand"])
def test_athlete_is_drawn_over_background(floor_rig, pose):
    _, cameras, renderers = floor_rig
    for camera, renderer in zip(cameras, renderers):
        image = renderer.render(pose, LOOK).astype(int)
        background = renderer.background.image.astype(int)
        for joint in ("left_hip", "right_shoulder"):
            u, v = np.round(camera.project(pose[J[joint]])).astype(int)
            window = (slice(v - 2, v + 3), slice(u - 2, u + 3))
            assert np.abs(image[window] - background[window]).sum(axis=-1).max() > 60, (camera.name, joint)
        torso = pose[[J["left_shoulder"], J["right_shoulder"], J["left_hip"], J["right_hip"]]].mean(axis=0)
        u, v = np.round(camera.project(torso)).astype(int)
        window = image[v - 6:v + 7, u - 6:u + 7].reshape(-1, 3)
        assert np.abs(window - LEOTARD).sum(axis=1).min() < 60, camera.name


def test_cameras_show_different_images(floor_rig):
    _, _, renderers = floor_rig
    images = [renderer.render(standing(), LOOK).astype(int) for renderer in renderers]
    for first in range(len(images)):
        for second in range(first + 1, len(images)):
            assert np.abs(images[first] - images[second]).mean() > 5


def test_nearer_body_part_occludes_farther_one(floor_rig):
    _, cameras, renderers = floor_rig
    front = front_index(cameras)
    camera, renderer = cameras[front], renderers[front]
    results = {}
    for name, reach in (("arm_in_front", 0.45), ("arm_behind", -0.45)):
        pose = standing()
        shoulder = pose[J["left_shoulder"]]
        # The left arm points straight towards (or away from) the camera at chest height,
        # so its projection falls on the torso.
        pose[J["left_elbow"]] = shoulder + [reach * 0.55, -0.1, -0.12]
        pose[J["left_wrist"]] = shoulder + [reach, -0.17, -0.15]
        forearm = (pose[J["left_elbow"]] + pose[J["left_wrist"]]) / 2
        u, v = np.round(camera.project(forearm)).astype(int)
        results[name] = renderer.render(pose, LOOK)[v, u]
    assert looks_like(results["arm_in_front"], SKIN)
    assert looks_like(results["arm_behind"], LEOTARD)


def test_apparatus_in_front_hides_athlete():
    apparatus = apparatus_for("MHB")
    camera = make_rig(apparatus, np.random.default_rng(0))[0]
    renderer = ViewRenderer(camera, apparatus)
    post = np.array(apparatus.boxes[0].center[:2])
    away = (post - camera.center[:2]) / np.linalg.norm(post - camera.center[:2])
    probe = np.array([*post, 1.1])
    u, v = np.round(camera.project(probe)).astype(int)
    behind = renderer.render(standing((*(post + 0.8 * away), 0.0)), LOOK)[v, u]
    in_front = renderer.render(standing((*(post - 0.8 * away), 0.0)), LOOK)[v, u]
    post_pixel = renderer.background.image[v, u]
    assert np.abs(behind.astype(int) - post_pixel).sum() < 30
    assert np.abs(in_front.astype(int) - post_pixel).sum() > 150


def test_nan_joints_do_not_crash(floor_rig):
    _, cameras, renderers = floor_rig
    pose = standing()
    pose[[J["left_wrist"], J["left_ear"], J["right_knee"]]] = np.nan
    image = renderers[2].render(pose, LOOK)
    assert image.shape == (cameras[2].height, cameras[2].width, 3)
    assert np.any(image != renderers[2].background.image)
    empty = renderers[2].render(np.full((17, 3), np.nan), LOOK)
    np.testing.assert_array_equal(empty, renderers[2].background.image)


def test_render_take_jpegs_decode_to_frames(floor_rig):
    apparatus, cameras, _ = floor_rig
    poses = np.stack([standing(), handstand()])
    done = []
    views = render_take([ViewRenderer(camera, apparatus) for camera in cameras[:3]], poses, LOOK, quality=80,
                        progress=done.append)
    assert done == [1, 2]
    assert len(views) == 3 and all(len(frames) == 2 for frames in views)
    for camera, frames in zip(cameras, views):
        for encoded in frames:
            image = cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_COLOR)
            assert image.shape == (camera.height, camera.width, 3)


def test_contact_sheet_tiles_two_rows_of_four(floor_rig):
    _, cameras, renderers = floor_rig
    images = [renderer.render(standing(), LOOK) for renderer in renderers]
    sheet = contact_sheet(images, [camera.name for camera in cameras], columns=4)
    height, width = images[0].shape[:2]
    assert sheet.shape == (2 * height, 4 * width, 3)
    last = sheet[height:, 3 * width:]
    label_area = (slice(0, 35), slice(0, 90))
    assert np.any(last[label_area] != images[7][label_area])
    np.testing.assert_array_equal(last[40:], images[7][40:])
