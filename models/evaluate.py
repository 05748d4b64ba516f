"""Prediction against K exemplars, and the paper's metrics (Spearman ρ, R-l2×100)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

from analysis.exemplars import exemplar_references, first_exemplars, rank_exemplars
from models.network import Embedding, ScoringNetwork


def spearman(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Spearman rank correlation; NaN when either side is constant or has < 2 values."""
    if len(truth) < 2 or np.ptp(truth) == 0 or np.ptp(predicted) == 0:
        return float("nan")
    return float(spearmanr(predicted, truth).statistic)


def rl2x100(predicted: np.ndarray, truth: np.ndarray) -> float:
    """Relative L2 distance × 100: mean(((ŷ − y) / (y_max − y_min))²) × 100 over the set."""
    spread = float(np.ptp(truth)) if len(truth) else 0.0
    if spread == 0:
        return float("nan")
    return float(np.mean(((predicted - truth) / spread) ** 2) * 100.0)


def score_metrics(predicted: np.ndarray, truth: np.ndarray, index: pd.DataFrame | None = None) -> dict:
    """``spearman``, ``rl2x100``, ``mae``, ``n_takes`` and, given the takes' index rows,
    the same per level and per event (``per_level``, ``per_event``)."""
    predicted, truth = np.asarray(predicted, float), np.asarray(truth, float)
    out = {"spearman": spearman(predicted, truth), "rl2x100": rl2x100(predicted, truth),
           "mae": float(np.mean(np.abs(predicted - truth))) if len(truth) else float("nan"), "n_takes": int(len(truth))}
    if index is not None:
        for key, column in (("per_level", "level"), ("per_event", "event")):
            values = index[column].to_numpy()
            out[key] = {str(value): score_metrics(predicted[values == value], truth[values == value])
                        for value in sorted(set(values.tolist()))}
    return out


@torch.no_grad()
def embed(network: ScoringNetwork, features: np.ndarray | torch.Tensor, device: torch.device,
          batch_size: int = 128, crops: np.ndarray | torch.Tensor | None = None) -> Embedding:
    """A(B(x)) of every take in ``features`` (N, D, S, J) (with their video crops ``(N, S, 3, H, W)``
    for a model with a video stream), in eval mode, batched."""
    network.eval()
    parts = []
    for start in range(0, len(features), batch_size):
        chunk = torch.as_tensor(features[start:start + batch_size]).to(device)
        clips = None if crops is None else torch.as_tensor(crops[start:start + batch_size]).to(device)
        parts.append(network.embed(chunk, clips))
    return Embedding(torch.cat([p.tokens for p in parts]), torch.cat([p.queries for p in parts]))


