"""An athlete's takes of an action in the order performed: sessions by date, takes in session order."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.progress import athlete_action_takes, progress_table


def test_takes_are_ordered_by_session_date_then_within_the_session():
    index = pd.DataFrame({
        "file": ["b.h5", "b.h5", "a.h5", "a.h5", "c.h5", "x.h5"],
        "take": ["t2", "t1", "t1", "t2", "t1", "t1"],
        "athlete": ["A1", "A1", "A1", "A1", "A1", "A2"],
        "action": ["X"] * 5 + ["X"],
        "score": [9.0, 8.0, 7.0, np.nan, 9.5, 10.0],
    })
    rows = athlete_action_takes(index, "A1", "X")
    assert set(rows["file"]) == {"a.h5", "b.h5", "c.h5"}
    created = {"a.h5": "2026-03-01", "b.h5": "2026-01-15", "c.h5": None}   # c.h5 has no date: last
    order = {"a.h5": ("t2", "t1"), "b.h5": ("t1", "t2"), "c.h5": ("t1",)}
    table = progress_table(rows, created, order, {("a.h5", "t1"): 7.4})
    assert list(zip(table["file"], table["take"])) == [("b.h5", "t1"), ("b.h5", "t2"), ("a.h5", "t2"),
                                                       ("a.h5", "t1"), ("c.h5", "t1")]
    assert table["session"].tolist() == [1, 1, 2, 2, 3] and table["order"].tolist() == [0, 1, 2, 3, 4]
    assert table["annotated"].tolist()[:2] == [8.0, 9.0] and np.isnan(table["annotated"].iloc[2])
    assert table["predicted"].iloc[3] == 7.4 and table["predicted"].isna().sum() == 4
