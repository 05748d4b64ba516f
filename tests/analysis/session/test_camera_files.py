"""Camera files referenced in place: the exact frame in any order, offsets, ends, moves, mismatches."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from analysis.session.data import VideoFile
from analysis.session.reader import Session
from analysis.session.video_file import VideoFileFrames
from analysis.session.writer import write_session
from tests.analysis.session.camera_sessions import (
    session_with_files,
    shown_index,
    write_index_video,
)
from tests.helpers import make_session_data

#: name -> (file name, encoder, encoder options): B-frames and several keyframes, one long GOP, all-intra.
CAMERA_FILES = {
    "h264 mp4, keyframe every 12, B-frames": ("cam.mp4", "libx264", {"g": "12", "bf": "2"}),
    "h264 mp4, x264 defaults": ("cam.mp4", "libx264", {}),
    "h264 mkv, keyframe every 10": ("cam.mkv", "libx264", {"g": "10"}),
    "mjpeg avi": ("cam.avi", "mjpeg", {}),
    "raw h264 stream without timestamps": ("cam.h264", "libx264", {"g": "12"}),
}
OFFSET = 5


@pytest.fixture(params=sorted(CAMERA_FILES))
def one_view_session(request, tmp_path):
    name, codec, options = CAMERA_FILES[request.param]
    write_index_video(tmp_path / "videos" / name, codec=codec, **options)
    return session_with_files(tmp_path / "s.h5", {"cam1": VideoFile(f"videos/{name}", OFFSET)})


@pytest.fixture
def seeks(monkeypatch):
    """Counts the seeks made by camera-file decoders."""
    calls = []
    original = VideoFileFrames._seek

    def counted(self, key):
        calls.append(key)
        return original(self, key)

    monkeypatch.setattr(VideoFileFrames, "_seek", counted)
    return calls


def test_random_access_shows_the_exact_frame(one_view_session):
    order = np.random.default_rng(7).permutation(40)
    with Session.open(one_view_session) as session:
        assert session.take("take1").video_views == ("cam1",)
        shown = [shown_index(session.frame("take1", "cam1", int(i))) for i in order]
    assert shown == [int(i) + OFFSET for i in order]


def test_sequential_reads_show_every_frame_without_seeking(one_view_session, seeks):
    with Session.open(one_view_session) as session:
        shown = [shown_index(session.frames("take1", 0)[0])]
        seeks.clear()  # reaching the take's first frame may seek
        shown += [shown_index(session.frames("take1", i)[0]) for i in range(1, 40)]
        assert seeks == []
        assert shown_index(session.frame("take1", "cam1", 3)) == 3 + OFFSET  # going back works
    assert shown == list(range(OFFSET, OFFSET + 40))


def test_a_jump_back_seeks_and_playing_on_from_there_does_not(tmp_path, seeks):
    write_index_video(tmp_path / "cam.mp4", g="12", bf="2")
    path = session_with_files(tmp_path / "s.h5", {"cam1": VideoFile("cam.mp4")}, n_frames=48)
    with Session.open(path) as session:
        assert shown_index(session.frame("take1", "cam1", 40)) == 40
        seeks.clear()
        assert shown_index(session.frame("take1", "cam1", 26)) == 26
        assert len(seeks) == 1
        assert [shown_index(session.frame("take1", "cam1", i)) for i in range(27, 40)] == list(range(27, 40))
        assert len(seeks) == 1


def test_frames_past_the_end_of_the_file_are_none_and_reported(tmp_path):
    write_index_video(tmp_path / "cam.mp4", n_frames=48)
    path = session_with_files(tmp_path / "s.h5", {"cam1": VideoFile("cam.mp4", 10)}, n_frames=45)
    with Session.open(path) as session:
        assert shown_index(session.frame("take1", "cam1", 37)) == 47
        assert session.frame("take1", "cam1", 38) is None
        assert session.frame("take1", "cam1", 44) is None
        assert shown_index(session.frame("take1", "cam1", 0)) == 10
        (warning,) = session.warnings
    assert str(tmp_path / "cam.mp4") in warning and "/takes/take1/video/cam1" in warning
    assert "has 48 frames but the take needs 55" in warning and "the last 7 show poses only" in warning


def test_video_info_reports_rate_count_and_size(tmp_path):
    write_index_video(tmp_path / "cam.mkv", n_frames=30, fps=25.0)
    path = session_with_files(tmp_path / "s.h5", {"cam2": VideoFile("cam.mkv")}, n_frames=30, fps=25.0)
    with Session.open(path) as session:
        info = session.video_info("take1", "cam2")
        assert session.video_info("take1", "cam1") is None
        assert session.warnings == []
    assert (info.codec, info.width, info.height, info.frame_count) == ("h264", 160, 90, 30)
    assert info.frame_rate == pytest.approx(25.0)


def test_frame_rate_and_size_that_differ_from_the_session_are_warned_about(tmp_path):
    write_index_video(tmp_path / "same.mp4")
    write_index_video(tmp_path / "slow.mp4", fps=25.0)
    write_index_video(tmp_path / "large.mp4", size=(320, 180))
    path = session_with_files(tmp_path / "s.h5", {"cam1": VideoFile("same.mp4"), "cam2": VideoFile("slow.mp4"),
                                                  "cam3": VideoFile("large.mp4")})
    with Session.open(path) as session:
        warnings = session.warnings
        assert shown_index(session.frame("take1", "cam2", 20)) == 20  # still shown, paired by index
    assert len(warnings) == 2
    rate, size = sorted(warnings, key=lambda w: "cam3" in w)
    assert f"{path}: /takes/take1/video/cam2: {tmp_path / 'slow.mp4'} runs at 25 fps but the session at 30 fps" in rate
    assert f"{tmp_path / 'large.mp4'} is 320x180 pixels but camera 'cam3' is calibrated for 160x90" in size


def test_a_missing_file_leaves_the_session_open_and_is_named(tmp_path):
    write_index_video(tmp_path / "videos" / "cam1.mp4")
    path = session_with_files(tmp_path / "s.h5", {"cam1": VideoFile("videos/cam1.mp4"),
                                                  "cam2": VideoFile("videos/cam2.mp4")})
    with Session.open(path) as session:
        assert session.take("take1").video_views == ("cam1",)
        assert session.missing_videos() == {("take1", "cam2"): tmp_path / "videos" / "cam2.mp4"}
        assert session.frame("take1", "cam2", 0) is None
        assert shown_index(session.frame("take1", "cam1", 0)) == 0
        (warning,) = session.warnings
    assert warning == (f"{path}: /takes/take1/video/cam2: video file not found: {tmp_path / 'videos' / 'cam2.mp4'}; "
                       "showing poses only")


@pytest.mark.parametrize("layout", ["moved/videos/cam1.mp4", "moved/cam1.mp4"])
def test_videos_found_in_a_folder_the_user_chose(tmp_path, layout):
    write_index_video(tmp_path / layout)
    path = session_with_files(tmp_path / "session" / "s.h5", {"cam1": VideoFile("videos/cam1.mp4", OFFSET)})
    with Session.open(path) as session:
        assert session.missing_videos() == {("take1", "cam1"): tmp_path / "session" / "videos" / "cam1.mp4"}
    with Session.open(path, video_root=tmp_path / "moved") as session:
        assert session.missing_videos() == {} and session.warnings == []
        assert shown_index(session.frame("take1", "cam1", 9)) == 9 + OFFSET
    with Session.open(path, video_root=tmp_path / "elsewhere") as session:
        assert session.missing_videos() == {("take1", "cam1"): tmp_path / "elsewhere" / "videos" / "cam1.mp4"}


def test_takes_cut_from_one_recording_each_show_their_own_frames(tmp_path):
    write_index_video(tmp_path / "cam.mp4", n_frames=48, g="12")
    data = make_session_data(n_takes=2, n_frames=20, video_views=0)
    takes = [dataclasses.replace(take, video={"cam1": VideoFile("cam.mp4", offset)})
             for take, offset in zip(data.takes, (3, 25))]
    path = write_session(tmp_path / "s.h5", dataclasses.replace(data, takes=takes))
    with Session.open(path) as session:
        shown = [shown_index(session.frame(take, "cam1", i)) for take, i in
                 (("take1", 0), ("take2", 0), ("take1", 19), ("take2", 19), ("take1", 1))]
    assert shown == [3, 25, 22, 44, 4]


def test_a_damaged_file_gives_no_errors_only_missing_frames(tmp_path):
    video = write_index_video(tmp_path / "cam.mkv", g="12")
    data = bytearray(video.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 3000] = np.random.default_rng(0).integers(0, 256, 3000, np.uint8).tobytes()
    video.write_bytes(bytes(data))
    path = session_with_files(tmp_path / "s.h5", {"cam1": VideoFile("cam.mkv")}, n_frames=48)
    with Session.open(path) as session:
        images = [session.frame("take1", "cam1", int(i)) for i in [*range(48), *np.random.default_rng(1).permutation(48)]]
        assert any("has 14 frames but the take needs 48" in warning for warning in session.warnings)
    assert [shown_index(image) for image in images[:8]] == list(range(8))
    assert all(image is None or image.shape == (90, 160, 3) for image in images)
    assert images[20] is None
