"""Build a LucidAction-style demo library: one session file per athlete, event and level.

Athletes of each sex are split into exemplar athletes, whose takes are
penalty-free and flagged ``is_exemplar``, and trainees, who repeat each action
with faults drawn from the penalty catalogue. Every session gets its own
calibrated 8-camera rig; 2D detections are simulated from the ground truth and
triangulated back to 3D. One showcase session also carries rendered video.

Sessions are independent and seeded from (seed, athlete, event, level), so the
result does not depend on how many worker processes build it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.robust_triangulation import triangulate_robust
from analysis.motion.skeleton import COCO17
from analysis.session.contract import EVENT_NAMES, EVENTS
from analysis.session.data import EmbeddedVideo, Penalties, SessionData, TakeData
from analysis.session.writer import write_session
from analysis.synthetic.actions import load_actions
from analysis.synthetic.annotators import judge_panel, judge_scores
from analysis.synthetic.athletes import Athlete, make_athletes
from analysis.synthetic.detections import simulate_detections
from analysis.synthetic.motion import Motion, synthesize_take
from analysis.synthetic.penalties import sample_faults
from analysis.synthetic.render import Appearance, ViewRenderer, render_take
from analysis.synthetic.rig import VIEW_COUNT, make_rig

FPS = 30.0
MEN_EVENTS = ("MFE", "MVT", "MPB", "MHB")
WOMEN_EVENTS = ("WFE", "WVT", "WUB", "WBB")
SHOWCASE_EVENT = {"F": "WFE", "M": "MFE"}
SHOWCASE_LEVEL = 3
TRIANGULATION_MIN_CONFIDENCE = 0.2
#: Progress is counted in work units: one per take synthesised, this many more per take rendered as
#: video (rendering a take's 8 views cost about a hundred times synthesising it, measured on 2 cores).
RENDER_UNITS = 100
#: Units for preparing one camera's renderer (its background), once per session with video: about
#: a thirtieth of a take's rendering each, so the time left holds while a session's renderers are built.
RENDERER_UNITS = 3
#: How often the parent process passes the workers' progress on, seconds.
PROGRESS_INTERVAL_S = 0.25


@dataclass(frozen=True)
class SessionJob:
    """One session file to build."""

    athlete: Athlete
    athlete_index: int
    is_exemplar_athlete: bool
    event: str
    level: int
    repetitions: int
    video_takes: int
    seed: int
    is_showcase: bool = False

    @property
    def file_name(self) -> str:
        return f"{self.event}_L{self.level}_{self.athlete.athlete_id}.h5"

    @property
    def work_units(self) -> int:
        """What building this session counts for in the progress (see :data:`RENDER_UNITS`)."""
        n_takes = self.repetitions * sum(1 for a in load_actions() if (a.event, a.level) == (self.event, self.level))
        rendered = min(self.video_takes, n_takes)
        return n_takes + RENDER_UNITS * rendered + (RENDERER_UNITS * VIEW_COUNT if rendered else 0)


def plan_library(seed: int = 0, n_athletes: int = 24, repetitions: int = 4, video_takes: int = 6,
                 levels: tuple[int, ...] = (1, 2, 3, 4)) -> list[SessionJob]:
    """The sessions of a library, showcase first.

    Parameters
    ----------
    seed : int
    n_athletes : int
        At least 2 (one of each sex); about a third of each sex are exemplar athletes.
    repetitions : int
        Takes per action for a trainee (exemplar athletes perform each action once).
    video_takes : int
        Takes of the showcase session that get rendered video (0 for none). The
        best exemplar athlete's session of the same event and level then gets
        video for every take, so the showcase can be compared with exemplar footage.
    levels : tuple of int
        Curriculum levels to include.
    """
    if n_athletes < 2:
        raise ValueError("a library needs at least 2 athletes (one of each sex)")
    athletes = make_athletes(n_athletes, np.random.default_rng(seed))
    exemplar_ids, filmed_exemplar_ids = set(), set()
    for sex in ("M", "F"):
        group = sorted((a for a in athletes if a.sex == sex), key=lambda a: -a.skill)
        exemplar_ids.update(a.athlete_id for a in group[: max(1, len(group) // 3)])
        filmed_exemplar_ids.add(group[0].athlete_id)
    trainee_pool = [a for a in athletes if a.athlete_id not in exemplar_ids] or athletes
    showcase_athlete = trainee_pool[0]
    showcase_event = SHOWCASE_EVENT[showcase_athlete.sex]
    showcase_level = SHOWCASE_LEVEL if SHOWCASE_LEVEL in levels else levels[0]
    jobs = []
    for index, athlete in enumerate(athletes):
        events = MEN_EVENTS if athlete.sex == "M" else WOMEN_EVENTS
        for event in events:
            for level in levels:
                exemplar = athlete.athlete_id in exemplar_ids
                showcase_cell = (event, level) == (showcase_event, showcase_level)
                if athlete is showcase_athlete and showcase_cell:
                    session_video = video_takes
                elif athlete.athlete_id in filmed_exemplar_ids and showcase_cell and video_takes > 0:
                    session_video = sum(1 for a in load_actions() if (a.event, a.level) == (event, level))
                else:
                    session_video = 0
                jobs.append(SessionJob(
                    athlete=athlete,
                    athlete_index=index,
                    is_exemplar_athlete=exemplar,
                    event=event,
                    level=level,
                    repetitions=1 if exemplar else repetitions,
                    video_takes=session_video,
                    is_showcase=athlete is showcase_athlete and showcase_cell,
                    seed=int(np.random.SeedSequence([seed, index, EVENTS.index(event), level]).generate_state(1)[0]),
                ))
    jobs.sort(key=lambda job: (not job.is_showcase, -job.video_takes))
    return jobs


class _RenderedShare:
    """A :func:`render_take` progress callback passing a take's :data:`RENDER_UNITS` on to ``done`` frame by frame."""

    def __init__(self, done: Callable[[int], None], n_frames: int) -> None:
        self._done, self._n_frames, self._counted = done, max(n_frames, 1), 0

    def __call__(self, frames_done: int) -> None:
        share = RENDER_UNITS * frames_done // self._n_frames
        if share > self._counted:
            self._done(share - self._counted)
            self._counted = share


