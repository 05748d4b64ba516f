"""The one worker runner: results on the GUI thread, stale ones dropped, workers waited for."""

from __future__ import annotations

import threading

import pytest

from app.gui.workers import WorkerRunner

WAIT_MS = 10_000


def _gated(gate: threading.Event, value):
    """A job that returns ``value`` once ``gate`` is set."""
    if not gate.wait(WAIT_MS / 1000):
        raise TimeoutError("the gate was never opened")
    return value


def test_a_result_that_arrives_after_a_newer_request_is_dropped_and_released(qtbot):
    runner = WorkerRunner()
    shown, released, main_thread = [], [], threading.get_ident()
    old_gate, new_gate = threading.Event(), threading.Event()
    runner.start(_gated, old_gate, "old", returned=shown.append, dropped=released.append, errored=pytest.fail)
    runner.start(_gated, new_gate, "new", returned=lambda value: shown.append((value, threading.get_ident())),
                 errored=pytest.fail)
    old_gate.set()                                    # the superseded request finishes first ...
    qtbot.waitUntil(lambda: released == ["old"], timeout=WAIT_MS)
    assert shown == [] and runner.busy()              # ... and is dropped, not shown
    new_gate.set()
    qtbot.waitUntil(lambda: bool(shown), timeout=WAIT_MS)
    assert shown == [("new", main_thread)] and not runner.busy()   # applied on the GUI thread
    assert runner.close()


def test_channels_are_independent_and_cancel_drops_a_finished_result(qtbot):
    runner = WorkerRunner()
    shown, released = [], []
    gate = threading.Event()
    runner.start(_gated, gate, "library", channel="library", returned=shown.append, errored=pytest.fail)
    runner.start(_gated, gate, "take", channel="take", returned=shown.append, dropped=released.append,
                 errored=pytest.fail)
    runner.cancel("take")
    assert runner.busy("library") and not runner.busy("take")
    gate.set()
    qtbot.waitUntil(lambda: bool(shown and released), timeout=WAIT_MS)
    assert shown == ["library"] and released == ["take"]
    assert runner.close()


def test_a_cancelled_generator_stops_before_its_next_step(qtbot):
    runner = WorkerRunner()
    steps, progress, results = [], [], []
    first_step_done, go_on = threading.Event(), threading.Event()

    def job():
        for step in range(5):
            steps.append(step)
            if step == 0:
                first_step_done.set()
                go_on.wait(WAIT_MS / 1000)
            yield step
        return "done"

    runner.start(job, yielded=progress.append, returned=results.append, errored=pytest.fail)
    assert first_step_done.wait(WAIT_MS / 1000)
    runner.cancel()
    go_on.set()
    assert runner.close(WAIT_MS)
    qtbot.wait(50)
    assert steps == [0]                               # nothing ran after the cancel ...
    assert progress == [] and results == []           # ... and nothing of it was shown


def test_an_error_reaches_only_a_current_request(qtbot):
    runner = WorkerRunner()
    errors = []

    def failing(message: str):
        raise ValueError(message)

    runner.start(failing, "shown", errored=errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT_MS)
    gate = threading.Event()
    runner.start(lambda: (_gated(gate, None), failing("dropped")), errored=errors.append)
    runner.cancel()
    gate.set()
    assert runner.close(WAIT_MS)
    qtbot.wait(50)
    assert [str(error) for error in errors] == ["shown"]


def test_close_waits_for_a_running_worker(qtbot):
    runner = WorkerRunner()
    finished = threading.Event()
    gate = threading.Event()

    def slow():
        gate.wait(WAIT_MS / 1000)
        finished.set()

    runner.start(slow, errored=pytest.fail)
    threading.Timer(0.2, gate.set).start()
    assert runner.close()
    assert finished.is_set()
