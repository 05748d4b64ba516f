"""The Qt-free viewer state: clamped seeks, no echo on equal values, loop and speed rules."""

from __future__ import annotations

import pytest

from viewer.model.playback_clock import PlaybackClock
from viewer.model.state import SPEEDS
from viewer.model.take_bundle import load_take_bundle


def test_seek_clamps_and_equal_values_emit_nothing(state):
    frames = []
    state.frame_changed.connect(frames.append)
    state.seek(5)
    state.seek(5)
    state.seek(99)
    state.seek(-3)
    assert frames == [5, 11, 0]
    assert state.time_s == 0.0


def test_step_pauses_playback(state):
    state.set_playing(True)
    state.step(3)
    assert not state.playing and state.frame == 3


def test_speed_moves_along_the_ladder_and_stops_at_the_ends(state):
    state.change_speed(1)
    assert state.speed == SPEEDS[SPEEDS.index(1.0) + 1]
    for _ in range(20):
        state.change_speed(-1)
    assert state.speed == SPEEDS[0]
    with pytest.raises(ValueError, match="must be positive"):
        state.set_speed(0)


def test_loop_range_is_ordered_and_clamped(state):
    events = []
    state.loop_changed.connect(lambda *args: events.append(args))
    state.set_loop(True, 9, 2)
    assert state.loop_range == (2, 9) and state.loop_enabled
    state.set_loop(True, -5, 50)
    assert state.loop_range == (0, 11)
    state.seek(6)
    state.seek_end()
    assert state.frame == 11
    assert events == [(True, 2, 9), (True, 0, 11)]


def test_new_take_resets_frame_and_loop(state):
    state.seek(7)
    state.set_loop(True, 3, 5)
    state.set_take(load_take_bundle(state.session, "take1"))
    assert state.frame == 0 and state.loop_range == (0, 11)


def test_selection_is_checked_against_the_session(state):
    seen = []
    state.view_selected.connect(seen.append)
    state.select_view("cam4")
    state.select_view("cam4")
    assert seen == ["cam4"]
    with pytest.raises(KeyError, match="no view 'cam42'"):
        state.select_view("cam42")
    with pytest.raises(IndexError):
        state.select_joint(17)


def test_clock_skips_frames_instead_of_drifting():
    clock = PlaybackClock(fps=30)
    clock.start(frame=10, now=100.0, speed=1.0)
    assert clock.frame_at(100.0, 0, 99, loop=False) == (10, False)
    assert clock.frame_at(100.5, 0, 99, loop=False) == (25, False)   # a late tick jumps ahead
    assert clock.frame_at(110.0, 0, 99, loop=False) == (99, True)
    assert clock.frame_at(103.0, 5, 94, loop=True) == (5 + (100 - 5) % 90, False)
    clock.start(frame=0, now=0.0, speed=2.0)
    assert clock.frame_at(1.0, 0, 99, loop=False) == (60, False)