def build_session(job: SessionJob, done: Callable[[int], None] | None = None) -> SessionData:
    """Synthesise every take of one session (poses, detections, scores, video).

    ``done(units)`` is called after each take synthesised (1 unit) and as each take is rendered
    (:data:`RENDER_UNITS` spread over its frames, so the time left holds from the first frames).
    """
    done = done or (lambda _units: None)
    rng = np.random.default_rng(job.seed)
    apparatus = apparatus_for(job.event)
    cameras = make_rig(apparatus, rng)
    panel = judge_panel(rng)
    actions = [a for a in load_actions() if a.event == job.event and a.level == job.level]
    takes = []
    for action in actions:
        for repetition in range(job.repetitions):
            faults = [] if job.is_exemplar_athlete else sample_faults(action, job.athlete, rng)
            motion = synthesize_take(action, job.athlete, apparatus, faults, seed=int(rng.integers(2**31)), fps=FPS)
            take = _take_data(f"{action.code}-r{repetition + 1}", action, motion, job, cameras, panel, rng)
            takes.append(take)
            done(1)
    renderers = []
    for camera in cameras if takes[: job.video_takes] else ():
        renderers.append(ViewRenderer(camera, apparatus))
        done(RENDERER_UNITS)
    for take in takes[: job.video_takes]:
        pose = take.pose3d_reference.astype(np.float64)
        frames = render_take(renderers, pose, _appearance(job.athlete), progress=_RenderedShare(done, len(pose)))
        take.video = {camera.name: EmbeddedVideo(views) for camera, views in zip(cameras, frames)}
    recorded = date(2026, 3, 2) + timedelta(days=int(job.seed % 120))
    return SessionData(
        event=job.event,
        level=job.level,
        athlete=job.athlete.athlete_id,
        fps=FPS,
        skeleton=COCO17,
        cameras=cameras,
        takes=takes,
        title=f"{job.athlete.name}, {EVENT_NAMES[job.event]}, level {job.level}",
        created=recorded.isoformat(),
        source="lucid-workstation synthetic generator",
        notes="exemplar athlete" if job.is_exemplar_athlete else None,
    )


