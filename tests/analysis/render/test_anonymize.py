"""Face anonymization: face discs from the head keypoints, the blur, and anonymized exports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.motion.skeleton import COCO17
from analysis.render.anonymize import blur_faces, face_regions, face_tracks
from analysis.render.clip_export import OverlayOptions, export_clip, export_snapshot_png
from analysis.session.data import EmbeddedVideo
from analysis.session.writer import write_session
from app.cli.main import main
from tests.helpers import high_frequency_energy, make_session_data, read_video

#: A standing athlete facing the camera in a 160 x 90 view, pixels (COCO-17 order).
STANDING = np.array([
    (80, 20), (77, 18), (83, 18), (74, 20), (86, 20),          # nose, eyes, ears
    (70, 35), (90, 35), (66, 48), (94, 48), (64, 58), (96, 58),  # shoulders, elbows, wrists
    (73, 60), (87, 60), (73, 72), (87, 72), (73, 85), (87, 85),  # hips, knees, ankles
], dtype=np.float32)
FACE = (80.0, 19.2, 10.8)   # mean of the head keypoints; radius 0.9 x the ear-to-ear spread of 12 px
N_FRAMES = 6
OUTPUT_SCALE = 4            # a 160-pixel view is exported 640 pixels wide


def _noise_session(tmp_path: Path, missing_head_frame: int | None = None) -> Path:
    """Every view shows a sharp noise image and :data:`STANDING` (the head missing in one frame)."""
    data = make_session_data(n_takes=2, n_frames=N_FRAMES)
    rng = np.random.default_rng(5)
    pose2d = np.empty((8, N_FRAMES, 17, 3), np.float32)
    pose2d[..., :2] = STANDING
    pose2d[..., 2] = 0.9
    if missing_head_frame is not None:
        pose2d[:, missing_head_frame, :5, :2] = np.nan
    video = {camera.name: EmbeddedVideo([cv2.imencode(".png", rng.integers(0, 256, (90, 160, 3), np.uint8))[1]
                                         .tobytes() for _ in range(N_FRAMES)], codec="png")
             for camera in data.cameras}
    takes = [replace(take, pose2d=pose2d, video=video) for take in data.takes]
    return write_session(tmp_path / "noise.h5", replace(data, takes=takes))


def _inside_and_outside(image: np.ndarray, face=FACE, scale=OUTPUT_SCALE) -> tuple[float, float]:
    """High-frequency energy well inside the face disc, and of a patch of the same size away from it."""
    x, y, radius = (value * scale for value in face)
    half = int(radius * 0.6)
    inside = image[int(y) - half:int(y) + half, int(x) - half:int(x) + half]
    outside = image[int(y) + 2 * int(radius):int(y) + 2 * int(radius) + 2 * half, 20:20 + 2 * half]
    return high_frequency_energy(inside), high_frequency_energy(outside)


def test_the_face_disc_is_centred_on_the_head_keypoints_and_sized_by_their_spread():
    assert face_regions(STANDING, COCO17.joint_names) == pytest.approx(FACE)
    profile = STANDING.copy()
    profile[[1, 3], :] = np.nan          # seen from the side: one eye and one ear, 6 px apart
    centre_x, _, radius = face_regions(profile, COCO17.joint_names)
    assert centre_x == pytest.approx((80 + 83 + 86) / 3)
    assert radius == pytest.approx(0.32 * 20)   # the shoulder width (20 px) then sets the size
    headless = STANDING.copy()
    headless[:5] = np.nan
    assert np.isnan(face_regions(headless, COCO17.joint_names)).all()


def test_a_frame_without_head_keypoints_takes_the_face_of_its_neighbours():
    pose = np.repeat(STANDING[None, None], 5, axis=1)
    pose[0, 2, :5] = np.nan
    tracks = face_tracks(pose, COCO17.joint_names)
    assert tracks.shape == (1, 5, 3)
    assert tracks[0, 2] == pytest.approx(FACE)


def test_blurring_flattens_the_face_and_leaves_the_rest_alone():
    image = np.random.default_rng(0).integers(0, 256, (90, 160, 3), np.uint8)
    original = image.copy()
    blur_faces(image, np.array([FACE, (np.nan, np.nan, np.nan)]))
    inside, outside = _inside_and_outside(image, scale=1)
    assert inside < 0.05 * outside
    yy, xx = np.mgrid[:90, :160]
    far = (xx - FACE[0]) ** 2 + (yy - FACE[1]) ** 2 > (FACE[2] + 3) ** 2
    assert np.array_equal(image[far], original[far])


def test_an_anonymized_snapshot_blurs_the_face_in_every_view(tmp_path):
    session = _noise_session(tmp_path)
    options = OverlayOptions(skeleton="none", angle_joints=(), anonymize=True)
    plain = cv2.imread(str(export_snapshot_png(session, "take2", 2, tmp_path / "plain.png", "single", "cam1",
                                               overlays=replace(options, anonymize=False))))
    blurred = cv2.imread(str(export_snapshot_png(session, "take2", 2, tmp_path / "face.png", "single", "cam1",
                                                 overlays=options)))
    inside, outside = _inside_and_outside(blurred)
    plain_inside, plain_outside = _inside_and_outside(plain)
    assert inside < 0.1 * outside and plain_inside > 0.5 * plain_outside
    assert outside == pytest.approx(plain_outside)
    mosaic = cv2.imread(str(export_snapshot_png(session, "take2", 2, tmp_path / "mosaic.png", "mosaic",
                                                overlays=options)))
    for row in range(2):
        for column in range(4):
            tile = mosaic[row * 270:(row + 1) * 270, column * 480:(column + 1) * 480]
            inside, outside = _inside_and_outside(tile, scale=3)
            assert inside < 0.1 * outside


def test_an_anonymized_h264_clip_blurs_the_face_in_every_frame(tmp_path):
    session = _noise_session(tmp_path, missing_head_frame=3)
    out = tmp_path / "clip.mp4"
    export_clip(session, "take2", out, "compare", "cam2", overlays=OverlayOptions(skeleton="none", angle_joints=(),
                                                                                  anonymize=True),
                exemplar=(session, "take1"))
    codec, frames = read_video(out)
    assert codec == "h264" and len(frames) == N_FRAMES
    for frame in frames:
        for side in (frame[:, :640], frame[:, 640:1280]):      # trainee and exemplar alike
            inside, outside = _inside_and_outside(side)
            assert inside < 0.1 * outside


def test_the_cli_anonymizes_with_mp4v_on_request(tmp_path, capsys):
    session = _noise_session(tmp_path)
    out = tmp_path / "clip.mp4"
    assert main(["export", str(session), "--take", "take2", "--out", str(out), "--anonymize", "--codec", "mp4v",
                 "--skeleton", "none", "--angles"]) == 0
    assert f"wrote {out} (codec mp4v)" in capsys.readouterr().out
    codec, frames = read_video(out)
    assert codec == "mpeg4" and len(frames) == N_FRAMES
    inside, outside = _inside_and_outside(frames[1])
    assert inside < 0.2 * outside
