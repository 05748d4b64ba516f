"""Playback: which frames it shows and has decoded, when decoding and painting cannot keep up."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest

from analysis.session.reader import Session
from app.gui.playback import MAX_WAIT_S, PlaybackDriver, frames_ahead
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle


class FakeDecoder:
    """Decodes nothing by itself: a test says which frames are decoded; it records what playback asks for."""

    def __init__(self, decoded=(), decode_on_request: bool = False) -> None:
        self.decoded = set(decoded)
        self.decode_on_request = decode_on_request
        self.requests: list[list[int]] = []

    def frame_ready(self, take_id: str, frame: int) -> bool:
        return frame in self.decoded

    def decode_ahead(self, take_id: str, frames) -> None:
        self.requests.append(list(frames))
        if self.decode_on_request:
            self.decoded.update(frames)


@pytest.fixture
def state(session_file: Path):
    with Session.open(session_file) as session:
        viewer = ViewerState()
        viewer.set_session(session)
        viewer.set_take(load_take_bundle(session, "take1"))
        yield viewer


def play(qtbot, state: ViewerState, seconds: float, speed: float = 1.0) -> list[int]:
    """Play (looping the whole take) for ``seconds``; the frames shown, in order."""
    shown: list[int] = []
    state.frame_changed.connect(shown.append)
    state.set_speed(speed)
    state.set_loop(True, 0, state.n_frames - 1)
    state.set_playing(True)
    qtbot.wait(int(seconds * 1000))
    state.set_playing(False)
    state.frame_changed.disconnect(shown.append)
    return shown


def test_frames_ahead_wrap_inside_a_loop_and_stop_at_the_end_without_one():
    assert frames_ahead(4, 3, 0, 20, False, 10) == [6, 9, 12, 15, 18, 20]
    assert frames_ahead(17, 3, 0, 20, True, 4) == [18, 0, 3, 6]
    assert frames_ahead(9, 1, 8, 10, True, 5) == [10, 8, 9]
    assert frames_ahead(20, 2, 0, 20, False, 5) == []


def test_a_fractional_step_asks_for_frames_one_or_two_apart_and_the_same_ones_each_time():
    ahead = frames_ahead(0, 1.5, 0, 30, False, 6)
    assert ahead == [2, 3, 5, 6, 8, 9]  # 1.5 frames apart on average: 2 shown for every 3 that pass
    assert frames_ahead(3, 1.5, 0, 30, False, 4) == ahead[2:]  # after showing frame 3, the rest of the same frames
    assert frames_ahead(9, 1.5, 0, 10, True, 4) == [0, 2, 3, 5]  # a loop of 0-10 starts over at 0


def test_playback_shows_only_decoded_frames(qtbot, state: ViewerState):
    decoder = FakeDecoder(decoded={0, 3, 6, 9})
    driver = PlaybackDriver(state, decoder=decoder)
    shown = play(qtbot, state, 0.5, speed=2.0)  # a decoded frame falls due every 50 ms, within MAX_WAIT_S
    assert set(shown) <= {0, 3, 6, 9} and len(set(shown)) >= 3
    assert decoder.requests and decoder.requests[0][0] == 1  # decoding starts right after the frame shown
    del driver


def test_playback_shows_the_due_frame_when_decoding_falls_behind(qtbot, state: ViewerState):
    driver = PlaybackDriver(state, decoder=FakeDecoder())  # never decodes anything
    started = time.monotonic()
    shown = play(qtbot, state, 4 * MAX_WAIT_S, speed=0.5)
    due = (time.monotonic() - started) * state.fps * 0.5
    assert shown, "playback stalled waiting for frames that never came"
    assert abs(shown[-1] - due) <= MAX_WAIT_S * state.fps * 0.5 + 2
    del driver


def test_a_slow_window_raises_the_step_and_frames_are_not_decoded_for_nothing(qtbot, state: ViewerState):
    decoder = FakeDecoder(decode_on_request=True)
    driver = PlaybackDriver(state, decoder=decoder)
    state.frame_changed.connect(lambda _frame: time.sleep(0.05))  # showing a frame takes 50 ms
    shown = play(qtbot, state, 1.0, speed=2.0)  # 60 frames/s asked: 3 pass while one is shown
    assert driver.step >= 2
    steps = {b - a for a, b in zip(decoder.requests[-1], decoder.requests[-1][1:]) if b > a}
    assert steps <= {math.floor(driver.step), math.ceil(driver.step)}
    assert max(b - a for a, b in zip(shown, shown[1:]) if b > a) >= 2  # frames were skipped, not slowed down


def test_playback_keeps_to_real_time_when_every_frame_is_decoded(qtbot, state: ViewerState):
    driver = PlaybackDriver(state, decoder=FakeDecoder(decode_on_request=True))
    state.seek(0)
    started = time.monotonic()
    shown = play(qtbot, state, 0.3, speed=0.5)
    due = (time.monotonic() - started) * state.fps * 0.5
    assert shown == sorted(shown) and abs(shown[-1] - due) <= 2
    del driver