def _take_data(take_id, action, motion: Motion, job: SessionJob, cameras, panel, rng) -> TakeData:
    pose2d = simulate_detections(cameras, COCO17, motion.pose3d, rng)
    pose3d = triangulate_robust(cameras, pose2d[..., :2], pose2d[..., 2], TRIANGULATION_MIN_CONFIDENCE).points
    judges = judge_scores(motion.clean_score, panel, rng)
    penalties = Penalties(
        codes=tuple(p.code for p in motion.penalties),
        values=np.array([p.value for p in motion.penalties], dtype=np.float32),
        start=np.array([p.start for p in motion.penalties], dtype=np.int32),
        end=np.array([p.end for p in motion.penalties], dtype=np.int32),
    )
    return TakeData(
        take_id=take_id,
        action=action.code,
        action_name=action.name,
        pose2d=pose2d,
        score=float(np.mean(judges, dtype=np.float64)),
        is_exemplar=job.is_exemplar_athlete,
        pose3d=pose3d.astype(np.float32),
        pose3d_reference=motion.pose3d.astype(np.float32),
        judge_scores=judges,
        penalties=penalties,
    )


def _appearance(athlete: Athlete) -> Appearance:
    return Appearance(leotard_bgr=athlete.leotard_bgr, skin_bgr=athlete.skin_bgr, hair_bgr=athlete.hair_bgr)


_units_done = None   # a worker process's shared progress counter (set by _share_progress)


def _share_progress(counter) -> None:
    global _units_done
    _units_done = counter


def _count_units(units: int) -> None:
    with _units_done.get_lock():
        _units_done.value += units


def _build_and_write(job: SessionJob, out_dir: Path) -> tuple[str, int]:
    session = build_session(job, _count_units if _units_done is not None else None)
    write_session(out_dir / job.file_name, session)
    return job.file_name, len(session.takes)


def generate_library(
    out_dir: str | Path,
    seed: int = 0,
    n_athletes: int = 24,
    video_takes: int = 6,
    repetitions: int = 4,
    levels: tuple[int, ...] = (1, 2, 3, 4),
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[Path]:
    """Generate a library folder of session files.

    Parameters
    ----------
    out_dir : str or Path
        Created if needed; existing session files of the same names are replaced.
    seed, n_athletes, video_takes, repetitions, levels
        See :func:`plan_library`.
    workers : int, optional
        Worker processes; defaults to the number of CPU cores. 1 builds in-process.
    progress : callable, optional
        Called as ``progress(units_done, units_total)`` as takes are synthesised and rendered
        (:attr:`SessionJob.work_units`), so the rate, hence the time left, holds from the start.

    Returns
    -------
    list of Path
        The written session files, in plan order.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = plan_library(seed, n_athletes, repetitions, video_takes, levels)
    total = sum(job.work_units for job in jobs)
    report = progress or (lambda _done, _total: None)
    workers = workers or os.cpu_count() or 1
    counter = multiprocessing.Value("q", 0)
    if workers == 1:
        _share_progress(counter)
        try:
            for job in jobs:
                _build_and_write(job, out_dir)
                report(counter.value, total)
        finally:
            _share_progress(None)
        return [out_dir / job.file_name for job in jobs]
    with ProcessPoolExecutor(max_workers=workers, initializer=_share_progress, initargs=(counter,)) as pool:
        pending = {pool.submit(_build_and_write, job, out_dir) for job in jobs}
        while pending:
            finished, pending = wait(pending, timeout=PROGRESS_INTERVAL_S, return_when=FIRST_COMPLETED)
            for future in finished:
                future.result()
            report(counter.value, total)
    return [out_dir / job.file_name for job in jobs]
