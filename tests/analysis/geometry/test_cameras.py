"""Camera projection with lens distortion agrees with OpenCV and handles NaN and points behind."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.geometry.cameras import Camera, look_at, project_all

K = np.array([[900.0, 0.0, 321.0], [0.0, 905.0, 179.0], [0.0, 0.0, 1.0]])
DISTORTIONS = {
    0: np.zeros(0),
    4: np.array([-0.12, 0.03, 0.001, -0.0015]),
    5: np.array([-0.12, 0.03, 0.001, -0.0015, 0.004]),
    8: np.array([-0.12, 0.03, 0.001, -0.0015, 0.004, 0.01, -0.002, 0.001]),
    12: np.array([-0.12, 0.03, 0.001, -0.0015, 0.004, 0.01, -0.002, 0.001, 1e-3, -2e-4, 5e-4, 1e-4]),
    14: np.array([-0.12, 0.03, 0.001, -0.0015, 0.004, 0.01, -0.002, 0.001, 1e-3, -2e-4, 5e-4, 1e-4, 0.01, -0.02]),
}


def _camera(dist: np.ndarray) -> Camera:
    R, t = look_at([6.0, -5.0, 2.0], [0.0, 0.0, 1.0])
    return Camera("c", K, dist, R, t, 640, 360)


@pytest.mark.parametrize("n_coeffs", sorted(DISTORTIONS))
def test_projection_matches_opencv(n_coeffs):
    camera = _camera(DISTORTIONS[n_coeffs])
    points = np.random.default_rng(0).uniform([-1, -1, 0], [1, 1, 2], size=(20, 17, 3))
    ours = camera.project(points)
    theirs, _ = cv2.projectPoints(points.reshape(-1, 3), cv2.Rodrigues(camera.R)[0], camera.t, K,
                                  DISTORTIONS[n_coeffs] if n_coeffs else None)
    assert ours.shape == (20, 17, 2)
    np.testing.assert_allclose(ours.reshape(-1, 2), theirs.reshape(-1, 2), atol=1e-6)


@pytest.mark.parametrize("n_coeffs", [4, 8])
def test_undistort_inverts_distortion(n_coeffs):
    camera = _camera(DISTORTIONS[n_coeffs])
    points = np.random.default_rng(1).uniform([-1, -1, 0], [1, 1, 2], size=(50, 3))
    ideal = camera.to_camera(points)
    ideal = ideal[:, :2] / ideal[:, 2:] @ K[:2, :2].T + K[:2, 2]
    np.testing.assert_allclose(camera.undistort_pixels(camera.project(points)), ideal, atol=1e-4)


def test_nan_and_behind_camera_points_project_to_nan():
    camera = _camera(DISTORTIONS[4])
    points = np.array([[np.nan, 0, 1], [12.0, -10.0, 2.0], [0.0, 0.0, 1.0]])  # second is behind the camera
    pixels = camera.project(points)
    assert np.isnan(pixels[0]).all() and np.isnan(pixels[1]).all() and np.isfinite(pixels[2]).all()


def test_look_at_centres_the_target_and_keeps_up_up():
    camera = _camera(np.zeros(0))
    centre = camera.project(np.array([0.0, 0.0, 1.0]))
    np.testing.assert_allclose(centre, K[:2, 2], atol=1e-9)
    above = camera.project(np.array([0.0, 0.0, 1.5]))
    assert above[1] < centre[1]  # higher in the world is higher in the image
    np.testing.assert_allclose(camera.center, [6.0, -5.0, 2.0], atol=1e-12)


def test_project_all_stacks_views():
    cameras = [_camera(DISTORTIONS[0]), _camera(DISTORTIONS[4])]
    assert project_all(cameras, np.zeros((3, 17, 3)) + [0, 0, 1]).shape == (2, 3, 17, 2)


def test_bad_camera_shapes_are_refused():
    with pytest.raises(ValueError, match="dist has 3 coefficients"):
        Camera("c", K, np.zeros(3), np.eye(3), np.zeros(3), 10, 10)
    with pytest.raises(ValueError, match="K has shape"):
        Camera("c", np.eye(2), np.zeros(0), np.eye(3), np.zeros(3), 10, 10)
