"""Test data builders shared by the test modules: small sessions, file digests, the tiny model's settings."""

from __future__ import annotations

import hashlib
import inspect
from dataclasses import replace
from pathlib import Path

import av
import cv2
import numpy as np

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import project_all
from analysis.motion.skeleton import COCO17
from analysis.session.data import EmbeddedVideo, Penalties, SessionData, TakeData
from analysis.synthetic.rig import make_rig
from models.config import preset

#: Settings of the tiny model the tests share (``tiny_model`` in tests/conftest.py): a few seconds to train.
TINY_TRAINING = preset("tiny", epochs=2)
#: The ``small_session`` fixture of the viewer tests has video in its first 5 views only.
SMALL_VIDEO_VIEWS = 5


def random_walk_pose(rng: np.random.Generator, n_frames: int) -> np.ndarray:
    """A ``(T, 17, 3)`` body-sized point cloud drifting around the floor centre, metres."""
    base = rng.uniform([-0.3, -0.2, 0.1], [0.3, 0.2, 1.7], size=(1, 17, 3))
    drift = np.cumsum(rng.normal(0, 0.01, size=(n_frames, 1, 3)), axis=0)
    return base + drift


def make_session_data(seed: int = 0, n_takes: int = 2, n_frames: int = 12, video_views: int = 8,
                      event: str = "MFE", codec: str = "png") -> SessionData:
    """A small but complete session: 8 cameras, poses, judges, penalties and video."""
    rng = np.random.default_rng(seed)
    cameras = make_rig(apparatus_for(event), rng, size=(160, 90))
    takes = []
    for k in range(n_takes):
        truth = random_walk_pose(rng, n_frames)
        pixels = project_all(cameras, truth)
        confidence = rng.uniform(0.5, 1.0, size=pixels.shape[:-1])
        pose2d = np.concatenate([pixels, confidence[..., None]], axis=-1).astype(np.float32)
        video = {}
        for camera in cameras[:video_views]:
            frames = []
            for i in range(n_frames):
                image = np.full((camera.height, camera.width, 3), (k * 40 + i) % 255, np.uint8)
                frames.append(cv2.imencode(f".{codec}", image)[1].tobytes())
            video[camera.name] = EmbeddedVideo(frames, codec=codec)
        is_exemplar = k == 0
        penalties = Penalties() if is_exemplar else Penalties(
            ("BENT_KNEES", "LEGS_APART"), np.array([0.3, 0.1], np.float32),
            np.array([2, 5], np.int32), np.array([6, 9], np.int32))
        takes.append(TakeData(
            take_id=f"take{k + 1}", action=f"{event}-1-01", action_name="Straight jump",
            pose2d=pose2d, score=10.0 - penalties.total, is_exemplar=is_exemplar,
            pose3d=truth.astype(np.float32), pose3d_reference=truth.astype(np.float32),
            judge_scores=np.full(5, 10.0 - penalties.total, np.float32), penalties=penalties, video=video,
        ))
    return SessionData(event=event, level=1, athlete="A01", fps=30.0, skeleton=COCO17, cameras=cameras,
                       takes=takes, title="Test session", created="2026-11-26")


def exemplar_session_data(seed: int, athlete: str, score: float = 10.0, video_grey: int | None = None,
                          n_frames: int = 12) -> SessionData:
    """A one-take session: take1, a penalty-free exemplar of :func:`make_session_data`'s action (MFE),
    scored ``score``, with video whose every frame is a flat grey ``video_grey`` (None: no video)."""
    data = make_session_data(seed=seed, n_takes=1, n_frames=n_frames, video_views=0 if video_grey is None else 8)
    take = data.takes[0]
    frame = cv2.imencode(".png", np.full((90, 160, 3), video_grey or 0, np.uint8))[1].tobytes()
    video = {name: EmbeddedVideo([frame] * n_frames, codec="png") for name in take.video}
    take = replace(take, score=score, judge_scores=np.full(5, score, np.float32), video=video)
    return replace(data, athlete=athlete, takes=[take])


def widget_pixels(widget) -> np.ndarray:
    """What ``widget`` shows now, ``(H, W, 3)`` RGB uint8 (rendered at 24 bits, whatever the screen's depth)."""
    from PySide6.QtGui import QImage

    image = QImage(widget.size(), QImage.Format.Format_RGB888)
    widget.render(image)
    array = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return array[:, : image.width() * 3].reshape(image.height(), image.width(), 3).copy()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_video(path: Path) -> tuple[str, list[np.ndarray]]:
    """The codec of an MP4's video stream (``"h264"``) and every frame, decoded by PyAV as BGR ``(H, W, 3)``."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.name, [frame.to_ndarray(format="bgr24") for frame in container.decode(stream)]


def video_codec_name(path: Path) -> str:
    """The codec of an MP4's video stream, as FFmpeg names it (``"h264"``, ``"mpeg4"``)."""
    with av.open(str(path)) as container:
        return container.streams.video[0].codec_context.name


def high_frequency_energy(image: np.ndarray) -> float:
    """Mean squared Laplacian of an image's grey levels: large for sharp detail, near 0 once blurred."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)
    return float(np.mean(cv2.Laplacian(grey, cv2.CV_64F) ** 2))


class InThisProcess:
    """Runs what the window sends to its compute process in the calling thread instead (the same
    ``steps`` interface as :class:`app.gui.compute_process.ComputeProcess`), where a test can patch or hold it."""

    def steps(self, function, *args):
        result = function(*args)
        return (yield from result) if inspect.isgenerator(result) else result
