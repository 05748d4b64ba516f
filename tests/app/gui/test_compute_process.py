"""The compute process: jobs run in a child, their progress, results and errors come back, a job given
up stops at its next step, and a child that dies fails its job in one message and is replaced."""

from __future__ import annotations

import numpy as np
import pytest

from app.gui.compute_process import ComputeProcess, ComputeProcessDied
from tests.app.gui import compute_jobs


@pytest.fixture
def compute():
    process = ComputeProcess(preload=())
    yield process
    process.close()


def test_a_job_runs_in_another_process_and_returns_its_result(compute):
    import os

    assert compute.run(compute_jobs.own_pid) != os.getpid()
    array = np.arange(12.0).reshape(4, 3)
    np.testing.assert_array_equal(compute.run(compute_jobs.column_sums, array), [18.0, 22.0, 26.0])


def test_a_generator_job_reports_each_step_then_its_result(compute):
    steps = compute.steps(compute_jobs.count_to, 4)
    seen = []
    with pytest.raises(StopIteration) as done:
        while True:
            seen.append(next(steps))
    assert seen == [0, 1, 2, 3] and done.value.value == "counted to 4"


def test_errors_come_back_with_their_type_and_message(compute):
    with pytest.raises(ValueError, match="x.h5: not a session file"):
        compute.run(compute_jobs.refuse, "x.h5")
    with pytest.raises(RuntimeError, match="_Unpicklable: odd failure"):   # one that cannot cross: its words do
        compute.run(compute_jobs.refuse_oddly)
    assert compute.run(compute_jobs.column_sums, np.ones((2, 2))).tolist() == [2.0, 2.0]   # and it goes on


def test_a_job_given_up_stops_at_its_next_step_and_the_next_job_runs(compute):
    steps = compute.steps(compute_jobs.count_to, 1000, 0.01)
    assert next(steps) == 0
    steps.close()                                  # e.g. another take was opened while scoring
    assert compute.run(compute_jobs.column_sums, np.ones((3, 1))).tolist() == [3.0]


def test_a_child_that_dies_fails_its_job_and_the_next_job_starts_a_new_one(compute):
    first = compute.run(compute_jobs.own_pid)
    with pytest.raises(ComputeProcessDied, match="killed by signal 9"):
        compute.run(compute_jobs.die)
    assert compute.run(compute_jobs.own_pid) not in (first, None)
