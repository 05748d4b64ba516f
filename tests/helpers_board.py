"""Rendered board recordings with known cameras, for the calibration tests and benchmark.

Each output pixel is undistorted to a ray (``cv2.undistortPoints``), the ray is
intersected with the board plane and the board image is sampled there
(``cv2.remap``), so lens distortion reaches the images the way a lens puts it
there. The board image is OpenCV's (``CharucoBoard.generateImage``) or a drawn
checkerboard; it is blended over a smooth background, blurred slightly and
given sensor noise. Board poses map the board frame (see
``analysis.geometry.board``) to the world: ``X_world = R @ X_board + t``.

This is test and benchmark data, not a feature of the workstation, hence it
lives in tests/ (the benchmark imports it from here).
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np

from analysis.geometry.board import BoardSpec
from analysis.geometry.cameras import Camera, look_at

#: Grey levels of the board's dark and light squares before lighting.
_DARK, _LIGHT = 25.0, 225.0
#: Grey level of the board's back.
_BACK = 110.0


def board_image(spec: BoardSpec, pixels_per_square: int) -> tuple[np.ndarray, float]:
    """The board's printed face with a light margin of half a square.

    Returns
    -------
    image : ndarray, shape (H, W), float32
        Grey levels; the squares' outer corner is at pixel edge ``margin``.
    margin : float
        Margin width in metres.
    """
    width, height = spec.cols * pixels_per_square, spec.rows * pixels_per_square
    if spec.kind == "charuco":
        squares = spec.charuco_board.generateImage((width, height), marginSize=0)
    else:
        j, i = np.mgrid[0:height, 0:width] // pixels_per_square
        squares = np.where((i + j) % 2 == 0, 0, 255).astype(np.uint8)
    margin_px = pixels_per_square // 2
    face = cv2.copyMakeBorder(squares, margin_px, margin_px, margin_px, margin_px, cv2.BORDER_CONSTANT, value=255)
    grey = _DARK + (_LIGHT - _DARK) * face.astype(np.float32) / 255.0
    return grey, margin_px * spec.square_m / pixels_per_square


class BoardRenderer:
    """Renders one camera's view of a board; build once per camera, call :meth:`render` per frame."""

    def __init__(self, camera: Camera, spec: BoardSpec, pixels_per_square: int, rng: np.random.Generator) -> None:
        self.camera = camera
        self.texture, self.margin_m = board_image(spec, pixels_per_square)
        self.metres_per_pixel = spec.square_m / pixels_per_square
        self.extent_m = np.array([spec.cols, spec.rows]) * spec.square_m + 2 * self.margin_m
        v, u = np.mgrid[0:camera.height, 0:camera.width].astype(np.float64)
        pixels = np.stack([u.ravel(), v.ravel()], axis=1).reshape(-1, 1, 2)
        normalized = cv2.undistortPoints(pixels, camera.K, camera.dist,
                                         criteria=(cv2.TERM_CRITERIA_COUNT | cv2.TERM_CRITERIA_EPS, 40, 1e-10))
        rays = normalized.reshape(camera.height, camera.width, 2).astype(np.float32)
        self.ray_x, self.ray_y = rays[..., 0], rays[..., 1]
        coarse = rng.uniform(70, 190, size=(camera.height // 40 + 2, camera.width // 40 + 2)).astype(np.float32)
        self.background = cv2.resize(coarse, (camera.width, camera.height), interpolation=cv2.INTER_CUBIC)

    def render(self, pose: tuple[np.ndarray, np.ndarray] | None, rng: np.random.Generator,
               noise: float = 2.0, gain: float = 1.0) -> np.ndarray:
        """The camera's image, (H, W) uint8, of the board at ``pose`` (None: background only).

        ``pose`` is ``(R, t)`` board to world; ``gain`` scales the board's light; ``noise``
        is the sensor noise's standard deviation in grey levels.
        """
        image = self.background.copy()
        if pose is not None:
            image = self._draw_board(image, *pose, gain)
        image = cv2.GaussianBlur(image, (0, 0), 0.6)
        image += rng.normal(0.0, noise, size=image.shape).astype(np.float32)
        return np.clip(np.rint(image), 0, 255).astype(np.uint8)

    def _draw_board(self, image: np.ndarray, rotation: np.ndarray, translation: np.ndarray, gain: float) -> np.ndarray:
        camera = self.camera
        r_cb = (camera.R @ rotation).astype(np.float32)
        t_cb = (camera.R @ translation + camera.t).astype(np.float32)
        normal = r_cb[:, 2]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            depth = (normal @ t_cb) / (normal[0] * self.ray_x + normal[1] * self.ray_y + normal[2])
            hit = (depth * self.ray_x - t_cb[0], depth * self.ray_y - t_cb[1], depth - t_cb[2])
            margin = np.float32(self.margin_m)
            board_x, board_y = (sum(r_cb[k, axis] * hit[k] for k in range(3)) + margin for axis in (0, 1))
            inside = ((depth > 0) & (board_x >= 0) & (board_x <= self.extent_m[0])
                      & (board_y >= 0) & (board_y <= self.extent_m[1]))
        if normal @ t_cb <= 0:
            return np.where(inside, _BACK * gain, image).astype(np.float32)
        map_x, map_y = (board / np.float32(self.metres_per_pixel) - np.float32(0.5) for board in (board_x, board_y))
        face = cv2.remap(self.texture, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return np.where(inside, face * gain, image).astype(np.float32)


def ring_rig(azimuths_deg: list[float], radius: float, heights: list[float], target: np.ndarray,
             size: tuple[int, int], focal: float, rng: np.random.Generator) -> list[Camera]:
    """Cameras on a circle around ``target`` aiming at it, each with its own lens.

    Parameters
    ----------
    azimuths_deg : list of float
        Direction of each camera from the target, degrees counter-clockwise from +X.
    radius : float
        Horizontal distance to the target, metres.
    heights : list of float
        Camera heights, metres, one per camera.
    target : ndarray, shape (3,)
    size : (int, int)
        Image width and height.
    focal : float
        Nominal focal length in pixels; each camera differs from it by up to 8 %.
    rng : numpy Generator

    Returns
    -------
    list of Camera named ``cam1`` ... with distortion ``k1 k2 p1 p2 k3``.
    """
    width, height = size
    cameras = []
    for index, (azimuth, elevation) in enumerate(zip(np.deg2rad(azimuths_deg), heights, strict=True)):
        eye = np.array([target[0] + radius * np.cos(azimuth), target[1] + radius * np.sin(azimuth), elevation])
        rotation, translation = look_at(eye, target)
        f = focal * rng.uniform(0.92, 1.08)
        K = np.array([[f, 0.0, width / 2 + rng.uniform(-8, 8)], [0.0, f * rng.uniform(0.998, 1.002),
                      height / 2 + rng.uniform(-6, 6)], [0.0, 0.0, 1.0]])
        dist = np.array([rng.uniform(-0.22, -0.08), rng.uniform(0.02, 0.08), rng.uniform(-1e-3, 1e-3),
                         rng.uniform(-1e-3, 1e-3), 0.0])
        cameras.append(Camera(f"cam{index + 1}", K, dist, rotation, translation, width, height))
    return cameras


def board_pose(centre: np.ndarray, facing_deg: float, tilt_deg: float, spin_deg: float,
               spec: BoardSpec) -> tuple[np.ndarray, np.ndarray]:
    """Board-to-world ``(R, t)`` with the board's middle at ``centre``.

    The printed face looks toward azimuth ``facing_deg`` (degrees from +X),
    raised by ``tilt_deg``, and turned in its own plane by ``spin_deg``.
    """
    azimuth, tilt, spin = np.deg2rad([facing_deg, tilt_deg, spin_deg])
    face = np.array([np.cos(azimuth) * np.cos(tilt), np.sin(azimuth) * np.cos(tilt), np.sin(tilt)])
    z_axis = -face
    across = np.cross(z_axis, [0.0, 0.0, 1.0])
    across /= np.linalg.norm(across)
    down = np.cross(z_axis, across)
    x_axis = np.cos(spin) * across + np.sin(spin) * down
    y_axis = np.cross(z_axis, x_axis)
    rotation = np.stack([x_axis, y_axis, z_axis], axis=1)
    middle = np.array([spec.cols, spec.rows, 0.0]) * spec.square_m / 2
    return rotation, np.asarray(centre, dtype=np.float64) - rotation @ middle


def write_video(path: Path, frames: Iterable[np.ndarray], fps: int = 30) -> Path:
    """Write grey frames (H, W) uint8 as a high-quality H.264 MP4 (PyAV), one frame at a time."""
    with av.open(str(path), mode="w") as container:
        stream = None
        for gray in frames:
            if stream is None:
                stream = container.add_stream("libx264", rate=Fraction(fps))
                stream.height, stream.width = gray.shape
                stream.pix_fmt = "yuv420p"
                stream.options = {"crf": "12", "preset": "veryfast"}
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(gray), format="gray")
            container.mux(stream.encode(frame.reformat(format="yuv420p")))
        container.mux(stream.encode(None))
    return path


def write_images(folder: Path, frames: Iterable[np.ndarray]) -> Path:
    """Write grey frames as ``000000.png`` ... into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, gray in enumerate(frames):
        cv2.imwrite(str(folder / f"{index:06d}.png"), gray)
    return folder


def write_board_recording(folder: Path, cameras: list[Camera], spec: BoardSpec,
                          poses: list[tuple[np.ndarray, np.ndarray]], rng: np.random.Generator, as_video: bool,
                          seen: list[range] | None = None, pixels_per_square: int = 48) -> Path:
    """A board recording in ``folder``: each camera's views of the board at ``poses`` (one per frame) as
    ``<camera>.mp4`` (``as_video``) or a ``<camera>/`` image folder; camera k sees the board only in the
    frames ``seen[k]`` (default: all) and the background in the others. Returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for index, camera in enumerate(cameras):
        renderer = BoardRenderer(camera, spec, pixels_per_square, rng)
        shown = range(len(poses)) if seen is None else seen[index]
        frames = (renderer.render(pose if frame in shown else None, rng) for frame, pose in enumerate(poses))
        if as_video:
            write_video(folder / f"{camera.name}.mp4", frames)
        else:
            write_images(folder / camera.name, frames)
    return folder
