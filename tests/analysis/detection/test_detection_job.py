"""The detection job end to end: rendered videos in, OpenPose folders out; cancel, resume, every N, bad videos."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.detection.estimators import load_estimator
from analysis.detection.job import DETECTING, run_detection
from analysis.detection.video_frames import find_view_videos
from analysis.geometry.keypoints_io import read_keypoint_folders
from tests.analysis.detection.scenes import (
    keypoints_in,
    render_frames,
    walking_boxes,
    write_video,
)
from tests.analysis.detection.tiny_models import CONFIDENCE

N_FRAMES = 10
SCENE = {  # view -> colour -> boxes; red walks right, green walks left
    "cam1": {0: walking_boxes(N_FRAMES, (20, 60), 6, (30, 90)), 1: walking_boxes(N_FRAMES, (250, 40), -5, (36, 110))},
    "cam2": {0: walking_boxes(N_FRAMES, (200, 30), -4, (40, 120)), 1: walking_boxes(N_FRAMES, (30, 80), 3, (24, 80))},
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    for view, boxes in SCENE.items():
        write_video(folder / f"{view}.mp4", render_frames((320, 240), boxes))
    return folder


@pytest.fixture(scope="module")
def estimator(tiny_models):
    return load_estimator(tiny_models["rtmpose"], "cpu", lambda: tiny_models["detector"])


def contents(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): p.read_text() for p in sorted(out.rglob("*")) if p.is_file()}


def test_every_view_gets_a_folder_that_import_reads_with_keypoints_on_the_people(videos, estimator, tmp_path):
    reported = []
    result = run_detection(find_view_videos(videos), tmp_path / "out", estimator,
                           progress=lambda stage, done, total: reported.append((stage, done, total)))
    assert not result.cancelled and reported[-1] == (DETECTING, 20, 20)
    assert {view: (r.detected, r.kept, r.tracks) for view, r in result.views.items()} == {
        "cam1": (10, 0, 2), "cam2": (10, 0, 2)}
    read = read_keypoint_folders(tmp_path / "out")
    assert read.view_names == ("cam1", "cam2") and read.n_frames == N_FRAMES and read.n_keypoints == 17
    for v, view in enumerate(read.view_names):
        for t in range(N_FRAMES):
            people = read.people[v][t]
            assert len(people) == 2
            for boxes in SCENE[view].values():
                expected = keypoints_in(boxes[t])
                person = people[np.argmin([np.abs(p[:, :2] - expected).max() for p in people])]
                np.testing.assert_allclose(person[:, :2], expected, atol=1.5)
                np.testing.assert_allclose(person[:, 2], CONFIDENCE, atol=0.02)
    red_ids = set()
    for t in range(N_FRAMES):
        document = json.loads((tmp_path / "out" / "cam1" / f"cam1_{t:012d}_keypoints.json").read_text())
        xs = [person["pose_keypoints_2d"][0] for person in document["people"]]
        red_ids.add(document["people"][int(np.argmin(np.abs(np.array(xs) - keypoints_in(SCENE["cam1"][0][t])[0, 0])))]
                    ["person_id"][0])
    assert len(red_ids) == 1                                           # one track id for the red person throughout


def test_a_cancelled_run_resumes_to_the_same_files_as_one_uninterrupted_run(videos, estimator, tmp_path):
    whole = tmp_path / "whole"
    run_detection(find_view_videos(videos), whole, estimator)
    asked = []

    def cancel_after_four() -> bool:
        asked.append(1)
        return len(asked) > 4

    first = run_detection(find_view_videos(videos), tmp_path / "resumed", estimator, cancelled=cancel_after_four)
    assert first.cancelled and first.views["cam1"].detected == 4 and first.views["cam2"].detected == 0
    assert len(list((tmp_path / "resumed").rglob("*"))) == 5            # the cam1 folder and 4 complete files
    second = run_detection(find_view_videos(videos), tmp_path / "resumed", estimator)
    assert not second.cancelled
    assert (second.views["cam1"].kept, second.views["cam1"].detected, second.views["cam2"].detected) == (4, 6, 10)
    assert contents(tmp_path / "resumed") == contents(whole)


def test_every_third_frame_keeps_the_video_frame_numbers(videos, estimator, tmp_path):
    run_detection(find_view_videos(videos), tmp_path / "out", estimator, every=3)
    assert sorted(p.name for p in (tmp_path / "out" / "cam2").iterdir()) == [
        f"cam2_{t:012d}_keypoints.json" for t in (0, 3, 6, 9)]


def test_frames_written_with_another_keypoint_set_are_refused_naming_the_file(videos, estimator, tmp_path):
    folder = tmp_path / "out" / "cam1"
    folder.mkdir(parents=True)
    stale = folder / "cam1_000000000002_keypoints.json"
    stale.write_text(json.dumps({"people": [{"person_id": [0], "pose_keypoints_2d": [1.0, 2.0, 0.5] * 26}]}))
    with pytest.raises(ValueError, match=r"cam1_000000000002_keypoints\.json: holds 26 keypoints per person but the "
                                         r"model gives 17; write to another --out folder"):
        run_detection(find_view_videos(videos), tmp_path / "out", estimator)


def test_unreadable_videos_are_named(videos, tmp_path):
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / "cam1.mp4").write_bytes((videos / "cam1.mp4").read_bytes()[:2000])    # cut short: no index
    with pytest.raises(ValueError, match=r"cam1\.mp4: cannot be read as a video \(.+\)$"):
        find_view_videos(folder)
    (folder / "cam1.mp4").write_bytes(b"\x00garbage" * 500)
    with pytest.raises(ValueError, match=r"cam1\.mp4: cannot be read as a video"):
        find_view_videos(folder)
    (folder / "cam1.mp4").unlink()
    with pytest.raises(ValueError, match="no video files"):
        find_view_videos(folder)
