"""Synthetic gymnastics motion: catalogue, physics and injected faults, checked on generated takes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.catalogue.apparatus import EVENTS, apparatus_for
from analysis.catalogue.penalties import SEVERITIES, load_penalty_catalogue
from analysis.motion.skeleton import COCO17
from analysis.synthetic.actions import load_actions
from analysis.synthetic.athletes import make_athletes
from analysis.synthetic.motion import synthesize_take
from analysis.synthetic.penalties import sample_faults

G = 9.81
J = {name: COCO17.index(name) for name in COCO17.joint_names}
ACTIONS = load_actions()
CATALOGUE = load_penalty_catalogue()
ATHLETES = {a.sex: a for a in make_athletes(4, np.random.default_rng(7))}


def take(action, faults=(), seed=11):
    return synthesize_take(action, ATHLETES[action.sex], apparatus_for(action.event), list(faults), seed=seed)


def action(code):
    return next(a for a in ACTIONS if a.code == code)


def _angle(a, b, c):
    """Angle at b (degrees) between b->a and b->c, arrays (T, 3)."""
    u, v = a - b, c - b
    cos = np.sum(u * v, -1) / np.linalg.norm(u, axis=-1) / np.linalg.norm(v, axis=-1)
    return np.degrees(np.arccos(np.clip(cos, -1, 1)))


def _mid(p, a, b):
    return 0.5 * (p[:, J[a]] + p[:, J[b]])


# Kinematic quantity each penalty item names, per frame (T,), and the direction it moves.
def knee_flexion(p):
    return np.maximum(180 - _angle(p[:, J["left_hip"]], p[:, J["left_knee"]], p[:, J["left_ankle"]]),
                      180 - _angle(p[:, J["right_hip"]], p[:, J["right_knee"]], p[:, J["right_ankle"]]))


def elbow_flexion(p):
    return np.maximum(180 - _angle(p[:, J["left_shoulder"]], p[:, J["left_elbow"]], p[:, J["left_wrist"]]),
                      180 - _angle(p[:, J["right_shoulder"]], p[:, J["right_elbow"]], p[:, J["right_wrist"]]))


def ankle_gap(p):
    return np.linalg.norm(p[:, J["left_ankle"]] - p[:, J["right_ankle"]], axis=-1)


def hip_flexion(p):
    return 180 - _angle(_mid(p, "left_shoulder", "right_shoulder"), _mid(p, "left_hip", "right_hip"),
                        _mid(p, "left_knee", "right_knee"))


def trunk_inclination(p):
    trunk = _mid(p, "left_shoulder", "right_shoulder") - _mid(p, "left_hip", "right_hip")
    return np.degrees(np.arccos(trunk[:, 2] / np.linalg.norm(trunk, axis=-1)))


def pelvis_height(p):
    return _mid(p, "left_hip", "right_hip")[:, 2]


def head_flexion(p):
    neck = _mid(p, "left_shoulder", "right_shoulder")
    trunk = neck - _mid(p, "left_hip", "right_hip")
    head = _mid(p, "left_ear", "right_ear") - neck
    return _angle(neck + trunk, neck, neck + head)


def wrist_gap(p):
    return np.linalg.norm(p[:, J["left_wrist"]] - p[:, J["right_wrist"]], axis=-1)


def shoulder_tilt(p):
    line = p[:, J["left_shoulder"]] - p[:, J["right_shoulder"]]
    return np.degrees(np.arcsin(line[:, 2] / np.linalg.norm(line, axis=-1)))


def test_catalogue_covers_every_event_and_level_with_valid_penalties():
    assert len(CATALOGUE) >= 10
    for event in EVENTS:
        for level in (1, 2, 3, 4):
            assert len([a for a in ACTIONS if a.event == event and a.level == level]) >= 3, (event, level)
    assert len({a.code for a in ACTIONS}) == len(ACTIONS)
    for item in CATALOGUE.values():
        assert sorted(float(k) for k in item.effect["magnitude"]) == list(SEVERITIES)
        assert set(item.joints) <= set(COCO17.joint_names)
    for a in ACTIONS:
        assert 1 <= len(a.penalties) <= 5, a.code
        assert set(a.penalties) <= set(CATALOGUE), a.code
        assert a.code.startswith(f"{a.event}-{a.level}-")


def test_higher_levels_use_more_primitives_or_longer_flights():
    for event in EVENTS:
        low = [len(a.primitives) + sum(p in ("salto", "giant", "flyaway", "rail_dismount") for p, _ in a.primitives)
               for a in ACTIONS if a.event == event and a.level == 1]
        high = [len(a.primitives) + sum(p in ("salto", "giant", "flyaway", "rail_dismount") for p, _ in a.primitives)
                + sum(int(params.get("extra", 0)) + int(params.get("turns", 0)) for _, params in a.primitives)
                for a in ACTIONS if a.event == event and a.level == 4]
        assert np.mean(high) >= np.mean(low), event


@pytest.mark.parametrize("event", EVENTS)
def test_every_take_has_rigid_bones_and_stays_above_the_floor(event):
    edges = COCO17.edge_array
    for a in [a for a in ACTIONS if a.event == event]:
        motion = take(a)
        pose = motion.pose3d
        assert pose.shape[1:] == (17, 3) and pose.dtype == np.float64
        lengths = np.linalg.norm(pose[:, edges[:, 0]] - pose[:, edges[:, 1]], axis=-1)
        assert np.ptp(lengths, axis=0).max() < 1e-3, a.code
        assert pose[..., 2].min() >= -1e-9, a.code
        assert 1.5 <= len(pose) / motion.fps <= 8.0, a.code
        assert all(0 <= p.start < p.end <= len(pose) for p in motion.phases), a.code


@pytest.mark.parametrize("code,support", [("MFE-1-02", 0.0), ("WBB-1-03", 1.25), ("WFE-4-02", 0.0)])
def test_standing_feet_rest_on_the_support(code, support):
    motion = take(action(code))
    ankle_height = ATHLETES[action(code).sex].segments.ankle_height
    stands = [p for p in motion.phases if p.name == "stand"]
    assert stands
    for phase in stands:
        lowest_ankle = motion.pose3d[phase.start:phase.end, [J["left_ankle"], J["right_ankle"]], 2].min(axis=1)
        np.testing.assert_allclose(lowest_ankle, support + ankle_height, atol=1e-3)


@pytest.mark.parametrize("code", ["MFE-3-02", "MVT-3-01", "MHB-4-01", "WBB-4-03"])
def test_flight_is_a_ballistic_parabola(code):
    motion = take(action(code))
    flights = [p for p in motion.phases if p.name == "flight" and p.end - p.start >= 8]
    assert flights
    for phase in flights:
        t = np.arange(phase.start, phase.end) / motion.fps
        z = pelvis_height(motion.pose3d[phase.start:phase.end])
        coeffs, residual, *_ = np.polyfit(t, z, 2, full=True)
        assert coeffs[0] == pytest.approx(-G / 2, rel=1e-3)
        assert np.sqrt(residual[0] / len(t)) < 1e-4


# code -> (quantity, +1 if the fault raises it, -1 if it lowers it, minimum change)
EXPECTED = {
    "KNEES": (knee_flexion, 1, 10.0),
    "ARMS": (elbow_flexion, 1, 10.0),
    "LEGSEP": (ankle_gap, 1, 0.08),
    "PIKE": (hip_flexion, 1, 10.0),
    "TRUNK": (trunk_inclination, 1, 8.0),
    "HEAD": (head_flexion, 1, 8.0),
    "ARMPOS": (wrist_gap, 1, 0.1),
    "DEEP": (knee_flexion, 1, 10.0),
}


def _first_action_with(code):
    return next(a for a in ACTIONS if code in a.penalties)


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_each_penalty_changes_its_kinematics_inside_its_span(code):
    if not any(code in a.penalties for a in ACTIONS):
        pytest.fail(f"no action lists {code}")
    a = _first_action_with(code)
    clean = take(a)
    faulty = take(a, [(code, 0.5)])
    (injected,) = faulty.penalties
    assert (injected.code, injected.value) == (code, 0.5)
    n = len(faulty.pose3d)
    assert 0 <= injected.start < injected.end <= n
    span = slice(injected.start, injected.end)
    phase = next(p for p in faulty.phases if (p.start, p.end) == (injected.start, injected.end))
    assert phase.name in CATALOGUE[code].phases
    kind = CATALOGUE[code].effect["kind"]
    if code in EXPECTED:
        quantity, sign, minimum = EXPECTED[code]
        assert len(clean.pose3d) == n
        change = sign * (quantity(faulty.pose3d[span]) - quantity(clean.pose3d[span]))
        assert change.max() >= minimum
        outside = np.ones(n, bool)
        outside[span] = False
        np.testing.assert_allclose(faulty.pose3d[outside], clean.pose3d[outside], atol=1e-9)
    elif kind == "amplitude":
        index = faulty.phases.index(phase)
        clean_phase = clean.phases[index]
        clean_apex = pelvis_height(clean.pose3d[clean_phase.start:clean_phase.end]).max()
        assert pelvis_height(faulty.pose3d[span]).max() < clean_apex - 0.05
        assert len(faulty.pose3d) < len(clean.pose3d)
    elif kind == "pause":
        assert len(faulty.pose3d) > len(clean.pose3d)
        speed = np.abs(np.diff(faulty.pose3d[span], axis=0)).max(axis=(1, 2))
        still = np.flatnonzero(speed < 1e-6)
        pause_frames = CATALOGUE[code].magnitude(0.5) * faulty.fps
        assert still.size >= pause_frames - 2
    elif kind == "steps":
        assert len(clean.pose3d) == n
        drift = np.linalg.norm(faulty.pose3d[span, :, :2] - clean.pose3d[span, :, :2], axis=-1).max()
        assert drift > 0.2
        lift = (faulty.pose3d[span, [J["left_ankle"], J["right_ankle"]], 2].max()
                - clean.pose3d[span, [J["left_ankle"], J["right_ankle"]], 2].max())
        assert lift > 0.05
    elif kind == "wobble":
        assert len(clean.pose3d) == n
        assert np.std(shoulder_tilt(faulty.pose3d[span])) > np.std(shoulder_tilt(clean.pose3d[span])) + 2.0
    else:
        pytest.fail(f"no check for {code} ({kind})")


def test_every_listed_penalty_can_be_injected_into_its_action():
    for a in ACTIONS:
        for code in a.penalties:
            motion = take(a, [(code, 0.3)], seed=2)
            (injected,) = motion.penalties
            assert 0 <= injected.start < injected.end <= len(motion.pose3d), (a.code, code)


def test_heavier_severity_gives_a_bigger_fault():
    a = _first_action_with("KNEES")
    clean = knee_flexion(take(a).pose3d)
    flexions = [(knee_flexion(take(a, [("KNEES", s)]).pose3d) - clean).max() for s in SEVERITIES]
    assert np.all(np.diff(flexions) > 0)


def test_clean_score_is_ten_minus_the_penalties():
    a = action("MFE-4-01")
    faults = [(code, value) for code, value in zip(a.penalties, (0.1, 0.3, 0.5, 1.0, 0.3))]
    motion = take(a, faults)
    assert motion.clean_score == pytest.approx(10 - sum(v for _, v in faults))
    assert [p.code for p in motion.penalties] == [c for c, _ in faults]
    assert take(a).clean_score == 10.0


def test_unlisted_penalty_or_unknown_severity_is_refused():
    a = action("WFE-1-02")
    with pytest.raises(ValueError, match="not applicable"):
        take(a, [("KNEES", 0.1)])
    with pytest.raises(ValueError, match="severity"):
        take(a, [(a.penalties[0], 0.2)])


def test_same_seed_same_bytes_different_seed_different_take():
    a = action("WUB-3-02")
    faults = [(a.penalties[0], 0.3)]
    first = take(a, faults, seed=5).pose3d
    assert first.tobytes() == take(a, faults, seed=5).pose3d.tobytes()
    assert first.tobytes() != take(a, faults, seed=6).pose3d.tobytes()


def test_sampled_faults_are_distinct_listed_and_fewer_for_skilled_athletes():
    rng = np.random.default_rng(3)
    novice, expert = (make_athletes(2, rng)[0],) * 2
    novice = type(novice)(**{**novice.__dict__, "skill": 0.05})
    expert = type(expert)(**{**expert.__dict__, "skill": 0.95})
    counts = {}
    for athlete in (novice, expert):
        total = 0
        for a in ACTIONS[:40]:
            faults = sample_faults(a, athlete, rng)
            codes = [c for c, _ in faults]
            assert len(set(codes)) == len(codes) <= 5
            assert set(codes) <= set(a.penalties)
            assert all(v in SEVERITIES for _, v in faults)
            total += len(faults)
        counts[athlete.skill] = total
    assert counts[0.05] > counts[0.95]


def test_athletes_are_balanced_and_deterministic():
    first = make_athletes(6, np.random.default_rng(9))
    assert [a.sex for a in first] == ["F", "M"] * 3
    assert first == make_athletes(6, np.random.default_rng(9))
    assert len({a.segments.thigh / a.stature for a in first}) == 6
    assert all(0.9 <= a.tempo <= 1.15 and 0.0 <= a.skill <= 1.0 for a in first)
