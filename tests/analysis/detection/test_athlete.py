"""The athlete is the person the calibrated views agree on, followed by track through the frames."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.catalogue.apparatus import apparatus_for
from analysis.detection.athlete import pick_athlete
from analysis.geometry.cameras import project_all
from analysis.geometry.person_selection import select_people
from analysis.synthetic.rig import make_rig

CAMERAS = make_rig(apparatus_for("MFE"), np.random.default_rng(5))
N_FRAMES = 12
ATHLETE, BYSTANDER = 4, 9          # track ids


def recording():
    """Everyone per view and frame, with track ids; the bystander comes in at frame 3."""
    rng = np.random.default_rng(2)
    body = rng.uniform([-0.3, -0.2, 0.1], [0.3, 0.2, 1.7], size=(1, 17, 3))
    athlete = body + np.linspace(0, 0.5, N_FRAMES)[:, None, None] * np.array([1.0, 0.0, 0.0])
    bystander = np.repeat(body + np.array([2.5, 1.5, 0.0]), N_FRAMES, axis=0)
    pixels = {ATHLETE: project_all(CAMERAS, athlete), BYSTANDER: project_all(CAMERAS, bystander)}   # (V, T, J, 2)
    people, ids = [], []
    for v in range(len(CAMERAS)):
        view_people, view_ids = [], []
        for t in range(N_FRAMES):
            here = [ATHLETE] + ([BYSTANDER] if t >= 3 else [])
            if v == 1 and t == 8:
                here = [BYSTANDER]                                    # the athlete is missed in this view
            order = here[::-1] if (v + t) % 2 else here
            view_people.append(np.stack([np.column_stack([pixels[i][v, t], np.full(17, 0.9)]) for i in order]))
            view_ids.append(np.array(order))
        people.append(view_people)
        ids.append(view_ids)
    people[3][6][ids[3][6].tolist().index(ATHLETE), :, :2] += 70.0  # a bad detection of the athlete
    return people, ids


@pytest.fixture(scope="module")
def picked():
    people, ids = recording()
    return people, ids, pick_athlete(CAMERAS, people, ids)


def test_the_athlete_is_picked_in_every_view_and_frame_and_nobody_else(picked):
    _, ids, picks = picked
    for v, view_picks in enumerate(picks):
        for t, pick in enumerate(view_picks):
            if v == 1 and t == 8:
                assert pick is None                                   # only the bystander was seen
            else:
                assert pick is not None and ids[v][t][pick] == ATHLETE, (v, t)


def test_the_track_keeps_the_athlete_where_the_frame_by_frame_selection_left_the_view_empty(picked):
    people, ids, picks = picked
    selected = select_people(CAMERAS, people)
    assert np.isnan(selected[3, 6, :, :2]).all()                      # the per-frame choice drops the bad detection
    assert ids[3][6][picks[3][6]] == ATHLETE
