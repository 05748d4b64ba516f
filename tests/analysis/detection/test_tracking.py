"""Track ids follow each person through a view's frames."""

from __future__ import annotations

import numpy as np

from analysis.detection.tracking import PoseTracker


def person(centre_x: float, centre_y: float, height: float = 100.0, confidence: float = 0.9) -> np.ndarray:
    """(17, 3) keypoints spread over a ``height``-tall body centred at the given point."""
    rng = np.random.default_rng(int(centre_x * 7 + centre_y))
    offsets = np.column_stack([np.linspace(-0.15, 0.15, 17), np.linspace(-0.5, 0.5, 17)]) * height
    points = np.array([centre_x, centre_y]) + offsets + rng.normal(0, 1.0, (17, 2))
    return np.column_stack([points, np.full(17, confidence)])


def test_two_people_crossing_keep_their_ids_when_one_is_hidden_while_they_pass():
    tracker = PoseTracker()
    rng = np.random.default_rng(0)
    seen = {"A": set(), "B": set()}
    for t in range(40):
        names = ["A", "B"] if not 18 <= t <= 22 else ["A"]             # B is hidden behind A as they pass
        people = {"A": person(100 + 8 * t, 200), "B": person(420 - 8 * t, 215)}
        order = rng.permutation(names)                                # the detector lists them in any order
        ids = tracker.update(t, np.stack([people[name] for name in order]))
        for name, track in zip(order, ids.tolist()):
            seen[name].add(track)
    assert len(seen["A"]) == 1 and len(seen["B"]) == 1 and seen["A"] != seen["B"]


def test_a_short_gap_keeps_the_id_and_a_long_one_starts_a_new_track():
    tracker = PoseTracker(max_gap=5)
    first = tracker.update(0, person(100, 100)[None])[0]
    tracker.update(1, person(104, 100)[None])
    assert tracker.update(4, person(116, 100)[None])[0] == first       # unseen for 2 frames, moved on as before
    later = tracker.update(20, person(120, 100)[None])[0]
    assert later != first


def test_a_newcomer_gets_a_new_id_and_nobody_is_a_valid_frame():
    tracker = PoseTracker()
    athlete = tracker.update(0, person(100, 100)[None])[0]
    assert len(tracker.update(1, np.zeros((0, 17, 3)))) == 0
    ids = tracker.update(2, np.stack([person(600, 300), person(101, 100)]))
    assert ids[1] == athlete and ids[0] not in (athlete,)


def test_low_confidence_keypoints_do_not_match_anyone():
    tracker = PoseTracker()
    first = tracker.update(0, person(100, 100)[None])[0]
    assert tracker.update(1, person(100, 100, confidence=0.1)[None])[0] != first


def test_restored_ids_continue_and_new_ids_do_not_collide():
    tracker = PoseTracker()
    tracker.restore(10, np.stack([person(100, 100), person(400, 100)]), np.array([3, 7]))
    ids = tracker.update(11, np.stack([person(402, 100), person(102, 100), person(250, 400)]))
    assert ids[0] == 7 and ids[1] == 3 and ids[2] == 8
