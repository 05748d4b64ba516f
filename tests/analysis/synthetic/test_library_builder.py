"""The demo-library generator: a complete, valid, reproducible LucidAction-style library."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.session.library import Library
from analysis.synthetic.actions import load_actions
from analysis.synthetic.library_builder import (
    RENDER_UNITS,
    RENDERER_UNITS,
    _RenderedShare,
    build_session,
    generate_library,
    plan_library,
)
from analysis.synthetic.rig import VIEW_COUNT


@pytest.fixture(scope="module")
def tiny_library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library")
    generate_library(folder, seed=5, n_athletes=4, video_takes=2, repetitions=1, levels=(2,), workers=2)
    return Library.scan(folder)


def test_every_event_is_covered_by_valid_files(tiny_library):
    index = tiny_library.index
    assert tiny_library.problems == []
    assert set(index["event"]) == {"MFE", "WFE", "MVT", "WVT", "MPB", "MHB", "WUB", "WBB"}
    assert index["athlete"].nunique() == 4
    expected_actions = {a.code for a in load_actions() if a.level == 2}
    assert set(index["action"]) == expected_actions


def test_every_action_has_a_penalty_free_exemplar(tiny_library):
    index = tiny_library.index
    for action, rows in index.groupby("action"):
        exemplars = rows[rows["is_exemplar"]]
        assert len(exemplars) >= 1, action
        row = exemplars.iloc[0]
        with tiny_library.open(row["file"]) as session:
            assert len(session.penalties(row["take"])) == 0


def test_scores_follow_penalties_and_judges(tiny_library):
    penalised = 0
    for file in tiny_library.index["file"].unique():
        with tiny_library.open(file) as session:
            for take in session.takes.values():
                judges = session.judge_scores(take.take_id)
                penalties = session.penalties(take.take_id)
                assert judges is not None and len(judges) >= 5
                assert take.score == pytest.approx(float(np.mean(judges)), abs=1e-4)
                assert abs(take.score - (10.0 - penalties.total)) < 0.3
                assert len(penalties) <= 5
                assert np.all((penalties.start >= 0) & (penalties.start < penalties.end)
                              & (penalties.end <= take.n_frames))
                penalised += len(penalties) > 0
    assert penalised > 0


def test_triangulated_pose_is_close_to_the_truth(tiny_library):
    row = tiny_library.index[~tiny_library.index["is_exemplar"]].iloc[0]
    with tiny_library.open(row["file"]) as session:
        pose3d = session.pose3d(row["take"])
        truth = session.pose3d_reference(row["take"])
        pose2d = session.pose2d(row["take"])
    error = np.linalg.norm(pose3d - truth, axis=-1)
    assert np.mean(np.isfinite(error)) > 0.97
    assert np.nanmedian(error) < 0.03
    missing = np.isnan(pose2d[..., 0])
    assert 0.0 < missing.mean() < 0.25  # detector dropouts happen, but rarely
    assert np.all(pose2d[..., 2][missing] == 0.0)


def test_showcase_takes_carry_decodable_video(tiny_library):
    index = tiny_library.index
    with_video = index[index["has_video"] & ~index["is_exemplar"]]
    assert len(with_video) == 2 and with_video["file"].nunique() == 1
    exemplar_footage = index[index["has_video"] & index["is_exemplar"]]
    assert set(exemplar_footage["action"]) >= set(with_video["action"])  # exemplars to compare against
    row = with_video.iloc[0]
    with tiny_library.open(row["file"]) as session:
        frames = session.frames(row["take"], row["n_frames"] // 2)
    assert len(frames) == 8
    assert all(f is not None and f.shape == (360, 640, 3) for f in frames)
    assert all(f.std() > 10 for f in frames)  # a scene, not a blank frame


def test_same_seed_same_pose_bytes_other_seed_differs():
    job = plan_library(seed=9, n_athletes=4, repetitions=1, video_takes=0, levels=(1,))[5]
    first, second = build_session(job), build_session(job)
    other_job = plan_library(seed=10, n_athletes=4, repetitions=1, video_takes=0, levels=(1,))[5]
    other = build_session(other_job)
    for a, b in zip(first.takes, second.takes):
        assert a.pose2d.tobytes() == b.pose2d.tobytes()
        assert a.pose3d_reference.tobytes() == b.pose3d_reference.tobytes()
        assert np.array_equal(a.judge_scores, b.judge_scores)
    assert first.takes[0].pose3d_reference.tobytes() != other.takes[0].pose3d_reference.tobytes()


def test_default_plan_meets_the_demo_size():
    jobs = plan_library()
    athletes = {job.athlete.athlete_id for job in jobs}
    actions_per_level = {}
    for action in load_actions():
        actions_per_level[(action.event, action.level)] = actions_per_level.get((action.event, action.level), 0) + 1
    n_takes = sum(actions_per_level[(job.event, job.level)] * job.repetitions for job in jobs)
    assert len(athletes) >= 12 and n_takes >= 500
    assert {job.event for job in jobs} == {"MFE", "WFE", "MVT", "WVT", "MPB", "MHB", "WUB", "WBB"}
    showcase = [job for job in jobs if job.is_showcase]
    assert len(showcase) == 1 and showcase[0].video_takes >= 4 and not showcase[0].is_exemplar_athlete
    assert showcase[0].repetitions * actions_per_level[(showcase[0].event, showcase[0].level)] >= 4


def test_progress_counts_work_as_it_is_done_video_weighing_more(tmp_path):
    reports = []
    generate_library(tmp_path, seed=5, n_athletes=2, video_takes=1, repetitions=1, levels=(1,), workers=2,
                     progress=lambda done, total: reports.append((done, total)))
    jobs = plan_library(seed=5, n_athletes=2, video_takes=1, repetitions=1, levels=(1,))
    total = sum(job.work_units for job in jobs)
    index = Library.scan(tmp_path).index
    with_video = index.groupby("file")["has_video"].any()
    assert total == len(index) + RENDER_UNITS * int(index["has_video"].sum()) + \
        RENDERER_UNITS * VIEW_COUNT * int(with_video.sum())
    done = [d for d, t in reports]
    assert all(t == total for _, t in reports) and done == sorted(done) and done[-1] == total
    assert len(set(done)) > len(jobs)          # reported within sessions, not only when one is written


def test_a_rendered_take_passes_its_units_on_frame_by_frame_so_the_time_left_holds_while_it_renders():
    counted = []
    share = _RenderedShare(counted.append, 7)
    for frames_done in range(1, 8):
        share(frames_done)
    assert len(counted) == 7 and sum(counted) == RENDER_UNITS   # every frame moves the bar; the take adds up
