"""Small video crops around the athlete, rendered from a synthetic take's reference motion.

The RGB stream of the scoring ablation (the paper's Table 3b) reads these: one
camera's picture of the athlete at the resampled steps of the take, cut square
around the athlete and shrunk. They are rendered from the take's reference
(ground-truth) motion, as the synthetic camera files are, with one neutral
appearance for every athlete (attire is not what is scored), so they hold what a
camera sees that the triangulated pose lost to detection noise.
"""

from __future__ import annotations

import cv2
import numpy as np

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import Camera
from analysis.synthetic.render import Appearance, ViewRenderer

#: Side of a crop, pixels.
CROP_SIZE = 32
#: The crop's side over the athlete's largest extent in the take's picture.
CROP_MARGIN = 1.25
#: One appearance for every athlete: a mid-grey leotard, skin and dark hair (BGR).
NEUTRAL_APPEARANCE = Appearance(leotard_bgr=(120, 120, 120), skin_bgr=(150, 175, 215), hair_bgr=(40, 40, 40))


def step_frames(n_frames: int, n_steps: int) -> np.ndarray:
    """The frame nearest each of ``n_steps`` evenly spaced steps of a take ``(n_steps,)`` int."""
    return np.rint(np.linspace(0.0, max(n_frames - 1, 0), n_steps)).astype(int)


def crop_boxes(pixels: np.ndarray) -> tuple[np.ndarray, float]:
    """Where to cut the crops: the athlete's centre per step and one side for the whole take.

    Parameters
    ----------
    pixels : numpy.ndarray, shape (S, J, 2)
        The athlete's joints in the picture, pixels; NaN where not seen.

    Returns
    -------
    centres : numpy.ndarray, shape (S, 2)
        Midpoint of the joints' bounding box per step (the take's mean where a step has none).
    side : float
        :data:`CROP_MARGIN` times the largest width or height of a step's bounding box, pixels
        (one scale for the take, so the body's size in the crops changes only with its posture).
    """
    finite = np.isfinite(pixels).all(axis=-1, keepdims=True)
    low = np.where(finite, pixels, np.inf).min(axis=1)
    high = np.where(finite, pixels, -np.inf).max(axis=1)
    seen = finite.any(axis=(1, 2))
    if not seen.any():
        raise ValueError("the athlete is never in this camera's picture")
    centres = np.empty(low.shape)
    centres[seen] = 0.5 * (low[seen] + high[seen])
    centres[~seen] = centres[seen].mean(axis=0)
    side = CROP_MARGIN * float(np.max((high - low)[seen]))
    return centres, max(side, 8.0)


def cut(image: np.ndarray, centre: np.ndarray, side: float, size: int = CROP_SIZE) -> np.ndarray:
    """The square of ``side`` pixels around ``centre`` of ``image`` (H, W, 3), shrunk to ``size``;
    parts outside the picture are black. Returns ``(size, size, 3)`` uint8."""
    half = side / 2.0
    x0, y0 = int(round(centre[0] - half)), int(round(centre[1] - half))
    length = max(int(round(side)), 1)
    height, width = image.shape[:2]
    square = np.zeros((length, length, 3), np.uint8)
    left, top = max(x0, 0), max(y0, 0)
    right, bottom = min(x0 + length, width), min(y0 + length, height)
    if right > left and bottom > top:
        square[top - y0:bottom - y0, left - x0:right - x0] = image[top:bottom, left:right]
    return cv2.resize(square, (size, size), interpolation=cv2.INTER_AREA)


def render_crops(renderer: ViewRenderer, reference: np.ndarray, n_steps: int, size: int = CROP_SIZE) -> np.ndarray:
    """Crops around the athlete at ``n_steps`` evenly spaced steps of a take, as ``renderer``'s camera sees it.

    Parameters
    ----------
    renderer : ViewRenderer
        The camera's renderer (building one paints the gym: build it once per session and camera).
    reference : numpy.ndarray, shape (T, 17, 3)
        The take's reference motion, COCO-17 world joints, metres.
    n_steps : int

    Returns
    -------
    numpy.ndarray, shape (n_steps, 3, size, size), uint8
        RGB crops.

    Raises
    ------
    ValueError
        If the athlete never appears in the camera's picture.
    """
    frames = step_frames(len(reference), n_steps)
    joints = np.asarray(reference, dtype=np.float64)[frames]
    pixels = _project(renderer.camera, joints)
    centres, side = crop_boxes(pixels)
    crops = np.empty((n_steps, 3, size, size), np.uint8)
    for step, (pose, centre) in enumerate(zip(joints, centres)):
        picture = renderer.render(pose, NEUTRAL_APPEARANCE)
        crops[step] = cv2.cvtColor(cut(picture, centre, side, size), cv2.COLOR_BGR2RGB).transpose(2, 0, 1)
    return crops


class FirstCameraCrops:
    """Crops of library takes as their session's first camera sees them: ``crops(session, take, n_steps)``.

    A crop source for :func:`app.cli.training_data.load_library_data`. The renderer of the
    last session is kept (building one paints the gym), so a library read file by file
    paints each gym once.
    """

    def __init__(self) -> None:
        self._session_path = None
        self._renderer: ViewRenderer | None = None

    def renderer(self, session) -> ViewRenderer:
        """The renderer of ``session``'s first camera and apparatus."""
        if self._renderer is None or self._session_path != session.path:
            self._renderer = ViewRenderer(session.cameras[0], apparatus_for(session.event))
            self._session_path = session.path
        return self._renderer

    def __call__(self, session, take: str, n_steps: int) -> np.ndarray:
        """Crops ``(n_steps, 3, 32, 32)`` uint8 of ``take`` of an open session (:func:`render_crops`).

        Raises
        ------
        ValueError
            Naming the file and take, when it has no reference motion (only synthetic takes
            have one) or the athlete is never in the first camera's picture.
        """
        reference = session.pose3d_reference(take)
        if reference is None:
            raise ValueError(f"{session.path}: take {take}: no reference motion to render video crops from "
                             f"(the video stream is trained on synthetic libraries)")
        try:
            return render_crops(self.renderer(session), reference, n_steps)
        except ValueError as error:
            raise ValueError(f"{session.path}: take {take}: {error}") from None


def _project(camera: Camera, joints: np.ndarray) -> np.ndarray:
    """Pixels ``(S, J, 2)`` of world joints ``(S, J, 3)``; NaN for joints behind the camera or off the picture."""
    pixels = camera.project(joints)
    inside = (pixels[..., 0] >= 0) & (pixels[..., 0] < camera.width) & (pixels[..., 1] >= 0) \
        & (pixels[..., 1] < camera.height)
    return np.where(inside[..., None], pixels, np.nan)
