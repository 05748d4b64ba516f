"""Detector-like 2D keypoints from ground-truth 3D: noise, confidence, dropouts, swaps.

Models what a 2D pose estimator run on each camera would return: pixel
jitter that is partly smooth in time, lower confidence for joints hidden
behind the body, runs of missed detections, points outside the image, and
occasional gross errors where the left and right sides are swapped for a few
frames while the detector stays confident.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter1d

from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import Skeleton


@dataclass(frozen=True)
class DetectorModel:
    """Error levels of the simulated detector.

    Attributes
    ----------
    jitter_px : float
        Std of the white pixel noise.
    drift_px : float
        Std of the slowly varying error (smoothed over ``drift_frames``).
    drift_frames : float
    dropout_rate : float
        Expected runs of missed detections per joint and view per 100 frames.
    swap_rate : float
        Expected left/right swaps per view per 100 frames.
    min_confidence : float
        Detections below this confidence are reported as missing.
    """

    jitter_px: float = 1.2
    drift_px: float = 2.0
    drift_frames: float = 4.0
    dropout_rate: float = 0.25
    swap_rate: float = 0.6
    min_confidence: float = 0.2


def simulate_detections(
    cameras: list[Camera],
    skeleton: Skeleton,
    points3d: np.ndarray,
    rng: np.random.Generator,
    model: DetectorModel = DetectorModel(),
) -> np.ndarray:
    """2D detections of ``points3d`` in every camera.

    Parameters
    ----------
    cameras : list of Camera, length V
    skeleton : Skeleton, J joints
    points3d : ndarray, shape (T, J, 3)
        Ground truth, metres.
    rng : numpy Generator
    model : DetectorModel

    Returns
    -------
    ndarray, shape (V, T, J, 3), float32
        x, y in pixels and confidence in [0, 1]; x = y = NaN and confidence 0
        where not detected.
    """
    n_views = len(cameras)
    n_frames, n_joints, _ = points3d.shape
    out = np.empty((n_views, n_frames, n_joints, 3), dtype=np.float32)
    flip = skeleton.flip_permutation()
    for v, camera in enumerate(cameras):
        pixels = camera.project(points3d)
        confidence = _visibility_confidence(camera, points3d, rng)
        pixels = pixels + _pixel_noise(rng, pixels.shape, model, scale=_pixel_scale(camera, points3d))
        pixels, confidence = _swap_sides(rng, pixels, confidence, flip, model)
        missing = _dropouts(rng, (n_frames, n_joints), model)
        missing |= confidence < model.min_confidence
        missing |= ~_inside(camera, pixels)
        pixels[missing] = np.nan
        confidence[missing] = 0.0
        out[v, ..., :2] = pixels
        out[v, ..., 2] = confidence
    return out


def _pixel_scale(camera: Camera, points3d: np.ndarray) -> np.ndarray:
    """Noise grows as the athlete gets closer (bigger in the image): ``(T, 1, 1)``."""
    depth = np.nanmedian(camera.to_camera(points3d)[..., 2], axis=1)
    reference = camera.K[0, 0] / 600.0 * 9.0
    return np.clip(reference / np.maximum(depth, 0.5), 0.5, 2.5)[:, None, None]


def _pixel_noise(rng: np.random.Generator, shape: tuple, model: DetectorModel, scale: np.ndarray) -> np.ndarray:
    white = rng.normal(0.0, model.jitter_px, shape)
    drift = gaussian_filter1d(rng.normal(0.0, 1.0, shape), model.drift_frames, axis=0)
    drift *= model.drift_px / max(drift.std(), 1e-9)
    return (white + drift) * scale


def _visibility_confidence(camera: Camera, points3d: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Confidence ``(T, J)``: lower for joints behind the body as seen from the camera."""
    depth = camera.to_camera(points3d)[..., 2]
    behind = depth - np.nanmedian(depth, axis=1, keepdims=True)
    hidden = np.clip(behind / 0.25, 0.0, 1.0)
    base = rng.uniform(0.82, 0.98, size=depth.shape)
    confidence = base - 0.55 * hidden * rng.uniform(0.5, 1.0, size=depth.shape)
    return np.clip(confidence, 0.0, 1.0)


def _swap_sides(rng, pixels, confidence, flip, model):
    """Swap left and right joints for short runs of frames."""
    n_frames = pixels.shape[0]
    n_swaps = rng.poisson(model.swap_rate * n_frames / 100.0)
    for _ in range(n_swaps):
        start = int(rng.integers(0, n_frames))
        stop = min(n_frames, start + int(rng.integers(1, 6)))
        pixels[start:stop] = pixels[start:stop][:, flip]
        confidence[start:stop] = confidence[start:stop][:, flip] * 0.95
    return pixels, confidence


def _dropouts(rng: np.random.Generator, shape: tuple[int, int], model: DetectorModel) -> np.ndarray:
    """Runs of missed detections ``(T, J)`` bool."""
    n_frames, n_joints = shape
    missing = np.zeros(shape, dtype=bool)
    n_runs = rng.poisson(model.dropout_rate * n_joints * n_frames / 100.0)
    starts = rng.integers(0, n_frames, n_runs)
    lengths = rng.integers(1, 12, n_runs)
    joints = rng.integers(0, n_joints, n_runs)
    for start, length, joint in zip(starts, lengths, joints):
        missing[start:start + length, joint] = True
    return missing


def _inside(camera: Camera, pixels: np.ndarray) -> np.ndarray:
    x, y = pixels[..., 0], pixels[..., 1]
    with np.errstate(invalid="ignore"):
        return (x >= 0) & (x < camera.width) & (y >= 0) & (y < camera.height)