@torch.no_grad()
def compare_embedded(network: ScoringNetwork, targets: Embedding, exemplars: Embedding | None,
                     partner_lists: list[np.ndarray], exemplar_scores: np.ndarray, score_offset: float
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Scores and per-step penalty probabilities of embedded targets.

    Parameters
    ----------
    targets : Embedding with N takes
    exemplars : Embedding with M takes, or None for a direct model
    partner_lists : list of N int arrays
        Exemplar positions (into ``exemplars``) for each target; ignored by a direct model.
    exemplar_scores : numpy.ndarray, shape (M,)
    score_offset : float
        Added to a direct model's output.

    Returns
    -------
    scores : numpy.ndarray, shape (N,)
        Mean over each target's exemplars of (ŷ_X − y_Z) + y_Z.
    per_pair : numpy.ndarray, shape (P,)
        (ŷ_X − y_Z) + y_Z of every (target, exemplar) pair, targets in order and each
        target's exemplars in the order of ``partner_lists``; a direct model's scores.
    step_probabilities : numpy.ndarray, shape (N, H, S'), or None without heads
        Mean over the exemplars of the per-step sigmoid.
    """
    network.eval()
    if not network.contrastive:
        score, logits = network.compare(targets, None)
        probabilities = None if logits is None else torch.sigmoid(logits).cpu().numpy()
        scores = score.cpu().numpy() + score_offset
        return scores, scores, probabilities
    owners = np.concatenate([np.full(len(p), i) for i, p in enumerate(partner_lists)]).astype(np.int64)
    partners = np.concatenate(partner_lists).astype(np.int64)
    owner_t, partner_t = (torch.as_tensor(a, device=targets.queries.device) for a in (owners, partners))
    delta, logits = network.compare(targets.select(owner_t), exemplars.select(partner_t))
    per_pair = delta.cpu().numpy() + exemplar_scores[partners]
    counts = np.bincount(owners, minlength=len(partner_lists))
    scores = np.bincount(owners, weights=per_pair, minlength=len(partner_lists)) / counts
    probabilities = None
    if logits is not None:
        per_pair_probs = torch.sigmoid(logits).cpu().numpy()
        probabilities = np.zeros((len(partner_lists),) + per_pair_probs.shape[1:])
        np.add.at(probabilities, owners, per_pair_probs)
        probabilities /= counts[:, None, None]
    return scores, per_pair, probabilities


def exemplar_spread(per_pair: np.ndarray, partner_lists: list[np.ndarray]) -> np.ndarray:
    """Standard deviation (points) of each target's per-exemplar predictions ``(N,)``; 0 for one exemplar.

    ``per_pair`` is ordered as :func:`compare_embedded` returns it.
    """
    bounds = np.cumsum([0] + [len(p) for p in partner_lists])
    return np.array([float(np.std(per_pair[a:b])) if b > a else 0.0 for a, b in zip(bounds[:-1], bounds[1:])])


def exemplar_partners(target_index: pd.DataFrame, exemplar_index: pd.DataFrame, k: int,
                      own_files: Sequence[str | None]) -> tuple[np.ndarray, list[pd.DataFrame]]:
    """The exemplars of each target: the first K by the one exemplar policy
    (:mod:`analysis.exemplars`), never the target itself.

    Parameters
    ----------
    target_index, exemplar_index : pandas.DataFrame
        Library index rows (with ``row``, the position in the feature arrays).
    own_files : sequence of str or None, one per target
        The target's file as named in ``exemplar_index`` (None when it is not in that library).

    Returns
    -------
    kept : numpy.ndarray of bool, shape (N,)
        Targets that have at least one exemplar.
    chosen : list of pandas.DataFrame, one per kept target
        The exemplar rows of ``exemplar_index``, best first.
    """
    candidates = exemplar_index[exemplar_index["is_exemplar"]]
    rankings: dict[tuple[str, str], tuple[pd.DataFrame, pd.DataFrame, set]] = {}
    kept, chosen = [], []
    for row, own_file in zip(target_index.itertuples(), own_files):
        key = (row.action, row.event)
        if key not in rankings:   # one ranking per action and event; most targets are not among their K
            ranked = rank_exemplars(candidates, *key)
            first = first_exemplars(ranked, k)
            rankings[key] = ranked, first, set(zip(first["file"], first["take"]))
        ranked, first, members = rankings[key]
        rows = first_exemplars(ranked, k, (own_file, row.take)) if (own_file, row.take) in members else first
        kept.append(len(rows) > 0)
        if len(rows):
            chosen.append(rows)
    return np.array(kept, dtype=bool), chosen


def predict_takes(network: ScoringNetwork, target_features: np.ndarray, target_index: pd.DataFrame,
                  exemplar_features: np.ndarray, exemplar_index: pd.DataFrame, k: int,
                  own_files: Sequence[str | None], score_offset: float, device: torch.device,
                  mirror: Callable[[np.ndarray], np.ndarray] | None = None,
                  target_crops: np.ndarray | None = None, exemplar_crops: np.ndarray | None = None
                  ) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Score the takes of ``target_index`` (rows into ``target_features``) against K exemplars.

    The exemplars are those of :func:`exemplar_partners`; ``own_files`` names each
    target's file in ``exemplar_index`` (None when it is not there).

    With ``mirror`` (backbone inputs to their left/right mirror image, e.g.
    :meth:`models.checkpoint.ScoringModel.mirror_inputs`), every pair is also
    scored mirrored, target and exemplar together, and the two are averaged.

    ``target_crops`` and ``exemplar_crops`` (rows as the features', ``(N, S, 3, H, W)``
    uint8) are the takes' video crops, for a model with a video stream; mirrored, a crop
    is flipped left to right.

    Returns
    -------
    scored : pandas.DataFrame
        The target rows that could be scored, with the columns ``predicted``,
        ``spread`` (:func:`exemplar_spread`, after mirror averaging), ``n_exemplars``
        and ``exemplars`` (those used, as ``"FILE#TAKE"``, best first; empty for a
        direct model).
    step_probabilities : numpy.ndarray, shape (n, H, S'), or None without heads
        Per resampled step; the take-level probability is the max over steps.
    """
    if network.contrastive:
        kept, chosen = exemplar_partners(target_index, exemplar_index, k, own_files)
        scored = target_index[kept].assign(exemplars=[exemplar_references(rows) for rows in chosen])
        partner_lists = [rows["row"].to_numpy() for rows in chosen]
        needed = np.unique(np.concatenate(partner_lists)) if partner_lists else np.empty(0, np.int64)
        position = {row: i for i, row in enumerate(needed)}
        partner_lists = [np.array([position[r] for r in p]) for p in partner_lists]
        exemplar_inputs = exemplar_features[needed]
        exemplar_clips = None if exemplar_crops is None else exemplar_crops[needed]
        exemplar_scores = exemplar_index.set_index("row").loc[needed, "score"].to_numpy(float)
    else:
        scored = target_index.assign(exemplars=[[] for _ in range(len(target_index))])
        partner_lists, exemplar_inputs, exemplar_clips, exemplar_scores = [], None, None, np.empty(0)
    if scored.empty:
        return scored.assign(predicted=np.empty(0), spread=np.empty(0), n_exemplars=np.empty(0, int)), None
    target_inputs = target_features[scored["row"].to_numpy()]
    target_clips = None if target_crops is None else target_crops[scored["row"].to_numpy()]
    views = [(target_inputs, exemplar_inputs, target_clips, exemplar_clips)]
    if mirror is not None:
        views.append((mirror(target_inputs), None if exemplar_inputs is None else mirror(exemplar_inputs),
                      _flipped(target_clips), _flipped(exemplar_clips)))
    results = []
    for targets_view, exemplars_view, target_view_clips, exemplar_view_clips in views:
        exemplars = embed(network, exemplars_view, device, crops=exemplar_view_clips) \
            if exemplars_view is not None and len(exemplars_view) else None
        results.append(compare_embedded(network, embed(network, targets_view, device, crops=target_view_clips),
                                        exemplars, partner_lists or [np.empty(0, np.int64)] * len(scored),
                                        exemplar_scores, score_offset))
    scores = np.mean([view[0] for view in results], axis=0)
    per_pair = np.mean([view[1] for view in results], axis=0)
    spread = exemplar_spread(per_pair, partner_lists) if partner_lists else np.zeros(len(scored))
    scored = scored.assign(predicted=scores, spread=spread,
                           n_exemplars=[len(p) for p in partner_lists] if partner_lists else 0)
    if results[0][2] is None:
        return scored, None
    return scored, np.mean([view[2] for view in results], axis=0)


def _flipped(crops: np.ndarray | None) -> np.ndarray | None:
    """Video crops ``(..., H, W)`` flipped left to right (the mirrored performance), or None."""
    return None if crops is None else np.ascontiguousarray(crops[..., ::-1])
