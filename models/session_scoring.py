"""Score the takes of a session file against exemplars found in a library folder."""

from __future__ import annotations

import math
from pathlib import Path

from analysis.session.library import Library
from analysis.session.reader import Session
from models.scorer import Exemplar, Scorer


def library_exemplars(library: Library, action: str, k: int, exclude: tuple[Path, str] | None) -> list[Exemplar]:
    """The first ``k`` exemplars of ``action`` (ordered by file, take), never ``exclude`` = (path, take)."""
    rows = library.exemplars(action).sort_values(["file", "take"])
    chosen = []
    for row in rows.itertuples():
        path = library.path_of(row.file)
        if exclude is not None and path.resolve() == exclude[0].resolve() and row.take == exclude[1]:
            continue
        with library.open(row.file) as session:
            chosen.append(Exemplar(f"{path.resolve()}:{row.take}", session.pose3d(row.take), session.pose2d(row.take),
                                   float(row.score)))
        if len(chosen) == k:
            break
    return chosen


def score_session(scorer: Scorer, file: str | Path, exemplar_folder: str | Path) -> dict:
    """Predicted score and penalty probabilities of every take of ``file``.

    Returns
    -------
    dict
        ``file`` and ``takes``: one dict per take with ``take``, ``action``,
        ``predicted``, ``annotated`` (None when unscored), ``n_exemplars`` and
        ``penalties`` (code to probability). Takes whose action has no exemplar
        (for a contrastive model) are listed with ``predicted`` None.
    """
    file = Path(file)
    library = Library.scan(exemplar_folder)
    k = scorer.model.config.k_exemplars
    takes = []
    with Session.open(file) as session:
        for take_id, info in session.takes.items():
            exemplars = library_exemplars(library, info.action, k, (file, take_id))
            entry = {"take": take_id, "action": info.action,
                     "annotated": None if math.isnan(info.score) else float(info.score), "n_exemplars": len(exemplars)}
            if scorer.model.network.contrastive and not exemplars:
                takes.append({**entry, "predicted": None, "penalties": {}})
                continue
            result = scorer.score(session.pose3d(take_id), session.pose2d(take_id), exemplars)
            takes.append({**entry, "predicted": result.score,
                          "penalties": dict(zip(result.penalty_codes, result.penalty_probabilities.tolist()))})
    return {"file": str(file), "takes": takes}
