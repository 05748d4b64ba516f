"""Board specs, board detection in rendered views, and the calibration's progress and cancel hooks."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.geometry.board import BoardDetector, parse_board_spec
from analysis.geometry.board_calibration import calibrate_rig
from analysis.geometry.board_recording import (
    CalibrationCancelled,
    CameraSource,
    detect_boards,
    find_sources,
)
from tests.helpers_board import (
    BoardRenderer,
    board_pose,
    ring_rig,
    write_images,
    write_video,
)

TARGET = np.array([0.0, 0.0, 1.0])


def test_specs_of_both_kinds():
    charuco = parse_board_spec("charuco:10x7:0.10:0.075:DICT_4X4_100")
    assert (charuco.kind, charuco.cols, charuco.rows, charuco.square_m, charuco.marker_m, charuco.dictionary) == \
        ("charuco", 10, 7, 0.10, 0.075, "DICT_4X4_100")
    np.testing.assert_allclose(charuco.corners, charuco.charuco_board.getChessboardCorners())
    checkerboard = parse_board_spec("checkerboard:9x6:0.04")
    assert checkerboard.n_corners == 40
    np.testing.assert_allclose(checkerboard.corners[[0, 1, 8]], [[0.04, 0.04, 0], [0.08, 0.04, 0], [0.04, 0.08, 0]])


@pytest.mark.parametrize(("spec", "problem"), [
    ("charuco:10x7:0.10:0.075", "expected charuco:COLSxROWS"),
    ("aruco:10x7:0.1", "expected charuco:COLSxROWS"),
    ("checkerboard:9by6:0.04", "is not COLSxROWS"),
    ("checkerboard:9x6:-0.04", "not a positive length"),
    ("checkerboard:8x6:0.04", "looks the same turned by 180 degrees"),
    ("charuco:10x7:0.10:0.12:DICT_4X4_100", "must be smaller than the square"),
    ("charuco:10x7:0.10:0.075:DICT_9X9_100", "unknown ArUco dictionary"),
    ("charuco:12x12:0.10:0.075:DICT_4X4_50", "DICT_4X4_50 has 50 markers"),
])
def test_bad_specs_say_what_is_wrong(spec, problem):
    with pytest.raises(ValueError, match=problem) as error:
        parse_board_spec(spec)
    assert spec in str(error.value)


@pytest.fixture(scope="module")
def camera():
    return ring_rig([0.0], 1.6, [1.1], TARGET, (640, 480), 520.0, np.random.default_rng(4))[0]


@pytest.mark.parametrize("spec_text", ["charuco:7x5:0.10:0.075:DICT_4X4_50", "checkerboard:9x6:0.08"])
@pytest.mark.parametrize("spin", [0.0, 90.0, 180.0, 250.0])
def test_corners_are_found_where_the_lens_puts_them_and_numbered_on_the_board(camera, spec_text, spin):
    """However the board is turned, each id is the same physical corner (checkerboards too)."""
    spec = parse_board_spec(spec_text)
    rng = np.random.default_rng(7)
    pose = board_pose(TARGET + [0.0, 0.1, 0.05], facing_deg=10.0, tilt_deg=20.0, spin_deg=spin, spec=spec)
    image = BoardRenderer(camera, spec, 48, rng).render(pose, rng)
    view = BoardDetector(spec).detect(image)
    assert view is not None and view.ids.size == spec.n_corners
    expected = camera.project(spec.corners[view.ids] @ pose[0].T + pose[1])
    assert np.max(np.linalg.norm(view.pixels - expected, axis=1)) < 1.0


def test_no_board_no_view(camera):
    spec = parse_board_spec("charuco:7x5:0.10:0.075:DICT_4X4_50")
    rng = np.random.default_rng(1)
    assert BoardDetector(spec).detect(BoardRenderer(camera, spec, 48, rng).render(None, rng)) is None


@pytest.fixture(scope="module")
def small_recording(tmp_path_factory):
    """Two cameras, six frames of a ChArUco board both see, as image folders."""
    spec = parse_board_spec("charuco:7x5:0.10:0.075:DICT_4X4_50")
    rng = np.random.default_rng(2)
    cameras = ring_rig([-30.0, 30.0], 1.8, [1.2, 1.5], TARGET, (640, 480), 520.0, rng)
    poses = [board_pose(TARGET + rng.uniform(-0.3, 0.3, 3), rng.uniform(-20, 20), rng.uniform(-30, 30),
                        rng.uniform(-30, 30), spec) for _ in range(6)]
    folder = tmp_path_factory.mktemp("small_recording")
    for camera in cameras:
        renderer = BoardRenderer(camera, spec, 48, rng)
        write_images(folder / camera.name, (renderer.render(pose, rng) for pose in poses))
    return folder, spec


def test_progress_reports_every_frame_and_cancel_stops(small_recording):
    folder, spec = small_recording
    sources = find_sources(folder, videos=False)
    calls = []
    recording = detect_boards(sources, spec, every=2, progress=lambda *args: calls.append(args))
    assert calls[-1] == ("detecting", 6, 6) and len(calls) == 6
    assert [camera.n_examined for camera in recording] == [3, 3]
    with pytest.raises(CalibrationCancelled):
        detect_boards(sources, spec, cancel=lambda: True)
    full = detect_boards(sources, spec)
    checks = iter([False, True])
    with pytest.raises(CalibrationCancelled):
        calibrate_rig(full, spec, cancel=lambda: next(checks))     # before the second camera's lens
    stages = []
    checks = iter([False] * 3 + [True])                              # in the bundle adjustment's 1st iteration
    with pytest.raises(CalibrationCancelled):
        calibrate_rig(full, spec, progress=lambda *args: stages.append(args), cancel=lambda: next(checks))
    assert stages == [("intrinsics", 1, 2), ("intrinsics", 2, 2), ("bundle adjustment", 0, 0)]


def test_a_frame_is_read_again_by_its_index_from_images_and_from_a_video(small_recording, tmp_path):
    folder, _ = small_recording
    images = find_sources(folder, videos=False)[1]
    read = dict(images.frames(1))
    np.testing.assert_array_equal(images.frame(4), read[4])
    frames = [read[index] for index in sorted(read)]
    video = CameraSource("cam2", write_video(tmp_path / "cam2.mp4", frames), len(frames))
    decoded = dict(video.frames(1))
    np.testing.assert_array_equal(video.frame(3), decoded[3])
    assert np.abs(decoded[3].astype(int) - read[3]).mean() < 2.0
    with pytest.raises(ValueError, match="has no frame 6"):
        images.frame(6)
    with pytest.raises(ValueError, match="cam2.mp4: has no frame 9"):
        video.frame(9)
