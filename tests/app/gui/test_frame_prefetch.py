"""Decode-ahead frame cache: the frames it returns, what it prefetches, and its memory bound."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import threading
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.session.contract import SessionFormatError
from analysis.session.data import VideoFile
from analysis.session.reader import Session
from analysis.session.video_source import decode_image
from analysis.session.writer import write_session
from analysis.motion.skeleton import bone_sides
from analysis.render.frame_fit import NOT_SHOWN
from analysis.render.grid_overlays import GridOverlays, PoseOverlayData
from app.gui.frame_prefetch import FrameCache, FramePrefetcher
from tests.helpers import make_session_data
from viewer.model.take_bundle import load_take_bundle

FRAME_BYTES = 8 * 160 * 90 * 4  # one frame of the 8 small test views, BGRX


def wait_until(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the prefetcher did not finish in time")
        time.sleep(0.01)


@pytest.fixture
def session(session_file: Path):
    with Session.open(session_file) as opened:
        yield opened


@pytest.fixture
def prefetcher(session: Session):
    frames = FramePrefetcher(session)
    yield frames
    frames.close()


def cached_frames(prefetcher: FramePrefetcher, take_id: str, n_frames: int) -> set[int]:
    return {i for i in range(n_frames) if prefetcher.frame_ready(take_id, i)}


def test_frames_match_the_session_and_mark_views_without_video(tmp_path: Path):
    path = write_session(tmp_path / "five_views.h5", make_session_data(video_views=5))
    with Session.open(path) as session:
        prefetcher = FramePrefetcher(session)
        images = prefetcher.frames("take1", 7)
        expected = session.frames("take1", 7)
        prefetcher.close()
    assert [image is None for image in images] == [False] * 5 + [True] * 3
    for image, reference in zip(images[:5], expected[:5]):
        np.testing.assert_array_equal(image[..., :3], reference)
        assert np.all(image[..., 3] == 255)  # BGRX: painted as Format_RGB32
    assert images[0][0, 0, 0] == 7  # the test video's grey level is the frame index



def test_frames_come_at_the_sizes_the_grid_asks_and_are_decoded_ahead_at_them(prefetcher: FramePrefetcher):
    sizes = ((80, 45), None, NOT_SHOWN) + ((40, 22),) * 5
    images = prefetcher.frames("take1", 2, sizes)
    assert [None if image is None else image.shape for image in images[:4]] == [
        (45, 80, 4), (90, 160, 4), None, (22, 40, 4)]
    assert images[0][0, 0, 0] == 2 and np.all(images[0][..., 3] == 255)  # the frame's grey level, BGRX
    prefetcher.decode_ahead("take1", [5])
    wait_until(lambda: prefetcher.frame_ready("take1", 5))
    assert prefetcher.frames("take1", 5, sizes) is prefetcher.cache.get(("take1", 5, sizes, None))
    assert prefetcher.frames("take1", 5)[0].shape == (90, 160, 4)  # full size when no sizes are given ...
    prefetcher.decode_ahead("take1", [6])
    wait_until(lambda: prefetcher.frame_ready("take1", 6))
    assert prefetcher.cache.get(("take1", 6, sizes, None)) is not None  # ... and decode-ahead keeps the grid's sizes

def test_frames_decoded_ahead_are_ready_and_served_from_the_cache(prefetcher: FramePrefetcher):
    assert not prefetcher.frame_ready("take1", 6)
    prefetcher.decode_ahead("take1", [3, 6, 9])
    wait_until(lambda: cached_frames(prefetcher, "take1", 12) == {3, 6, 9})
    assert prefetcher.frame_ready("take1", 6) and not prefetcher.frame_ready("take1", 4)
    cached = prefetcher.cache.get(("take1", 6, None, None))
    assert prefetcher.frames("take1", 6) is cached
    assert prefetcher.frames("take1", 6)[0][0, 0, 0] == 6


def test_decode_ahead_asks_no_more_than_a_share_of_the_cache_holds(session: Session):
    prefetcher = FramePrefetcher(session, max_bytes=4 * FRAME_BYTES + 100)
    try:
        prefetcher.frames("take1", 0)  # the size of one frame is known from here on
        prefetcher.decode_ahead("take1", range(1, 12))
        wait_until(lambda: prefetcher.frame_ready("take1", 3))
        time.sleep(0.1)
        assert cached_frames(prefetcher, "take1", 12) == {0, 1, 2, 3}  # 3 frames = 75 % of the bound
    finally:
        prefetcher.close()


def test_memory_stays_within_the_bound_during_looped_playback(session: Session):
    prefetcher = FramePrefetcher(session, max_bytes=3 * FRAME_BYTES + 100)
    try:
        for lap in range(3):
            for frame in range(12):
                images = prefetcher.frames("take1", frame)
                assert images[0][0, 0, 0] == frame
                prefetcher.decode_ahead("take1", [(frame + step) % 12 for step in range(1, 9)])
                assert prefetcher.cache.nbytes <= prefetcher.cache.max_bytes
        assert len(prefetcher.cache) <= 3
    finally:
        prefetcher.close()


@pytest.fixture
def held_decoder(monkeypatch):
    """Make every decode in this process wait until the returned event is set, so a test can act mid-decode."""
    from app.gui import decode_process

    release = threading.Event()

    def held_decode(encoded, at_least=None):
        release.wait(timeout=10)
        return decode_image(encoded, at_least)

    monkeypatch.setattr(decode_process, "decode_image", held_decode)
    return release


@pytest.fixture
def prefetcher_here(session: Session):
    """A prefetcher that decodes in this process only (where ``held_decoder`` holds it)."""
    frames = FramePrefetcher(session, decode_in_child=False)
    yield frames
    frames.close()


def test_prefetch_returns_while_decoding_is_held(prefetcher_here: FramePrefetcher, held_decoder):
    started = time.perf_counter()
    prefetcher_here.decode_ahead("take1", range(1, 6))
    assert time.perf_counter() - started < 1.0
    assert len(prefetcher_here.cache) == 0
    held_decoder.set()
    wait_until(lambda: cached_frames(prefetcher_here, "take1", 12) == {1, 2, 3, 4, 5})


def test_frames_of_a_take_left_behind_are_dropped(prefetcher_here: FramePrefetcher, held_decoder):
    held_decoder.set()
    prefetcher_here.frames("take1", 0)
    assert prefetcher_here.frame_ready("take1", 0)
    held_decoder.clear()
    prefetcher_here.decode_ahead("take1", range(1, 7))
    prefetcher_here.decode_ahead("take2", [1, 2, 3])  # take1's frame 1 is being decoded now
    held_decoder.set()
    wait_until(lambda: cached_frames(prefetcher_here, "take2", 12) == {1, 2, 3})
    time.sleep(0.05)
    assert cached_frames(prefetcher_here, "take1", 12) == set()
    assert prefetcher_here.frames("take2", 2)[0][0, 0, 0] == 40 + 2


def test_a_seek_replaces_the_work_still_wanted(prefetcher_here: FramePrefetcher, held_decoder):
    prefetcher_here.decode_ahead("take1", range(1, 12))
    prefetcher_here.decode_ahead("take1", [11])  # frame 1 is being decoded now; 2..10 are no longer wanted
    held_decoder.set()
    wait_until(lambda: prefetcher_here.frame_ready("take1", 11))
    time.sleep(0.05)
    assert cached_frames(prefetcher_here, "take1", 12) <= {1, 11}


def test_frames_of_a_video_file_beside_the_session(tmp_path: Path):
    data = make_session_data(video_views=2)
    writer = cv2.VideoWriter(str(tmp_path / "cam3.avi"), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 90))
    for level in range(20):
        writer.write(np.full((90, 160, 3), level * 10, np.uint8))
    writer.release()
    take = dataclasses.replace(data.takes[0], video={**data.takes[0].video, "cam3": VideoFile("cam3.avi", 5)})
    path = write_session(tmp_path / "with_file.h5", dataclasses.replace(data, takes=[take, *data.takes[1:]]))
    with Session.open(path) as session:
        prefetcher = FramePrefetcher(session)
        prefetcher.decode_ahead("take1", [1, 2, 3, 4])
        images = prefetcher.frames("take1", 3)
        prefetcher.close()
    assert images[2] is not None and abs(int(images[2][45, 80, 0]) - 80) <= 3  # file frame 5 + 3
    assert images[3] is None


def decode_children() -> list:
    return [child for child in multiprocessing.active_children() if child.name == "lucid-decode"]


def bones_of(session: Session, take_id: str) -> GridOverlays:
    """The take's bones and detections, to be drawn into the frames."""
    take = load_take_bundle(session, take_id)
    data = PoseOverlayData(take.pose2d, take.reprojected, take.errors, take.skeleton.edge_array,
                           bone_sides(take.skeleton), tuple(camera.width for camera in take.cameras))
    return GridOverlays(data, bones=True, detections=True, reprojection=False)


