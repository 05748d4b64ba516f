"""The scoring jobs the window runs in its compute process (:mod:`app.gui.compute_process`).

They run in the child, where torch lives: each checkpoint is loaded once (again when
its file changes) and keeps the embeddings of the exemplars it has seen; the progress
panel's predictions are kept by session file, take and model. The requests carry only
plain data (arrays, paths, the library index), so the child imports no Qt.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.catalogue.penalties import load_penalty_catalogue
from analysis.progress import athlete_action_takes, progress_table
from analysis.session.contract import SessionFormatError
from analysis.session.library import Library
from analysis.session.reader import Session
from app.gui.embedding_store import EmbeddingStore
from viewer.model.exemplar_bundle import no_exemplar_message
from viewer.model.progress_series import ProgressSeries
from viewer.model.scoring_result import ExemplarUsed, ScoringResult, joint_responsibility
from viewer.model.take_bundle import TakeBundle


@dataclass(frozen=True)
class ModelChoice:
    """The checkpoint to score with: its file, name and version (as the model registry lists it)."""

    path: Path
    name: str
    version: str


@dataclass(frozen=True)
class TakeToScore:
    """What scoring reads of a take: its identity and poses (T frames, J joints, V views)."""

    take_id: str
    action: str
    action_name: str
    n_frames: int
    joint_names: tuple[str, ...]
    pose3d: np.ndarray | None      # (T, J, 3) metres
    pose2d: np.ndarray | None      # (V, T, J, 3) pixels and confidence

    @classmethod
    def of(cls, take: TakeBundle) -> TakeToScore:
        return cls(take.take_id, take.info.action, take.info.action_name, take.n_frames,
                   tuple(take.skeleton.joint_names), take.pose3d, take.pose2d)


@dataclass(frozen=True)
class ScoringRequest:
    """One take to score against the K best exemplars of its action in ``library``."""

    take: TakeToScore
    session_path: Path
    event: str
    model: ModelChoice
    library: Library
    embeddings: EmbeddingStore


@dataclass(frozen=True)
class ProgressRequest:
    """Every take of ``athlete`` doing ``action`` in ``library``, to score for the progress panel."""

    library: Library
    athlete: str
    action: str
    model: ModelChoice


_scorers: dict[Path, tuple[tuple[int, int], object]] = {}
#: (session path, modification time ns, take, model path, model modification time ns) -> predicted score.
_predictions: dict[tuple, float] = {}


def scorer_for(path: Path):
    """The :class:`models.scorer.Scorer` of checkpoint ``path``, loaded once per version of the file."""
    from models.scorer import Scorer

    status = Path(path).stat()
    stamp = (status.st_size, status.st_mtime_ns)
    loaded = _scorers.get(path)
    if loaded is None or loaded[0] != stamp:
        loaded = _scorers[path] = (stamp, Scorer.load(path, single_thread=True))
    return loaded[1]


def score_take(request: ScoringRequest) -> Generator[tuple[int, int, str], None, ScoringResult]:
    """Yields ``(step, steps, message)``; returns the :class:`ScoringResult`.

    Raises
    ------
    ValueError
        If the take has no pose the model can use, or its action has no exemplar in the library.
    """
    from app.cli.scoring import read_exemplar, scoring_exemplars

    take, library = request.take, request.library
    yield 0, 3, f"Loading model {request.model.name} …"
    scorer = scorer_for(request.model.path)
    modality = scorer.model.config.modality
    if modality == "pose3d" and take.pose3d is None:
        raise ValueError(f"take {take.take_id} has no 3D pose: it cannot be scored")
    chosen = scoring_exemplars(library, request.session_path, take.take_id, take.action, request.event,
                               scorer.model.config.k_exemplars) if scorer.model.network.contrastive else None
    if chosen is not None and chosen.empty:
        raise ValueError(no_exemplar_message(take.action_name, library.root))
    rows = [] if chosen is None else list(chosen.itertuples())
    steps = 2 + len(rows)
    exemplars, computed = [], []
    for i, row in enumerate(rows):
        yield 1 + i, steps, f"Reading exemplar {row.take} ({i + 1}/{len(rows)}) …"
        exemplar = _embedded_exemplar(scorer, request, row, modality)
        if exemplar is None:
            exemplar = read_exemplar(library, row.file, row.take, row.score, modality)
            computed.append(exemplar.key)
        exemplars.append(exemplar)
    yield steps - 1, steps, f"Scoring take {take.take_id} against {exemplar_count(len(exemplars))} …"
    verdict = scorer.score(take.pose3d, take.pose2d if modality != "pose3d" else None, exemplars)
    for key in computed:
        request.embeddings.save(request.model.path, key, scorer.embedding_arrays(key))
    catalogue = load_penalty_catalogue()
    codes = tuple(verdict.penalty_codes) if len(verdict.penalty_probabilities) else ()
    return ScoringResult(
        take_id=take.take_id,
        predicted=float(verdict.score),
        exemplars=tuple(ExemplarUsed(row.file, row.take, str(row.athlete_name), float(row.score)) for row in rows),
        penalty_codes=codes,
        penalty_names=tuple(catalogue[c].name if c in catalogue else c for c in codes),
        probabilities=np.asarray(verdict.penalty_probabilities, float),
        heatmap=np.asarray(verdict.heatmap, float).reshape(len(codes), take.n_frames),
        joint_responsibility=joint_responsibility(verdict.penalty_probabilities, codes, take.joint_names, catalogue),
        model_name=request.model.name,
        model_version=request.model.version,
        penalty_spans=np.asarray(verdict.penalty_spans, dtype=np.int64).reshape(len(codes), 2),
        interval=verdict.interval,
        interval_coverage=verdict.interval_coverage,
    )


def score_progress(request: ProgressRequest) -> Generator[tuple[int, int, str], None, ProgressSeries]:
    """Yields ``(done, total, message)`` per take scored; returns the athlete's series for the action."""
    from app.cli.scoring import score_library_take

    library = request.library
    rows = athlete_action_takes(library.index, request.athlete, request.action)
    model_stamp = Path(request.model.path).stat().st_mtime_ns
    created, take_order, predicted = {}, {}, {}
    done = 0
    for file, group in rows.groupby("file", sort=True):
        path = library.path_of(file)
        try:
            stamp = path.stat().st_mtime_ns
            with Session.open(path) as session:
                created[file], take_order[file] = session.created, session.take_ids
                for take in group["take"]:
                    key = (str(path.resolve()), stamp, take, str(request.model.path), model_stamp)
                    if key not in _predictions:
                        yield done, len(rows), f"Scoring {take} ({done + 1}/{len(rows)}) …"
                        verdict, _, _ = score_library_take(scorer_for(request.model.path), library, session, take)
                        _predictions[key] = math.nan if verdict is None else float(verdict.score)
                    predicted[(file, take)] = _predictions[key]
                    done += 1
        except (OSError, SessionFormatError):
            done += len(group)            # a file that went away or broke: its takes stay unscored
    name = str(rows["action_name"].iloc[0]) if len(rows) else request.action
    return ProgressSeries(request.athlete, request.action, name, progress_table(rows, created, take_order, predicted),
                          request.model.name)


def exemplar_count(count: int) -> str:
    """``"1 exemplar"``, ``"4 exemplars"``."""
    return f"{count} exemplar" + ("" if count == 1 else "s")


def _embedded_exemplar(scorer, request: ScoringRequest, row, modality: str):
    """Exemplar ``row`` without its poses when the model or the store has its embedding, else None."""
    from app.cli.scoring import exemplar_key
    from models.scorer import Exemplar

    key = exemplar_key(request.library.path_of(row.file), row.take, modality)
    if not scorer.has_embedding(key):
        stored = request.embeddings.load(request.model.path, key)
        if stored is None or not scorer.add_embedding_arrays(key, stored):
            return None
    return Exemplar(key, None, None, float(row.score))
