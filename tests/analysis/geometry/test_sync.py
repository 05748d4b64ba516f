"""Synchronizing views from their keypoint motion, on recordings with known clock offsets."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest

from analysis.geometry.calibration_toml import write_toml_calibration
from analysis.geometry.sync import synchronize
from analysis.geometry.sync_result import SyncCancelled, apply_offsets, read_sync_file
from analysis.motion.skeleton import COCO17
from analysis.session.reader import Session
from app.cli.main import main
from tests.helpers_recording import offset_recording, write_openpose_folders

FOUR_VIEWS = [0, 2, 4, 6]
FLIP = COCO17.flip_permutation()


def errors(found: dict[str, int], truth: dict[str, int]) -> list[int]:
    return [found[view] - truth[view] for view in truth]


@pytest.mark.parametrize("seed, offsets", [(1, [0, -7, 12, 5]), (2, [0, 9, -4, 11])])
def test_correlation_alone_finds_the_offsets_within_a_frame(seed, offsets):
    recording = offset_recording(seed, offsets, n_actions=2, views=FOUR_VIEWS)
    result = synchronize(recording.keypoints, flip=FLIP)
    assert result.reference == "cam1" and not result.refined
    assert max(map(abs, errors(result.offsets, recording.offsets))) <= 1
    assert all(0.3 < sync.correlation <= 1 for view, sync in result.views.items() if view != "cam1")


@pytest.mark.parametrize("seed", [0, 3])
def test_the_calibration_finds_the_offsets_with_a_second_person_walking_around(seed):
    recording = offset_recording(seed, [0, -7, 12, 5], n_actions=1, bystander=True, views=FOUR_VIEWS)
    assert max(len(people) for people in recording.people[0]) == 2
    result = synchronize(recording.keypoints, recording.cameras, flip=FLIP)
    assert result.refined
    assert max(map(abs, errors(result.offsets, recording.offsets))) <= 1
    assert all(sync.reprojection_px < 10 for sync in result.views.values())


def test_two_views_are_synchronized_with_their_calibration():
    recording = offset_recording(4, [0, 8], n_actions=2, views=[0, 3])
    result = synchronize(recording.keypoints, recording.cameras, flip=FLIP)
    assert max(map(abs, errors(result.offsets, recording.offsets))) <= 1


def test_offsets_put_every_view_on_one_clock():
    recording = offset_recording(5, [0, -3, 6, 2], n_actions=1, views=FOUR_VIEWS)
    aligned = apply_offsets(recording.keypoints, recording.offsets)
    assert aligned.n_frames == len(recording.athlete) - 9 and aligned.first_frame == 3
    assert [aligned.file_frame(view) for view in aligned.view_names] == [3, 0, 9, 5]
    truth = recording.athlete[3:3 + aligned.n_frames]
    for v, camera in enumerate(recording.cameras):
        moved = [np.nanmedian(np.linalg.norm(frame[0, :, :2] - camera.project(truth[i])[:, :2], axis=1))
                 for i, frame in enumerate(aligned.people[v]) if len(frame)]
        assert np.median(moved) < 5          # the detections of frame i show the athlete at instant i


def test_a_view_without_motion_in_common_is_named():
    recording = offset_recording(6, [0, 2, 4, 0], n_actions=1, views=FOUR_VIEWS)
    still = [frames[:1] * len(frames) for frames in recording.people]   # every view frozen on its first frame
    keypoints = recording.keypoints
    with pytest.raises(ValueError, match="cam1, cam3, cam5, cam7: no motion in common"):
        synchronize(type(keypoints)(keypoints.view_names, still, keypoints.n_keypoints, 0))


def test_a_cancelled_synchronization_stops():
    recording = offset_recording(7, [0, 1, 2, 3], n_actions=1, views=FOUR_VIEWS)
    with pytest.raises(SyncCancelled):
        synchronize(recording.keypoints, recording.cameras, cancelled=lambda: True)


def test_sync_command_writes_offsets_and_import_applies_them(tmp_path, capsys):
    recording = offset_recording(8, [0, -7, 12, 5], n_actions=1, bystander=True, views=FOUR_VIEWS)
    write_openpose_folders(tmp_path / "keypoints", recording)
    calibration = write_toml_calibration(tmp_path / "calibration.toml", recording.cameras)
    offsets_file = tmp_path / "sync.json"
    assert main(["sync", "--keypoints", str(tmp_path / "keypoints"), "--calibration", str(calibration),
                 "--json", str(offsets_file)]) == 0
    saved = json.loads(offsets_file.read_text())
    assert saved["reference"] == "cam1" and saved["refined_with_calibration"] is True
    assert max(map(abs, errors(saved["offsets"], recording.offsets))) <= 1
    assert set(saved["views"]["cam3"]) == {"offset", "correlation", "peak_quality", "reprojection_px"}
    assert "offsets against cam1" in capsys.readouterr().out

    out = tmp_path / "session.h5"
    assert main(["import", "--calibration", str(calibration), "--keypoints", str(tmp_path / "keypoints"),
                 "--sync", str(offsets_file), "--fps", "30", "--out", str(out)]) == 0
    with Session.open(out) as session:
        take = session.take_ids[0]
        pose3d = session.pose3d(take)
        start = session.takes[take].start_frame
    truth = recording.athlete[start:start + len(pose3d)]
    assert len(pose3d) == len(recording.athlete) - 19
    assert np.nanmedian(np.linalg.norm(pose3d - truth, axis=-1)) < 0.06    # frame i of every view: instant i


def test_import_sync_auto_sets_each_views_frame_offset(tmp_path, capsys):
    recording = offset_recording(9, [0, -7, 12, 5], n_actions=1, views=FOUR_VIEWS)
    write_openpose_folders(tmp_path / "pose", recording, folder_suffix="_json")   # Pose2Sim's folder names
    calibration = write_toml_calibration(tmp_path / "calibration.toml", recording.cameras)
    videos = tmp_path / "videos"
    videos.mkdir()
    from tests.analysis.session.camera_sessions import write_index_video

    n_frames = len(recording.athlete)
    for camera in recording.cameras:
        write_index_video(videos / f"{camera.name}.mp4", n_frames=n_frames, fps=30.0)
    out = tmp_path / "session.h5"
    assert main(["import", "--calibration", str(calibration), "--keypoints", str(tmp_path / "pose"),
                 "--videos", str(videos), "--sync", "auto", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "cam1_json -> cam1 (by name), video cam1.mp4" in printed and "offsets against cam1_json" in printed
    with h5py.File(out, "r") as handle:
        take = handle["takes"][handle["takes"].attrs["order"][0]]
        frame_offsets = {view: int(take["video"][view].attrs["frame_offset"]) for view in take["video"]}
        assert take.attrs["n_frames"] == n_frames - 19
    assert frame_offsets == {"cam1": 7, "cam3": 0, "cam5": 19, "cam7": 12}


def test_a_broken_sync_file_is_named(tmp_path):
    broken = tmp_path / "sync.json"
    broken.write_text('{"offsets": {"cam1": 0, "cam2": 1.5}}')
    with pytest.raises(ValueError, match="sync.json: not a synchronization file"):
        read_sync_file(broken)
    with pytest.raises(FileNotFoundError, match="synchronization file not found"):
        read_sync_file(tmp_path / "missing.json")
