"""Scoring takes read from session files: the file-reading side of ``score``, ``evaluate`` and the app.

The models take numpy in and give numpy out; this module reads what they need.
The exemplars of a take are chosen by the one policy (:mod:`analysis.exemplars`,
the first K) and read from the library they are indexed in, so ``score``,
``evaluate`` and the app score a take against the same exemplars.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.exemplars import exemplar_references, first_exemplars, take_exemplars
from analysis.session.library import Library, library_file
from analysis.session.reader import Session
from app.cli.library_index import scan_library
from app.cli.training_data import load_library_data
from models.data import LibraryData
from models.evaluate import predict_takes, score_metrics
from models.intervals import IntervalCalibration, calibrate, interval_report
from models.scorer import Exemplar, Scorer, TakeScore
from models.spans import penalty_metrics


def exemplar_key(path: str | Path, take: str, modality: str) -> str:
    """The identity of an exemplar's embedding: its file (resolved, with size and modification time),
    take and modality; a changed file gets a new key."""
    path = Path(path).resolve()
    try:
        status = path.stat()
        stamp = f"{status.st_size}:{status.st_mtime_ns}"
    except OSError:
        stamp = "missing"
    return f"{path}#{take}:{modality}@{stamp}"


def read_exemplar(library: Library, file: str, take: str, score: float, modality: str) -> Exemplar:
    """The pose of exemplar ``take`` of library ``file`` that a model of ``modality`` needs.

    Parameters
    ----------
    modality : {"pose3d", "pose2d", "pose2d_views"}
        Only that pose is read (2D for both 2D modalities); the other is None.
    """
    with library.open(file) as session:
        return Exemplar(exemplar_key(library.path_of(file), take, modality),
                        session.pose3d(take) if modality == "pose3d" else None,
                        session.pose2d(take) if modality != "pose3d" else None, float(score))


def scoring_exemplars(library: Library, session_path: str | Path, take_id: str, action: str, event: str,
                      k: int) -> pd.DataFrame:
    """The library index rows of the ``k`` exemplars a take is scored against, best first."""
    return first_exemplars(take_exemplars(library, session_path, take_id, action, event), k)


def score_library_take(scorer: Scorer, library: Library, session: Session,
                       take_id: str) -> tuple[TakeScore | None, pd.DataFrame, str | None]:
    """Score one take of an open session against the first K exemplars of its action in ``library``.

    Returns
    -------
    (TakeScore or None, DataFrame, str or None)
        The verdict; the library index rows of the exemplars chosen, best first;
        and, when the verdict is None, why the take was not scored: a contrastive
        model finds no exemplar of the action with the pose it scores, the take
        lacks that pose, or its pose cannot be read (no hip in any frame).
    """
    info = session.take(take_id)
    modality = scorer.model.config.modality
    contrastive = scorer.model.network.contrastive
    rows = scoring_exemplars(library, session.path, take_id, info.action, session.event,
                             scorer.model.config.k_exemplars) if contrastive else pd.DataFrame()
    exemplars = [read_exemplar(library, row.file, row.take, row.score, modality) for row in rows.itertuples()]
    exemplars = [e for e in exemplars if (e.pose3d if modality == "pose3d" else e.pose2d) is not None]
    pose3d = session.pose3d(take_id)
    if modality == "pose3d" and pose3d is None:
        return None, rows, "the take has no pose3d"
    if contrastive and not exemplars:
        return None, rows, "no exemplar of this action in the exemplar library"
    try:
        return scorer.score(pose3d, session.pose2d(take_id), exemplars), rows, None
    except ValueError as error:   # a pose the model cannot read (no hip in any frame, other joints)
        return None, rows, str(error)


def score_session(scorer: Scorer, file: str | Path, exemplar_folder: str | Path) -> dict:
    """Predicted score and penalty probabilities of every take of ``file``.

    Returns
    -------
    dict
        ``file``, ``interval_coverage`` (the nominal coverage of the intervals, None
        for a model without calibration) and ``takes``: one dict per take with
        ``take``, ``action``, ``predicted``, ``interval`` ([low, high] or None),
        ``annotated`` (None when unscored), ``n_exemplars``, ``exemplars`` (the
        ones used, as ``"FILE#TAKE"`` with FILE relative to ``exemplar_folder``)
        and ``penalties`` (:func:`penalty_entries`, most probable first). Takes
        whose action has no exemplar (for a contrastive model), that lack the pose
        the model scores or whose pose it cannot read (no hips anywhere) are listed
        with ``predicted`` None and ``not_scored`` saying why.
    """
    file = Path(file)
    catalogue = load_penalty_catalogue()
    library = scan_library(exemplar_folder)
    takes = []
    with Session.open(file) as session:
        for take_id, info in session.takes.items():
            result, rows, not_scored = score_library_take(scorer, library, session, take_id)
            entry = {"take": take_id, "action": info.action,
                     "annotated": None if math.isnan(info.score) else float(info.score),
                     "n_exemplars": 0 if result is None else len(result.per_exemplar),
                     "exemplars": exemplar_references(rows)}
            if result is None:
                takes.append({**entry, "predicted": None, "interval": None, "not_scored": not_scored,
                              "penalties": []})
                continue
            takes.append({**entry, "predicted": result.score,
                          "interval": None if result.interval is None else list(result.interval),
                          "penalties": penalty_entries(result, catalogue)})
    calibration = scorer.model.calibration
    return {"file": str(file), "interval_coverage": None if calibration is None else calibration.coverage,
            "takes": takes}


def penalty_entries(result: TakeScore, catalogue: dict) -> list[dict]:
    """``{code, name, probability, start, end}`` per penalty item of a scored take, most probable first.

    ``start`` and ``end`` are the item's predicted span, end exclusive as in the session file
    (:func:`analysis.penalty_review.predicted_span`); ``name`` is the catalogue's (the code when unknown).
    """
    entries = [{"code": code, "name": catalogue[code].name if code in catalogue else code,
                "probability": float(probability), "start": int(span[0]), "end": int(span[1])}
               for code, probability, span in zip(result.penalty_codes, result.penalty_probabilities,
                                                  result.penalty_spans)]
    return sorted(entries, key=lambda entry: -entry["probability"])


def library_predictions(model, library, exemplars, device: torch.device
                        ) -> tuple[pd.DataFrame, np.ndarray | None, LibraryData]:
    """Score every scored take of ``library`` against the first K exemplars of its action.

    Parameters
    ----------
    model : models.checkpoint.ScoringModel
    library : path
        Library folder of the takes to score.
    exemplars : path or None
        Library folder of the exemplars; None takes them from ``library`` (never a take itself).

    Returns
    -------
    scored : pandas.DataFrame
        :func:`models.evaluate.predict_takes`' rows: ``score`` (annotated), ``predicted``,
        ``spread``, ``n_exemplars``, ``exemplars`` and the index columns.
    step_probabilities : numpy.ndarray, shape (n, H, S'), or None without heads
    targets : LibraryData
        The library read (its ``labels`` and ``spans`` by the ``row`` column of ``scored``).
    """
    config = model.config
    codes = tuple(model.head_codes)
    if model.network.reads_crops:
        raise ValueError("this model reads video crops rendered from synthetic takes (the modality ablation): "
                         "bench/bench_streams.py trains and measures such models")
    targets = load_library_data(library, config.modality, config.n_steps, codes, angles=config.angles)
    references = targets if exemplars is None else load_library_data(exemplars, config.modality, config.n_steps, codes,
                                                                     angles=config.angles)
    own_files = [library_file(references.root, Path(targets.root) / file) for file in targets.index["file"]]
    scored, steps = predict_takes(model.network, targets.features, targets.index, references.features,
                                  references.index, config.k_exemplars, own_files, model.score_offset, device,
                                  model.test_mirror)
    return scored, steps, targets


def evaluate_library(model, library, exemplars, device: torch.device) -> dict:
    """Score every scored take of ``library`` against K exemplars of its action (:func:`library_predictions`).

    Returns
    -------
    dict
        :func:`models.evaluate.score_metrics` with ``per_level`` and ``per_event``, plus ``n_unscored``
        (takes whose action has no exemplar); ``interval`` (None without calibration:
        :func:`models.intervals.interval_report`, coverage measured on trainee takes);
        ``penalties`` (:func:`models.spans.penalty_metrics`: per item AUC and span
        IoU; None without heads); and ``takes``: per scored take its ``file``,
        ``take``, ``action``, ``score``, ``predicted``, ``interval`` and
        ``exemplars`` (those used, as ``"FILE#TAKE"`` with FILE relative to the
        exemplar library).
    """
    scored, steps, targets = library_predictions(model, library, exemplars, device)
    truth = scored["score"].to_numpy()
    metrics = score_metrics(scored["predicted"].to_numpy(), truth, scored)
    metrics["n_unscored"] = int(len(targets.index) - len(scored))
    intervals = None
    if model.calibration is not None:
        intervals = model.calibration.intervals(scored["predicted"].to_numpy(), scored["spread"].to_numpy(),
                                                scored["n_exemplars"].to_numpy())
        metrics["interval"] = interval_report(truth, intervals, scored["is_exemplar"].to_numpy(bool),
                                              model.calibration.coverage)
    else:
        metrics["interval"] = None
    rows = scored["row"].to_numpy()
    metrics["penalties"] = None if steps is None else penalty_metrics(
        steps, tuple(model.head_codes), targets.labels[rows],
        [targets.spans[r] for r in rows], scored["n_frames"].to_numpy())
    takes = scored[["file", "take", "action", "score", "predicted", "exemplars"]]
    metrics["takes"] = takes.assign(interval=[None] * len(takes) if intervals is None else intervals.tolist()
                                    ).to_dict("records")
    return metrics


def calibrate_library_intervals(model, libraries, device: torch.device, coverage: float, floor: float,
                                deduction_weight: float) -> IntervalCalibration:
    """Split-conformal interval calibration of ``model`` on libraries of athletes it never saw.

    Each library's trainee takes (not its exemplars, a population of their own) are scored against
    its exemplars (:func:`library_predictions`); one quantile per number of exemplars used
    (:func:`models.intervals.calibrate`).

    Parameters
    ----------
    libraries : sequence of path
        Library folders (e.g. freshly generated with seeds never trained on).
    coverage : float
        Nominal coverage, e.g. 0.9.
    floor, deduction_weight : float
        The nonconformity's scale (:func:`models.intervals.interval_scale`).
    """
    parts = [library_predictions(model, library, None, device)[0] for library in libraries]
    scored = pd.concat(parts, ignore_index=True)
    scored = scored[~scored["is_exemplar"].to_numpy(bool)]    # the takes a coach scores: trainees
    if scored.empty:
        raise ValueError(f"no take of {', '.join(map(str, libraries))} could be scored: nothing to calibrate on")
    source = f"{len(scored)} takes of {', '.join(Path(library).name for library in libraries)}"
    return calibrate(scored["score"].to_numpy(), scored["predicted"].to_numpy(), scored["spread"].to_numpy(),
                     scored["n_exemplars"].to_numpy(), coverage, floor, deduction_weight, source)
