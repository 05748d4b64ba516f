"""The one exemplar policy: which exemplars a take meets, in which order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.exemplars import (
    exemplar_reference,
    exemplar_references,
    first_exemplars,
    rank_exemplars,
)


def _index() -> pd.DataFrame:
    return pd.DataFrame({
        "file": ["a.h5", "b.h5", "c.h5", "d.h5", "e.h5", "f.h5"],
        "take": ["T1", "T1", "T1", "T1", "T1", "T1"],
        "event": ["WFE", "MFE", "WFE", "WFE", "WFE", "WFE"],
        "action": ["X", "X", "X", "X", "Y", "X"],
        "athlete": ["A1", "A2", "A3", "A4", "A5", "A6"],
        "score": [9.5, 10.0, 10.0, 10.0, 10.0, np.nan],
        "is_exemplar": [True, True, True, False, True, True],
        "has_video": [False, False, False, False, False, False],
    })


def test_exemplars_are_ranked_by_video_score_event_and_never_include_the_take_itself():
    index = _index()
    ranked = rank_exemplars(index, "X", "WFE", exclude=("c.h5", "T1"))
    assert ranked["file"].tolist() == ["b.h5", "a.h5"]            # not itself, not other actions, not unscored
    ranked = rank_exemplars(index, "X", "WFE", exclude=("z.h5", "T1"))
    assert ranked["file"].tolist() == ["c.h5", "b.h5", "a.h5"]    # same score: the trainee's event first
    index.loc[0, "has_video"] = True                               # footage beats a slightly higher score
    ranked = rank_exemplars(index, "X", "WFE")
    assert ranked["file"].tolist() == ["a.h5", "c.h5", "b.h5"]
    index.loc[1, "event"] = "WBB"                                  # another women's event beats a men's one
    index.loc[2, "event"] = "MVT"
    assert rank_exemplars(index, "X", "WFE")["file"].tolist() == ["a.h5", "b.h5", "c.h5"]


def test_the_order_does_not_depend_on_the_order_of_the_index():
    index = pd.DataFrame({
        "file": ["b.h5", "a.h5", "a.h5", "c.h5"], "take": ["T1", "T2", "T1", "T1"],
        "event": ["MFE"] * 4, "action": ["X"] * 4, "score": [10.0] * 4,
        "is_exemplar": [True] * 4, "has_video": [False] * 4,
    })
    expected = ["a.h5#T1", "a.h5#T2", "b.h5#T1", "c.h5#T1"]
    for seed in range(5):
        shuffled = index.sample(frac=1.0, random_state=seed)
        assert exemplar_references(rank_exemplars(shuffled, "X", "MFE")) == expected


def test_the_first_k_are_the_head_of_the_ranking_without_the_take():
    index = _index()
    ranked = rank_exemplars(index, "X", "WFE")
    assert exemplar_references(first_exemplars(ranked, 2)) == ["c.h5#T1", "b.h5#T1"]
    assert exemplar_references(first_exemplars(ranked, 2, exclude=("c.h5", "T1"))) == ["b.h5#T1", "a.h5#T1"]
    assert first_exemplars(ranked, 5).equals(ranked)
    assert exemplar_reference("sub/s.h5", "r1") == "sub/s.h5#r1"


def test_other_takes_are_the_rest_of_the_action_with_the_athletes_own_first(tmp_path):
    from analysis.exemplars import other_takes
    from analysis.session.library import Library

    index = _index()
    index = pd.concat([index, pd.DataFrame({
        "file": ["g.h5", "g.h5", "d.h5"], "take": ["T1", "T2", "T2"], "event": ["WFE"] * 3, "action": ["X"] * 3,
        "athlete": ["A0", "A0", "A4"], "score": [8.0, 8.5, 9.0], "is_exemplar": [False] * 3,
        "has_video": [False] * 3})], ignore_index=True)
    library = Library(tmp_path, index, [])
    exemplars = rank_exemplars(index, "X", "WFE", exclude=("d.h5", "T1"))
    others = other_takes(library, tmp_path / "d.h5", "T1", "X", "A4", exemplars)
    # the athlete's own other take first; then the rest by athlete (the unscored exemplar f.h5 is not ranked)
    assert exemplar_references(others) == ["d.h5#T2", "g.h5#T1", "g.h5#T2", "f.h5#T1"]