def test_overlays_are_drawn_into_the_frames_in_the_child_as_here_and_decoded_ahead_with_them(session: Session):
    sizes = ((120, 68), None) + ((80, 45),) * 6
    overlays = bones_of(session, "take1")
    here = FramePrefetcher(session, decode_in_child=False)
    plain, expected = here.frames("take1", 4, sizes), here.frames("take1", 4, sizes, overlays)
    expected_ahead = here.frames("take1", 5, sizes, overlays)
    here.close()
    prefetcher = FramePrefetcher(session)
    try:
        wait_until(lambda: prefetcher.decoding_in_child)
        drawn = prefetcher.frames("take1", 4, sizes, overlays)
        prefetcher.decode_ahead("take1", [5])
        wait_until(lambda: prefetcher.frame_ready("take1", 5))
        ahead = prefetcher.cache.get(("take1", 5, sizes, overlays))
    finally:
        prefetcher.close()
    for image, reference in zip(drawn, expected):
        np.testing.assert_array_equal(image, reference)
    assert np.any(drawn[0] != plain[0], axis=-1).sum() > 50         # the skeleton is in the picture
    np.testing.assert_array_equal(drawn[1], plain[1])               # a view asked at full size (zoomed) is not
    assert ahead is not None                                        # decode-ahead draws them too
    np.testing.assert_array_equal(ahead[0], expected_ahead[0])


