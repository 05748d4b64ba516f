"""The viewer state: the one Qt-free model every widget reads and writes.

Widgets never talk to each other. They subscribe to these signals and call
these setters. A setter given the value already held emits nothing, so a
widget that echoes a change back cannot start a feedback loop.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

import pandas as pd
from psygnal import Signal, SignalInstance

from analysis.session.library import Library
from analysis.session.reader import Session
from viewer.model.annotations import AnnotationsModel
from viewer.model.exemplar_bundle import ExemplarBundle
from viewer.model.scoring_result import ScoringResult
from viewer.model.take_bundle import TakeBundle

SPEEDS = (0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 4.0)


class ViewerState:
    """Current library, session, take, frame, playback and selection.

    Signals
    -------
    library_changed(Library | None)
        The library the browser lists and the exemplars come from (the session's
        folder, scanned once by the application); None while it is being indexed.
    library_progress_changed(tuple of int)
        (files read, files to read) while a library is being indexed; (0, 0) when idle.
    session_changed(Session | None)
    take_changed(TakeBundle | None)
        The arrays of the current take; the frame is reset to 0 first.
    frame_changed(int)
    playing_changed(bool)
    speed_changed(float)
    loop_changed(bool, int, int)
        Whether looping is on, and the loop range (first, last frame, inclusive).
    view_selected(str | None)
    joint_selected(int | None)
    overlays_changed(dict)
        Which 2D overlays are on: ``detections``, ``reprojection``, ``bones``.
    retriangulation_requested(tuple of str)
        A widget asks for the current take to be triangulated again without
        these views; the application runs it and calls :meth:`set_take`.
    video_location_requested()
        A widget asks where the session's camera files are now (they were moved);
        the application asks the user for their folder and opens the session again.
    kinematics_requested(TakeBundle)
        A widget needs the current take's kinematics; the application computes them
        off the GUI thread and calls :meth:`kinematics_computed`.
    kinematics_ready(TakeBundle)
        The current take's kinematics are computed (after :meth:`request_kinematics`).
    exemplar_changed(ExemplarBundle | None)
        The take the current take is compared with (its exemplar, or any other take
        of the action: :attr:`ExemplarBundle.is_exemplar` tells), aligned onto its
        frames; None when there is none (it is cleared whenever the take changes).
    exemplar_candidates_changed(DataFrame)
        The exemplars of the current take's action in the library, best first
        (:func:`analysis.exemplars.rank_exemplars`); empty when there are none.
    other_takes_changed(DataFrame)
        The other takes of the action it can be compared with (:func:`analysis.exemplars.other_takes`).
    scoring_changed(ScoringResult | None)
        The scoring model's verdict on the current take; None when it has not been
        scored (it is cleared whenever the take changes).

    Attributes
    ----------
    annotations : AnnotationsModel
        The drawings, markers, measurements and penalty reviews of the session's takes
        (loaded and saved by the application); its selection is cleared when the take changes.
    """

    library_changed = Signal(object)
    library_progress_changed = Signal(tuple)
    session_changed = Signal(object)
    take_changed = Signal(object)
    frame_changed = Signal(int)
    playing_changed = Signal(bool)
    speed_changed = Signal(float)
    loop_changed = Signal(bool, int, int)
    view_selected = Signal(object)
    joint_selected = Signal(object)
    overlays_changed = Signal(dict)
    retriangulation_requested = Signal(tuple)
    video_location_requested = Signal()
    kinematics_requested = Signal(object)
    kinematics_ready = Signal(object)
    exemplar_changed = Signal(object)
    exemplar_candidates_changed = Signal(object)
    other_takes_changed = Signal(object)
    scoring_changed = Signal(object)

    def __init__(self) -> None:
        self.library: Library | None = None
        self.library_progress = (0, 0)
        self.exemplar_candidates = pd.DataFrame()
        self.other_takes = pd.DataFrame()
        self.session: Session | None = None
        self.take: TakeBundle | None = None
        self.exemplar: ExemplarBundle | None = None
        self.scoring: ScoringResult | None = None
        self.frame = 0
        self.playing = False
        self.speed = 1.0
        self.loop_enabled = False
        self.loop_range = (0, 0)
        self.selected_view: str | None = None
        self.selected_joint: int | None = None
        self.overlays = {"detections": True, "reprojection": False, "bones": True}
        self.annotations = AnnotationsModel()

    # ---------------------------------------------------------------- derived
    @property
    def n_frames(self) -> int:
        return 0 if self.take is None else self.take.n_frames

    @property
    def fps(self) -> float:
        return 30.0 if self.session is None else self.session.fps

    @property
    def time_s(self) -> float:
        """Time of the current frame from the take's start, seconds."""
        return self.frame / self.fps

    # -------------------------------------------------------------- library
    def set_library(self, library: Library | None) -> None:
        """Make ``library`` the one listed and searched for exemplars (None while indexing)."""
        self._hold("library", library, self.library_changed, operator.is_)

    def set_library_progress(self, done: int, total: int) -> None:
        """Files read of ``total`` while the library is being indexed; (0, 0) once done."""
        self._hold("library_progress", (int(done), int(total)), self.library_progress_changed)

    # -------------------------------------------------------------- session
    def set_session(self, session: Session | None) -> None:
        """Make ``session`` current; clears the take. The caller owns closing the old one."""
        if session is self.session:
            return
        self.set_playing(False)
        self.set_take(None)
        self.session = session
        self.session_changed.emit(session)

    def set_take(self, take: TakeBundle | None) -> None:
        """Show ``take``: frame 0, loop over the whole take, selection kept when it still applies."""
        if take is self.take:
            return
        self.set_playing(False)
        self.set_exemplar(None)
        self.set_scoring(None)
        self.annotations.select(None)
        self.take = take
        self.frame = 0
        last = max(0, self.n_frames - 1)
        self.loop_range = (0, last)
        if take is not None and self.selected_view not in take.view_names:
            self.selected_view = None
        self.take_changed.emit(take)
        self.frame_changed.emit(0)
        self.loop_changed.emit(self.loop_enabled, 0, last)

    def set_exemplar(self, exemplar: ExemplarBundle | None) -> None:
        """Compare the current take with ``exemplar`` (aligned onto its frames), or with nothing."""
        if exemplar is not None and (self.take is None or exemplar.trainee_take_id != self.take.take_id
                                     or len(exemplar.aligned_pose) != self.n_frames):
            raise ValueError(f"exemplar {exemplar.take.take_id} is aligned with take {exemplar.trainee_take_id}, "
                             f"not with the current take")
        self._hold("exemplar", exemplar, self.exemplar_changed, operator.is_)

    def set_exemplar_candidates(self, candidates: pd.DataFrame) -> None:
        """The exemplars of the current take's action, best first (library index rows)."""
        self._hold("exemplar_candidates", candidates, self.exemplar_candidates_changed, pd.DataFrame.equals)

    def set_other_takes(self, takes: pd.DataFrame) -> None:
        """The other takes of the current take's action (library index rows), its own athlete's first."""
        if takes.equals(self.other_takes):
            return
        self.other_takes = takes
        self.other_takes_changed.emit(takes)

    def set_scoring(self, scoring: ScoringResult | None) -> None:
        """Show the scoring model's verdict on the current take, or none."""
        if scoring is not None and (self.take is None or scoring.take_id != self.take.take_id
                                    or scoring.n_frames != self.n_frames):
            raise ValueError(f"the scoring of take {scoring.take_id} does not belong to the current take")
        self._hold("scoring", scoring, self.scoring_changed, operator.is_)

    # --------------------------------------------------------------- frames
    def seek(self, frame: int) -> None:
        """Go to ``frame``, clamped to the take."""
        if self.take is None:
            return
        self._hold("frame", min(max(int(frame), 0), self.n_frames - 1), self.frame_changed)

    def step(self, delta: int) -> None:
        """Pause and move ``delta`` frames."""
        self.set_playing(False)
        self.seek(self.frame + delta)

    def seek_start(self) -> None:
        self.seek(self.loop_range[0] if self.loop_enabled else 0)

    def seek_end(self) -> None:
        self.seek(self.loop_range[1] if self.loop_enabled else self.n_frames - 1)

    # ------------------------------------------------------------- playback
    def set_playing(self, playing: bool) -> None:
        self._hold("playing", bool(playing) and self.take is not None, self.playing_changed)

    def toggle_playing(self) -> None:
        self.set_playing(not self.playing)

    def set_speed(self, speed: float) -> None:
        speed = float(speed)
        if speed <= 0:
            raise ValueError(f"playback speed must be positive, got {speed}")
        self._hold("speed", speed, self.speed_changed)

    def change_speed(self, steps: int) -> None:
        """Move ``steps`` along :data:`SPEEDS` (negative is slower)."""
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - self.speed))
        self.set_speed(SPEEDS[min(max(nearest + steps, 0), len(SPEEDS) - 1)])

    def set_loop(self, enabled: bool, first: int | None = None, last: int | None = None) -> None:
        """Turn looping on or off and optionally set its range (inclusive, clamped)."""
        top = max(0, self.n_frames - 1)
        first = self.loop_range[0] if first is None else min(max(int(first), 0), top)
        last = self.loop_range[1] if last is None else min(max(int(last), 0), top)
        first, last = min(first, last), max(first, last)
        if (bool(enabled), (first, last)) != (self.loop_enabled, self.loop_range):
            self.loop_enabled = bool(enabled)
            self.loop_range = (first, last)
            self.loop_changed.emit(self.loop_enabled, first, last)

    def toggle_loop(self) -> None:
        self.set_loop(not self.loop_enabled)

    # ------------------------------------------------------------ selection
    def select_view(self, view: str | None) -> None:
        if view is not None and self.session is not None and view not in self.session.view_names:
            raise KeyError(f"no view {view!r} in {self.session.path.name}")
        self._hold("selected_view", view, self.view_selected)

    def select_joint(self, joint: int | None) -> None:
        if joint is not None and self.take is not None and not 0 <= joint < self.take.skeleton.n_joints:
            raise IndexError(f"joint {joint} is outside the skeleton")
        self._hold("selected_joint", joint, self.joint_selected)

    def set_overlay(self, name: str, visible: bool) -> None:
        if name not in self.overlays:
            raise KeyError(f"unknown overlay {name!r}; known: {', '.join(self.overlays)}")
        if self.overlays[name] != bool(visible):
            self.overlays = {**self.overlays, name: bool(visible)}
            self.overlays_changed.emit(dict(self.overlays))

    def request_retriangulation(self, excluded_views: tuple[str, ...]) -> None:
        """Ask the application to triangulate the current take again without ``excluded_views``."""
        if self.take is not None:
            self.retriangulation_requested.emit(tuple(excluded_views))

    def request_video_location(self) -> None:
        """Ask the application to find the session's missing camera files (the user points at their folder)."""
        if self.session is not None:
            self.video_location_requested.emit()

    def request_kinematics(self) -> bool:
        """Ask the application to compute the current take's kinematics in the background.

        Returns whether it will (:attr:`kinematics_ready` then tells when they are); False
        when they are ready already, there is no take, or no application listens: the
        caller then reads them itself.
        """
        if self.take is None or self.take.kinematics_ready or not len(self.kinematics_requested):
            return False
        self.kinematics_requested.emit(self.take)
        return True

    def kinematics_computed(self, take: TakeBundle) -> None:
        """The application computed ``take``'s kinematics: tell it if ``take`` is still the current take."""
        if take is self.take:
            self.kinematics_ready.emit(take)

    # -------------------------------------------------------------- helpers
    def _hold(self, name: str, value: object, changed: SignalInstance,
              same: Callable[[object, object], bool] = operator.eq) -> None:
        """Keep ``value`` as attribute ``name`` and emit ``changed(value)``, unless it is ``same`` as the value held."""
        if same(value, getattr(self, name)):
            return
        setattr(self, name, value)
        changed.emit(value)
