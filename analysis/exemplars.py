"""The one exemplar policy: which exemplars a take is compared with and scored against.

Every place that chooses exemplars for a take asks this module: the compare tab
(its proposal and its list), the scoring in the app, ``main.py score``,
``main.py evaluate``, the export dialog and ``main.py export --layout compare``.
So one take meets the same exemplars wherever it is looked at.

The policy, over a library index (:attr:`analysis.session.library.Library.index`):

- the candidates are the takes flagged ``is_exemplar`` of the take's action that
  carry a score (a reference without a known score cannot anchor a score);
- never the take itself;
- best first: with video first (every exemplar is penalty-free, and footage is
  what a coach compares against), then the highest score, then the take's own
  event, then an event of the same sex; remaining ties by ``file``, then
  ``take``, so the order never depends on how the index was sorted.

Scoring uses the first K of that order (K = the model's ``k_exemplars``); the
compare tab proposes the first one. The compare tab also lists the *other takes*
of the action (:func:`other_takes`): a take can be compared with any of them
(the same athlete's earlier take, say), but scoring uses exemplars only.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.motion.kinematics import sex_for_event
from analysis.session.library import Library

#: Separates the file and the take id in a printed exemplar reference.
REFERENCE_SEPARATOR = "#"


def rank_exemplars(index: pd.DataFrame, action: str, event: str,
                   exclude: tuple[str, str] | None = None) -> pd.DataFrame:
    """The exemplars of ``action`` in a library index, best first (the module's policy).

    Parameters
    ----------
    index : pandas.DataFrame
        Library index rows; needs the columns ``file``, ``take``, ``event``,
        ``action``, ``score``, ``is_exemplar`` and ``has_video``. Other columns
        are kept.
    action : str
        Action code of the take the exemplars are for.
    event : str
        Event of that take's session.
    exclude : (str, str), optional
        ``file`` (as in ``index``) and take id of the take itself; None when the
        take is not in ``index``.

    Returns
    -------
    pandas.DataFrame
        The chosen rows of ``index``, best first, with a fresh 0..n-1 index.
    """
    rows = index[(index["action"] == action) & index["is_exemplar"] & index["score"].notna()]
    sex = sex_for_event(event)
    keys = [(not has_video, -score, row_event != event, sex_for_event(row_event) != sex, file, take)
            for has_video, score, row_event, file, take
            in zip(rows["has_video"], rows["score"], rows["event"], rows["file"], rows["take"])]
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return _without(rows.iloc[order], exclude).reset_index(drop=True)


def take_exemplars(library: Library, session_path: str | Path, take_id: str, action: str,
                   event: str) -> pd.DataFrame:
    """:func:`rank_exemplars` in ``library`` for take ``take_id`` of the session file ``session_path``.

    The take itself is excluded when its file lies inside the library's folder.
    """
    own_file = library.file_of(session_path)
    return rank_exemplars(library.index, action, event, None if own_file is None else (own_file, take_id))


def other_takes(library: Library, session_path: str | Path, take_id: str, action: str, athlete: str,
                exemplars: pd.DataFrame) -> pd.DataFrame:
    """The takes of ``action`` in ``library`` that a take can be compared with besides its exemplars.

    Every take of the action but the take itself and the rows of ``exemplars`` (the
    ranking of :func:`take_exemplars`); ``athlete``'s own takes first, then by athlete,
    file and take.

    Returns
    -------
    pandas.DataFrame
        Library index rows, with a fresh 0..n-1 index.
    """
    index = library.index
    rows = index[index["action"] == action]
    listed = set(zip(exemplars["file"], exemplars["take"])) if not exemplars.empty else set()
    own_file = library.file_of(session_path)
    keep = [(file, take) not in listed and (file, take) != (own_file, take_id)
            for file, take in zip(rows["file"], rows["take"])]
    rows = rows[keep]
    keys = list(zip(rows["athlete"] != athlete, rows["athlete"], rows["file"], rows["take"]))
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return rows.iloc[order].reset_index(drop=True)


def first_exemplars(ranked: pd.DataFrame, k: int, exclude: tuple[str, str] | None = None) -> pd.DataFrame:
    """The first ``k`` exemplars of a ranking from :func:`rank_exemplars`, never ``exclude`` = (file, take).

    The exemplars a take is scored against, with ``k`` the model's ``k_exemplars``.
    """
    return _without(ranked, exclude).head(k).reset_index(drop=True)


def exemplar_reference(file: str, take: str) -> str:
    """``"FILE#TAKE"``: how commands name an exemplar (``file`` as in the library index)."""
    return f"{file}{REFERENCE_SEPARATOR}{take}"


def exemplar_references(rows: pd.DataFrame) -> list[str]:
    """:func:`exemplar_reference` of every row (columns ``file`` and ``take``), in order."""
    return [exemplar_reference(row.file, row.take) for row in rows.itertuples()]


def _without(rows: pd.DataFrame, exclude: tuple[str, str] | None) -> pd.DataFrame:
    if exclude is None:
        return rows
    return rows[~((rows["file"] == exclude[0]) & (rows["take"] == exclude[1]))]
