"""An athlete's progress on one action: their takes of it in the order they were performed.

The takes come from a library index; the sessions are ordered by when they were
recorded (the session file's ``created`` attribute; files without one after the
dated ones, by name), and the takes within a session in the session's own order.
Pure pandas: the scores (annotated from the index, predicted by a model) are
columns the caller fills.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

PROGRESS_COLUMNS = ("file", "take", "session", "created", "order", "annotated", "predicted")


def athlete_action_takes(index: pd.DataFrame, athlete: str, action: str) -> pd.DataFrame:
    """The library index rows of ``athlete``'s takes of ``action`` (exemplars included)."""
    return index[(index["athlete"] == athlete) & (index["action"] == action)]


def progress_table(rows: pd.DataFrame, created: Mapping[str, str | None], take_order: Mapping[str, Sequence[str]],
                   predicted: Mapping[tuple[str, str], float]) -> pd.DataFrame:
    """The takes of :func:`athlete_action_takes` in the order they were performed, with their scores.

    Parameters
    ----------
    rows : DataFrame
        Library index rows (``file``, ``take``, ``score``).
    created : mapping of file to str or None
        Each session's ``created`` attribute (ISO 8601), None when it has none.
    take_order : mapping of file to sequence of str
        Each session's take ids in session order.
    predicted : mapping of (file, take) to float
        The model's score of each take it scored (NaN or missing: not scored).

    Returns
    -------
    DataFrame
        Columns :data:`PROGRESS_COLUMNS`: ``session`` numbers the sessions from 1 in
        recording order, ``order`` the takes from 0; ``annotated`` and ``predicted``
        are NaN where unknown.
    """
    files = sorted(set(rows["file"]), key=lambda f: (created.get(f) is None, created.get(f) or "", f))
    session_of = {file: k + 1 for k, file in enumerate(files)}

    def position(file: str, take: str) -> int:
        order = list(take_order.get(file, ()))
        return order.index(take) if take in order else len(order)

    table = pd.DataFrame({
        "file": rows["file"].to_numpy(), "take": rows["take"].to_numpy(),
        "session": [session_of[f] for f in rows["file"]],
        "created": [created.get(f) or "" for f in rows["file"]],
        "within": [position(f, t) for f, t in zip(rows["file"], rows["take"])],
        "annotated": rows["score"].to_numpy(dtype=np.float64),
        "predicted": [float(predicted.get((f, t), np.nan)) for f, t in zip(rows["file"], rows["take"])],
    })
    table = table.sort_values(["session", "within", "take"], ignore_index=True)
    table["order"] = np.arange(len(table))
    return table[list(PROGRESS_COLUMNS)]
