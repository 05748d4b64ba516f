"""Training data from a library: backbone inputs, labels, the athlete split,
the exemplar pools of the training pairs and the pair orderings (mixed, curriculum).

Numpy and pandas only; the conversion to torch happens in :mod:`models.train`.
The files are read on the application's side (:mod:`app.cli.training_data`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.motion.skeleton import Skeleton


@dataclass
class LibraryData:
    """Every scored take of a library, ready for the model.

    Attributes
    ----------
    root : str
        The library folder.
    index : pandas.DataFrame
        One row per take (the library index columns plus ``sex``, ``clean_score``
        = 10 − Σ penalties floored at 0, and ``row`` = position in the arrays).
    features : numpy.ndarray, shape (N, D, S, J), or (N, V, D, S, J) with every view, float32
    labels : numpy.ndarray, shape (N, H), float32
        1 where the take carries penalty item ``codes[h]``.
    spans : list of dict, length N
        Per take, penalty code to its (start, end) frame span (inclusive; -1 unknown).
    codes : tuple of str
        The penalty catalogue's item codes, in catalogue order.
    skeleton : Skeleton
    crops : numpy.ndarray, shape (N, S, 3, H, W), uint8, or None
        Video crops around the athlete at the S steps of each take (one camera), for
        models with a video stream; None when not read.
    """

    root: str
    index: pd.DataFrame
    features: np.ndarray
    labels: np.ndarray
    spans: list[dict[str, tuple[int, int]]]
    codes: tuple[str, ...]
    skeleton: Skeleton
    crops: np.ndarray | None = None


@dataclass(frozen=True)
class AthleteSplit:
    """Athlete ids of each part. Exemplar athletes are references and always train."""

    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]

    def rows(self, index: pd.DataFrame, part: str) -> np.ndarray:
        """Array rows of the takes of ``part`` (``train``, ``validation`` or ``test``)."""
        return index.loc[index["athlete"].isin(getattr(self, part)), "row"].to_numpy()


def athlete_split(index: pd.DataFrame) -> AthleteSplit:
    """Split trainee athletes so that test (and validation) athletes are unseen.

    Per sex (the events differ by sex), trainees sorted by id: the last goes to
    test when there are at least 2, the one before to validation when there are
    at least 3; the rest, and every exemplar athlete, train.
    """
    exemplar_athletes = set(index.loc[index["is_exemplar"], "athlete"])
    train, validation, test = set(exemplar_athletes), set(), set()
    for _, group in index.groupby("sex"):
        trainees = sorted(set(group["athlete"]) - exemplar_athletes)
        if len(trainees) >= 2:
            test.add(trainees.pop())
        if len(trainees) >= 2:
            validation.add(trainees.pop())
        train.update(trainees)
    return AthleteSplit(tuple(sorted(train)), tuple(sorted(validation)), tuple(sorted(test)))


def exemplars_by_action(index: pd.DataFrame, extra_rows: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Action code to the rows of all its exemplar takes, in a fixed order (file, take).

    The pool training pairs are drawn from at random; which exemplars a take is
    scored against is :mod:`analysis.exemplars`' choice. ``extra_rows`` (e.g.
    :func:`fault_free_rows`) join the pools of their actions as references.
    """
    pooled = index["is_exemplar"].to_numpy(bool).copy()
    if extra_rows is not None:
        pooled[index["row"].isin(extra_rows).to_numpy()] = True
    exemplars = index[pooled].sort_values(["file", "take"])
    return {action: rows["row"].to_numpy() for action, rows in exemplars.groupby("action")}


def fault_free_rows(index: pd.DataFrame, labels: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The trainee takes among ``rows`` that carry no penalty item (``labels`` (N, H) all 0).

    Scored like exemplars but performed by other athletes, they widen the training
    pairs' references beyond the few exemplar athletes of a library.
    """
    rows = np.asarray(rows)
    clean = (labels[rows].sum(axis=1) == 0) & ~index["is_exemplar"].to_numpy(bool)[rows]
    return rows[clean]


def epoch_pairs(index: pd.DataFrame, rows: np.ndarray, exemplars: dict[str, np.ndarray], ordering: str,
                epoch: int, n_epochs: int, rng: np.random.Generator, partners_per_take: int = 1,
                group_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Training pairs of one epoch, in the order they are to be seen.

    The targets of each action are dealt, in random order, into groups of up to
    ``group_size`` takes; each group meets the same ``partners_per_take`` distinct
    exemplars of its action, drawn at random (all of them when the action has
    fewer). Consecutive pairs thus share their takes, so that a batch embeds each
    take once for several pairs. An exemplar target may meet itself: a zero
    difference is a valid lesson.

    ``mixed`` shuffles the groups. ``curriculum`` introduces levels in order over
    the first half of the epochs (level 1 first, all levels from then on) and
    presents each epoch's groups easiest level first, shuffled within a level.

    Returns
    -------
    targets, partners : numpy.ndarray of int, shape (P,)
        Array rows; takes whose action has no exemplar are left out.
    """
    rows = np.asarray(rows)
    actions = index["action"].to_numpy()[rows]
    keep = np.array([action in exemplars for action in actions], dtype=bool)
    rows, actions = rows[keep], actions[keep]
    levels = index["level"].to_numpy()[rows]
    if ordering == "curriculum":
        all_levels = np.unique(levels)
        warmup = max(1, n_epochs // 2)
        stage = min(len(all_levels), 1 + epoch * len(all_levels) // warmup)
        allowed = np.isin(levels, all_levels[:stage])
        rows, actions, levels = rows[allowed], actions[allowed], levels[allowed]
    groups, group_levels = [], []
    for action in np.unique(actions):
        members = rng.permutation(rows[actions == action])
        for start in range(0, len(members), group_size):
            chosen = rng.permutation(exemplars[action])[:partners_per_take]
            targets = members[start:start + group_size]
            groups.append((np.repeat(targets, len(chosen)), np.tile(chosen, len(targets))))
            group_levels.append(levels[actions == action][0])
    order = rng.permutation(len(groups))
    if ordering == "curriculum":
        order = order[np.argsort(np.asarray(group_levels)[order], kind="stable")]
    if not groups:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    targets = np.concatenate([groups[i][0] for i in order]).astype(np.int64)
    partners = np.concatenate([groups[i][1] for i in order]).astype(np.int64)
    return targets, partners


def curriculum_complete(ordering: str, epoch: int, n_epochs: int) -> bool:
    """Whether every level has been introduced by ``epoch`` (always true for mixed)."""
    return ordering != "curriculum" or epoch + 1 >= max(1, n_epochs // 2)