def test_frames_decoded_in_the_child_process_are_the_frames_decoded_here(session: Session):
    sizes = ((80, 45), None, NOT_SHOWN) + ((40, 22),) * 5
    here = FramePrefetcher(session, decode_in_child=False)
    expected = here.frames("take1", 4, sizes)
    here.close()
    shared_before = set(os.listdir("/dev/shm"))
    prefetcher = FramePrefetcher(session)
    try:
        wait_until(lambda: prefetcher.decoding_in_child)
        images = prefetcher.frames("take1", 4, sizes)
        prefetcher.decode_ahead("take1", [5, 6])
        wait_until(lambda: prefetcher.frame_ready("take1", 6))
        later = prefetcher.frames("take1", 6, sizes)
    finally:
        prefetcher.close()
    assert [None if image is None else image.shape for image in images] == [
        None if image is None else image.shape for image in expected]
    for image, reference in zip(images, expected):
        if reference is not None:
            np.testing.assert_array_equal(image, reference)
    assert later[0][0, 0, 0] == 6
    wait_until(lambda: not decode_children())   # closing ended the child and freed the shared memory
    assert set(os.listdir("/dev/shm")) <= shared_before


def test_a_frame_that_kills_the_decode_process_is_refused_and_a_new_process_takes_over(session: Session):
    prefetcher = FramePrefetcher(session)
    try:
        wait_until(lambda: prefetcher.decoding_in_child)
        [child] = decode_children()
        os.kill(child.pid, signal.SIGKILL)   # as a frame that crashes the decoder would
        child.join(5)
        with pytest.raises(SessionFormatError, match=r"frame 3 could not be decoded: .*killed by signal 9"):
            prefetcher.frames("take1", 3)   # not decoded in the window's process: it might crash it too
        assert prefetcher.frames("take1", 4)[0][0, 0, 0] == 4   # the next frames come
        wait_until(lambda: prefetcher.decoding_in_child)
        [replacement] = decode_children()
        assert replacement.pid != child.pid
        prefetcher.decode_ahead("take1", [8])
        wait_until(lambda: prefetcher.frame_ready("take1", 8))
        assert prefetcher.frames("take1", 8)[0][0, 0, 0] == 8
    finally:
        prefetcher.close()


def test_a_frame_larger_than_the_shared_block_comes_through_the_pipe(session: Session):
    from app.gui.decode_process import DecodeProcess, decode_view

    child = DecodeProcess(session, block_bytes=16)   # smaller than any frame (camera sizes may understate them)
    try:
        wait_until(lambda: child.ready)
        images = child.decode("take1", 5, None)
    finally:
        child.close()
    expected = [decode_view(session, "take1", view, 5, None) for view in session.view_names]
    assert any(reference is not None for reference in expected)
    assert [image is None for image in images] == [image is None for image in expected]
    for image, reference in zip(images, expected):
        if reference is not None:
            np.testing.assert_array_equal(image, reference)


def test_a_child_that_cannot_open_the_session_leaves_decoding_here(tmp_path: Path):
    path = write_session(tmp_path / "moved.h5", make_session_data(video_views=2))
    with Session.open(path) as session:
        path.rename(tmp_path / "elsewhere.h5")   # the window's handle still reads it; the child finds no file
        prefetcher = FramePrefetcher(session)
        try:
            wait_until(lambda: not decode_children())
            assert prefetcher.frames("take1", 2)[0][0, 0, 0] == 2
            assert not prefetcher.decoding_in_child
        finally:
            prefetcher.close()


def test_cache_evicts_least_recently_used_first():
    image = np.zeros((10, 10, 3), np.uint8)
    cache = FrameCache(max_bytes=2 * image.nbytes)
    cache.put(("t", 0), [image])
    cache.put(("t", 1), [image])
    cache.get(("t", 0))
    cache.put(("t", 2), [image])
    assert ("t", 0) in cache and ("t", 2) in cache and ("t", 1) not in cache
    assert cache.nbytes == 2 * image.nbytes


def test_cache_refuses_a_frame_larger_than_its_bound():
    cache = FrameCache(max_bytes=100)
    cache.put(("t", 0), [np.zeros((10, 10, 3), np.uint8)])
    assert len(cache) == 0 and cache.nbytes == 0
    with pytest.raises(ValueError, match="positive size"):
        FrameCache(max_bytes=0)


def test_cache_holds_at_most_its_frames_however_small_they_are():
    image = np.zeros((10, 10, 4), np.uint8)
    cache = FrameCache(max_bytes=100 * image.nbytes, max_frames=3)
    for frame in range(5):
        cache.put(("t", frame), [image])
    assert len(cache) == 3 and ("t", 4) in cache and ("t", 1) not in cache
    assert cache.nbytes == 3 * image.nbytes
