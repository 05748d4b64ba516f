"""The library browser's rows: every take of a library, labelled, in browsing order, with the text the filter searches.

Computed once per library and kept while the library lives, by whichever asks first: the
library scan asks in its worker (:func:`app.gui.session_controller.scan_and_list`), so the
browser finds the rows ready instead of sorting and labelling thousands of takes on the GUI
thread. Each take reads ``"Lena K. · take 2"``: the athlete's name (the index's
``athlete_name``) and the take's number among that athlete's takes of the action, in file and
session order, so every row of an action differs. No Qt.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.session.contract import EVENT_NAMES
from analysis.session.library import Library

#: Browsing order: event, level, action, then the exemplars first, then by athlete and session.
TAKE_ORDER = ["event", "level", "action", "exemplar_first", "athlete_name", "file", "position"]
#: Index columns the filter searches (with the event's name and "level N").
SEARCHED = ("event", "action", "action_name", "athlete", "athlete_name", "take", "file", "label")


@dataclass(frozen=True, eq=False)
class LibraryListing:
    """The rows of a library, in browsing order.

    Attributes
    ----------
    table : pandas.DataFrame
        The library index sorted by :data:`TAKE_ORDER`, plus ``label``, ``exemplar_first`` and
        ``action_score`` (the mean score of the action's takes).
    haystack : ndarray of str, shape (n,)
        Each row's searched text, lower case.
    """

    table: pd.DataFrame
    haystack: np.ndarray


_listings: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def library_listing(library: Library) -> LibraryListing:
    """The listing of ``library``, computed on first request (from any thread) and kept with it."""
    with _lock:
        listing = _listings.get(library)
    if listing is None:
        listing = _list(library.index)
        with _lock:
            _listings[library] = listing
    return listing


def take_labels(index: pd.DataFrame) -> pd.Series:
    """``"NAME · take N"`` for every row of a library index: N counts that athlete's takes of the
    action (by file, then position in the session), so the labels of an action are unique."""
    if index.empty:
        return pd.Series([], index=index.index, dtype=object)
    order = index.sort_values(["action", "athlete_name", "file", "position"])
    numbers = order.groupby(["action", "athlete_name"], sort=False).cumcount() + 1
    return (order["athlete_name"] + " · take " + numbers.astype(str)).reindex(index.index)


def _list(index: pd.DataFrame) -> LibraryListing:
    if index.empty:
        return LibraryListing(pd.DataFrame(), np.zeros(0, dtype=object))
    table = index.copy()
    table["label"] = take_labels(table)
    table["exemplar_first"] = ~table["is_exemplar"]
    table["action_score"] = table.groupby("action")["score"].transform("mean")
    table = table.sort_values(TAKE_ORDER, ignore_index=True)
    columns = [table[name].astype(str) for name in SEARCHED]
    columns += [table["event"].map(EVENT_NAMES).fillna("").astype(str), "level " + table["level"].astype(str)]
    return LibraryListing(table, columns[0].str.cat(columns[1:], sep=" ").str.lower().to_numpy(dtype=object))
