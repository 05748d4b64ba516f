"""Face anonymization: blur each person's face, located from the head keypoints of the 2D pose.

No face detector is needed (the LucidAction data release blurred faces the same
way): the face is a disc centred on the mean of the head keypoints that are
present (nose, eyes, ears; a layout's ``head`` joint too). Its radius is the
largest of three estimates, so that it covers the head seen from any side:

- the head keypoints' spread (largest distance between two of them) times
  :data:`SPREAD_TO_RADIUS`: right when the face is seen from the front;
- the shoulder width times :data:`SHOULDER_TO_RADIUS`: when the face is in
  profile and the eyes and ears crowd together;
- the trunk length (mid-shoulder to mid-hip) times :data:`TRUNK_TO_RADIUS`:
  when the athlete is seen side-on and the shoulders overlap as well.

A frame whose head keypoints are all missing takes the region of the nearest
frames (interpolated over time), so that a face does not flash unblurred when a
detection drops out.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from analysis.motion.series import fill_gaps, joint_index

HEAD_JOINTS: tuple[str, ...] = ("nose", "left_eye", "right_eye", "left_ear", "right_ear", "head")
#: Face radius per unit of the head keypoints' spread (ear to ear is about the width of the head).
SPREAD_TO_RADIUS = 0.9
#: Face radius per unit of shoulder width (a head is about 0.3 of the biacromial width across, per side).
SHOULDER_TO_RADIUS = 0.32
#: Face radius per unit of trunk length (mid-shoulder to mid-hip).
TRUNK_TO_RADIUS = 0.24
#: The blur's standard deviation per unit of face radius: features vanish, the head's colour stays.
BLUR_SIGMA_PER_RADIUS = 0.35
MIN_RADIUS_PX = 4.0


def _track(points: np.ndarray, joint_names: Sequence[str], name: str) -> np.ndarray:
    index = joint_index(joint_names, name)
    return np.full(points.shape[:-2] + (2,), np.nan) if index is None else points[..., index, :2]


def face_regions(points: np.ndarray, joint_names: Sequence[str]) -> np.ndarray:
    """The face disc of every pose in ``points``.

    Parameters
    ----------
    points : ndarray (..., J, 2) or (..., J, 3)
        2D poses, pixels (a third column, the confidence, is ignored); NaN where missing.
    joint_names : sequence of str
        The J joints' names (COCO or OpenPose spelling).

    Returns
    -------
    ndarray (..., 3) float64
        Centre x, centre y and radius of each face, pixels; NaN where no head keypoint is present.
    """
    points = np.asarray(points, dtype=np.float64)
    head = np.stack([_track(points, joint_names, name) for name in HEAD_JOINTS], axis=-2)
    present = np.isfinite(head).all(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        count = present.sum(axis=-1)
        centre = np.where(present[..., None], head, 0.0).sum(axis=-2) / count[..., None]
        gaps = head[..., :, None, :] - head[..., None, :, :]
        spread = np.sqrt((gaps ** 2).sum(axis=-1))
        spread = np.where(present[..., :, None] & present[..., None, :], spread, 0.0).max(axis=(-2, -1))
        shoulders = _track(points, joint_names, "left_shoulder") - _track(points, joint_names, "right_shoulder")
        mid_shoulder = 0.5 * (_track(points, joint_names, "left_shoulder") + _track(points, joint_names, "right_shoulder"))
        mid_hip = 0.5 * (_track(points, joint_names, "left_hip") + _track(points, joint_names, "right_hip"))
        estimates = np.stack([
            SPREAD_TO_RADIUS * spread,
            SHOULDER_TO_RADIUS * np.linalg.norm(shoulders, axis=-1),
            TRUNK_TO_RADIUS * np.linalg.norm(mid_shoulder - mid_hip, axis=-1),
        ], axis=-1)
    radius = np.maximum(np.nan_to_num(estimates, nan=0.0).max(axis=-1), MIN_RADIUS_PX)
    regions = np.concatenate([centre, radius[..., None]], axis=-1)
    regions[count == 0] = np.nan
    return regions


def face_tracks(pose2d: np.ndarray, joint_names: Sequence[str]) -> np.ndarray:
    """The face disc of a take in every view and frame, with the frames missing a head filled in.

    Parameters
    ----------
    pose2d : ndarray (V, T, J, 2 or 3)
        The take's detections, pixels.

    Returns
    -------
    ndarray (V, T, 3)
        Centre x, y and radius, pixels; NaN only in views where no frame shows a head keypoint.
    """
    regions = face_regions(pose2d, joint_names)
    return np.stack([fill_gaps(view) for view in regions])


def blur_faces(image: np.ndarray, regions: np.ndarray) -> None:
    """Blur the face discs of ``image`` in place (a soft-edged Gaussian blur; the rest is untouched).

    Parameters
    ----------
    image : ndarray (H, W, 3) uint8
    regions : ndarray (P, 3)
        Centre x, y and radius of each face, in ``image`` pixels; rows with NaN are skipped.
    """
    height, width = image.shape[:2]
    for x, y, radius in np.asarray(regions, dtype=np.float64).reshape(-1, 3):
        if not np.isfinite((x, y, radius)).all():
            continue
        margin = int(np.ceil(radius * 1.2)) + 2
        left, top = max(int(x) - margin, 0), max(int(y) - margin, 0)
        right, bottom = min(int(x) + margin + 1, width), min(int(y) + margin + 1, height)
        if left >= right or top >= bottom:
            continue
        patch = image[top:bottom, left:right]
        sigma = max(BLUR_SIGMA_PER_RADIUS * radius, 1.5)
        # reflect the surrounding picture, not black, into the blur at the image's border
        blurred = cv2.GaussianBlur(patch, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
        rows, columns = np.ogrid[top:bottom, left:right]
        distance = np.sqrt((columns - x) ** 2 + (rows - y) ** 2)
        weight = np.clip((radius + 2.0 - distance) / 4.0, 0.0, 1.0)[..., None]
        patch[:] = (weight * blurred + (1.0 - weight) * patch + 0.5).astype(np.uint8)
