"""Reading and writing session files: round trips, laziness, frames, atomic writes."""

from __future__ import annotations

import h5py
import numpy as np
import pytest

from analysis.motion.skeleton import BODY25
from analysis.session.reader import Session
from analysis.session.writer import write_session
from tests.helpers import make_session_data


def test_round_trip_gives_identical_arrays_and_attributes(tmp_path):
    data = make_session_data(codec="png")
    path = write_session(tmp_path / "s.h5", data)
    with Session.open(path) as session:
        assert (session.event, session.level, session.athlete, session.fps) == ("MFE", 1, "A01", 30.0)
        assert session.title == "Test session" and session.created == "2026-11-26"
        assert session.skeleton.joint_names == data.skeleton.joint_names
        assert session.skeleton.edges == data.skeleton.edges
        assert session.take_ids == ("take1", "take2")
        for original, camera in zip(data.cameras, session.cameras):
            assert camera.name == original.name
            for name in ("K", "dist", "R", "t"):
                np.testing.assert_array_equal(getattr(camera, name), getattr(original, name))
            assert (camera.width, camera.height) == (original.width, original.height)
        for take in data.takes:
            info = session.take(take.take_id)
            assert (info.action, info.action_name, info.n_frames) == (take.action, take.action_name, take.n_frames)
            assert info.is_exemplar == take.is_exemplar and info.score == pytest.approx(take.score)
            np.testing.assert_array_equal(session.pose2d(take.take_id), take.pose2d)
            np.testing.assert_array_equal(session.pose3d(take.take_id), take.pose3d)
            np.testing.assert_array_equal(session.pose3d_reference(take.take_id), take.pose3d_reference)
            np.testing.assert_array_equal(session.judge_scores(take.take_id), take.judge_scores)
            penalties = session.penalties(take.take_id)
            assert penalties.codes == take.penalties.codes
            np.testing.assert_array_equal(penalties.values, take.penalties.values)
            np.testing.assert_array_equal(penalties.start, take.penalties.start)
            np.testing.assert_array_equal(penalties.end, take.penalties.end)


def test_frames_decode_to_the_stored_images(session_file):
    with Session.open(session_file) as session:
        frame = session.frame("take2", "cam3", 5)
        assert frame.shape == (90, 160, 3)
        assert np.all(frame == (40 + 5))  # the PNG written for take 2, frame 5
        frames = session.frames("take1", 0)
        assert len(frames) == 8 and all(f is not None for f in frames)
        with pytest.raises(IndexError, match="outside take"):
            session.frame("take1", "cam1", 12)


def test_views_without_video_return_none(tmp_path):
    path = write_session(tmp_path / "s.h5", make_session_data(video_views=3))
    with Session.open(path) as session:
        assert session.take("take1").video_views == ("cam1", "cam2", "cam3")
        assert session.frame("take1", "cam8", 0) is None


def test_opening_reads_no_pose_or_frame_data(session_file, monkeypatch):
    read = []
    original = h5py.Dataset.__getitem__

    def spy(self, key):
        read.append(self.name)
        return original(self, key)

    monkeypatch.setattr(h5py.Dataset, "__getitem__", spy)
    session = Session.open(session_file)
    bulky = [name for name in read if any(part in name for part in ("pose", "video", "judge"))]
    assert bulky == []
    session.pose2d("take1")
    assert "/takes/take1/pose2d" in read
    session.close()


def test_a_file_written_with_plain_h5py_opens(tmp_path):
    """Another tool's writer: byte strings, fixed-length string arrays, integer flags, no optional parts."""
    path = tmp_path / "foreign.h5"
    rng = np.random.default_rng(1)
    n_views, n_frames = 2, 5
    with h5py.File(path, "w") as f:
        f.attrs.update({"format": b"lucid-session", "format_version": np.int64(1), "event": "WBB",
                        "level": np.int32(2), "athlete": "Jane", "fps": 60})
        skeleton = f.create_group("skeleton")
        skeleton.create_dataset("joint_names", data=np.array(BODY25.joint_names, dtype="S"))
        skeleton.create_dataset("edges", data=np.array(BODY25.edges, dtype=np.int64))
        cameras = f.create_group("cameras")
        cameras.attrs["order"] = np.array([b"left", b"right"])
        for name in ("left", "right"):
            g = cameras.create_group(name)
            g["K"] = np.array([[800.0, 0, 320], [0, 800, 240], [0, 0, 1]])
            g["dist"] = np.zeros(0)
            g["R"] = np.eye(3)
            g["t"] = np.array([0.0, 0.0, 5.0])
            g.attrs["width"], g.attrs["height"] = 640, 480
        takes = f.create_group("takes")
        takes.attrs["order"] = np.array(["t0"], dtype=h5py.string_dtype())
        take = takes.create_group("t0")
        take.attrs.update({"action": "WBB-2-01", "action_name": "Walk", "n_frames": n_frames,
                           "score": np.nan, "is_exemplar": 0})
        take["pose2d"] = rng.uniform(0, 400, (n_views, n_frames, 25, 3))
    with Session.open(path) as session:
        assert session.skeleton.n_joints == 25 and session.skeleton.name == "custom"
        assert session.view_names == ("left", "right")
        assert np.isnan(session.take("t0").score) and not session.take("t0").is_exemplar
        assert session.pose2d("t0").shape == (2, 5, 25, 3)
        assert session.pose3d("t0") is None and len(session.penalties("t0")) == 0
        assert session.fps == 60.0


def test_interrupted_write_keeps_the_previous_file(tmp_path):
    path = write_session(tmp_path / "s.h5", make_session_data(seed=1))
    before = path.read_bytes()
    broken = make_session_data(seed=2)
    broken.takes[1].video["cam1"] = broken.takes[1].video["cam1"].__class__([b"x"])  # wrong frame count
    with pytest.raises(ValueError, match="1 encoded frames for a take of 12 frames"):
        write_session(path, broken)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.h5"]
