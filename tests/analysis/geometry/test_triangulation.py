"""Batched weighted DLT triangulation and reprojection error."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import project_all
from analysis.geometry.triangulation import reprojection_errors, triangulate_dlt
from analysis.synthetic.rig import make_rig

CAMERAS = make_rig(apparatus_for("MFE"), np.random.default_rng(3))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_noise_free_projection_round_trips(seed):
    points = np.random.default_rng(seed).uniform([-3, -1.5, 0], [3, 1.5, 2.5], size=(6, 17, 3))
    recovered = triangulate_dlt(CAMERAS, project_all(CAMERAS, points))
    np.testing.assert_allclose(recovered, points, atol=1e-6)


def test_missing_views_and_low_confidence():
    points = np.random.default_rng(0).uniform([-1, -1, 0.2], [1, 1, 2], size=(4, 17, 3))
    pixels = project_all(CAMERAS, points)
    confidence = np.ones(pixels.shape[:-1])
    pixels[:6, 0, 0] = np.nan          # seen by two views only: still triangulated
    pixels[:7, 1, 1] = np.nan          # seen by one view: NaN
    confidence[:, 2, 2] = 0.1          # everyone unsure: below threshold, NaN
    recovered = triangulate_dlt(CAMERAS, pixels, confidence, min_confidence=0.3)
    np.testing.assert_allclose(recovered[0, 0], points[0, 0], atol=1e-6)
    assert np.isnan(recovered[1, 1]).all() and np.isnan(recovered[2, 2]).all()
    assert np.isfinite(recovered[3]).all()


def test_low_weight_view_barely_moves_the_point():
    points = np.array([[[0.2, 0.1, 1.0]]])
    pixels = project_all(CAMERAS, points)
    pixels[0] += 40.0
    weights = np.ones(pixels.shape[:-1])
    weights[0] = 1e-3
    down_weighted = triangulate_dlt(CAMERAS, pixels, weights)
    equal = triangulate_dlt(CAMERAS, pixels)
    assert np.linalg.norm(down_weighted - points) < 0.1 * np.linalg.norm(equal - points)


def test_reprojection_error_measures_pixel_offsets():
    points = np.random.default_rng(2).uniform([-1, -1, 0.2], [1, 1, 2], size=(3, 17, 3))
    pixels = project_all(CAMERAS, points)
    pixels[2, 1, 4] += [3.0, 4.0]
    pixels[5, 0, 0] = np.nan
    errors = reprojection_errors(project_all(CAMERAS, points), pixels)
    assert errors.shape == (8, 3, 17)
    assert abs(errors[2, 1, 4] - 5.0) < 1e-9
    assert np.isnan(errors[5, 0, 0])
    assert np.nanmax(np.delete(errors.reshape(-1), [np.ravel_multi_index((2, 1, 4), errors.shape)])) < 1e-9
