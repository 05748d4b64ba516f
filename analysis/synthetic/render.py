"""Render synthetic multi-view gymnastics video frames.

One ``ViewRenderer`` per camera pre-renders the static gym (see
``render_scene``) once; each frame then copies it, lays a soft shadow, paints
the athlete's shaded body far-to-near (see ``render_body``) and re-paints the
apparatus pixels that are nearer to the camera than the body.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import cv2
import numpy as np

from analysis.catalogue.apparatus import Apparatus
from analysis.geometry.cameras import Camera
from analysis.motion.skeleton import COCO17_NAMES
from analysis.synthetic.render_body import Appearance, body_geometry, paint_athlete
from analysis.synthetic.render_scene import render_background

__all__ = ["Appearance", "ViewRenderer", "render_take"]

_ANKLES = [COCO17_NAMES.index("left_ankle"), COCO17_NAMES.index("right_ankle")]


class ViewRenderer:
    """Renders poses as seen by one camera.

    Parameters
    ----------
    camera : Camera
    apparatus : Apparatus
    """

    def __init__(self, camera: Camera, apparatus: Apparatus) -> None:
        self.camera = camera
        self.background = render_background(camera, apparatus)
        self._floor_weight = 1.0 - self.background.apparatus_coverage()
        self._tops = np.array([
            (box.center[0] - box.size[0] / 2, box.center[0] + box.size[0] / 2,
             box.center[1] - box.size[1] / 2, box.center[1] + box.size[1] / 2,
             box.center[2] + box.size[2] / 2)
            for box in apparatus.boxes
        ]).reshape(-1, 5)

    def render(self, joints: np.ndarray, appearance: Appearance) -> np.ndarray:
        """One frame.

        Parameters
        ----------
        joints : ndarray, shape (17, 3)
            COCO-17 world joints, metres; parts touching a NaN joint are skipped.
        appearance : Appearance

        Returns
        -------
        ndarray, shape (height, width, 3), uint8
            BGR image.
        """
        joints = np.asarray(joints, dtype=np.float64)
        image = self.background.image.copy()
        body = body_geometry(joints, self._support_heights(joints[_ANKLES]))
        if self.background.occluder_index.size == 0:
            paint_athlete(image, self.camera, body, appearance.palette(), self._floor_weight)
            return image
        body_depth = np.full(image.shape[:2], np.inf, np.float32)
        paint_athlete(image, self.camera, body, appearance.palette(), self._floor_weight, body_depth)
        self._repaint_apparatus(image, body_depth)
        return image

    def _support_heights(self, points: np.ndarray) -> np.ndarray:
        """Height (n,) of the floor or box top under world points (n, 3), metres."""
        x, y, z = (points[:, None, k] for k in range(3))
        x0, x1, y0, y1, top = self._tops.T
        under = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (top <= z + 0.05)
        return np.max(np.where(under, top, 0.0), axis=1, initial=0.0)

    def _repaint_apparatus(self, image: np.ndarray, body_depth: np.ndarray) -> None:
        """Blend apparatus pixels nearer than the painted body back over it."""
        background = self.background
        in_front = background.occluder_depth < body_depth.reshape(-1)[background.occluder_index]
        if not in_front.any():
            return
        index = background.occluder_index[in_front]
        alpha = background.occluder_alpha[in_front]
        pixels = image.reshape(-1, 3)
        blended = alpha * background.occluder_color[in_front] + (1.0 - alpha) * pixels[index]
        pixels[index] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)


def render_take(renderers: Sequence[ViewRenderer], pose3d: np.ndarray, appearance: Appearance,
                quality: int = 85, progress: Callable[[int], object] | None = None) -> list[list[bytes]]:
    """Render and JPEG-encode a whole take from every camera.

    Parameters
    ----------
    renderers : sequence of ViewRenderer, length V
        One per camera (building one paints its background: build them once per session).
    pose3d : ndarray, shape (T, 17, 3)
        COCO-17 world joints per frame, metres; NaN allowed.
    appearance : Appearance
    quality : int
        JPEG quality, 0..100.
    progress : callable, optional
        Called with the number of frames done (all views) after each frame.

    Returns
    -------
    list of V lists of T bytes
        JPEG files, per view then per frame.
    """
    params = [cv2.IMWRITE_JPEG_QUALITY, int(quality)]
    views: list[list[bytes]] = [[] for _ in renderers]
    for frame_index, joints in enumerate(np.asarray(pose3d, dtype=np.float64)):
        for renderer, frames in zip(renderers, views):
            ok, encoded = cv2.imencode(".jpg", renderer.render(joints, appearance), params)
            if not ok:
                raise RuntimeError(f"JPEG encoding failed for {renderer.camera.name} frame {frame_index}")
            frames.append(encoded.tobytes())
        if progress is not None:
            progress(frame_index + 1)
    return views
