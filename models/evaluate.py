"""Prediction against K exemplars, and the paper's metrics (Spearman ρ, R-l2×100)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import torch
from scipy.stats import spearmanr

from models.data import choose_exemplars, exemplars_by_action
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
          batch_size: int = 128) -> Embedding:
    """A(B(x)) of every take in ``features`` (N, D, S, J), in eval mode, batched."""
    network.eval()
    parts = []
    for start in range(0, len(features), batch_size):
        chunk = torch.as_tensor(features[start:start + batch_size]).to(device)
        parts.append(network.embed(chunk))
    return Embedding(torch.cat([p.tokens for p in parts]), torch.cat([p.queries for p in parts]))


@torch.no_grad()
def compare_embedded(network: ScoringNetwork, targets: Embedding, exemplars: Embedding | None,
                     partner_lists: list[np.ndarray], exemplar_scores: np.ndarray, score_offset: float
                     ) -> tuple[np.ndarray, np.ndarray | None]:
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
    step_probabilities : numpy.ndarray, shape (N, H, S'), or None without heads
        Mean over the exemplars of the per-step sigmoid.
    """
    network.eval()
    if not network.contrastive:
        score, logits = network.compare(targets, None)
        probabilities = None if logits is None else torch.sigmoid(logits).cpu().numpy()
        return score.cpu().numpy() + score_offset, probabilities
    owners = np.concatenate([np.full(len(p), i) for i, p in enumerate(partner_lists)]).astype(np.int64)
    partners = np.concatenate(partner_lists).astype(np.int64)
    owner_t, partner_t = torch.as_tensor(owners, device=targets.queries.device), torch.as_tensor(partners, device=targets.queries.device)
    delta, logits = network.compare(Embedding(targets.tokens[owner_t], targets.queries[owner_t]),
                                    Embedding(exemplars.tokens[partner_t], exemplars.queries[partner_t]))
    per_pair = delta.cpu().numpy() + exemplar_scores[partners]
    counts = np.bincount(owners, minlength=len(partner_lists))
    scores = np.bincount(owners, weights=per_pair, minlength=len(partner_lists)) / counts
    probabilities = None
    if logits is not None:
        per_pair_probs = torch.sigmoid(logits).cpu().numpy()
        probabilities = np.zeros((len(partner_lists),) + per_pair_probs.shape[1:])
        np.add.at(probabilities, owners, per_pair_probs)
        probabilities /= counts[:, None, None]
    return scores, probabilities


def exemplar_partners(target_index: pd.DataFrame, exemplar_index: pd.DataFrame, k: int,
                      same_library: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """Deterministic exemplars for each target: the first K of its action, never itself.

    Returns
    -------
    kept : numpy.ndarray of bool, shape (N,)
        Targets that have at least one exemplar.
    partner_lists : list of int arrays (exemplar ``row`` values), one per kept target
    """
    table = exemplars_by_action(exemplar_index)
    kept, lists = [], []
    for row in target_index.itertuples():
        candidates = table.get(row.action, np.empty(0, np.int64))
        chosen = choose_exemplars(candidates, k, row.row if same_library else None)
        kept.append(len(chosen) > 0)
        if len(chosen):
            lists.append(chosen)
    return np.array(kept, dtype=bool), lists


def predict_takes(network: ScoringNetwork, target_features: np.ndarray, target_index: pd.DataFrame,
                  exemplar_features: np.ndarray, exemplar_index: pd.DataFrame, k: int, same_library: bool,
                  score_offset: float, device: torch.device,
                  mirror: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[pd.DataFrame, np.ndarray | None]:
    """Score the takes of ``target_index`` (rows into ``target_features``) against K exemplars.

    With ``mirror`` (backbone inputs to their left/right mirror image, e.g.
    :meth:`models.checkpoint.ScoringModel.mirror_inputs`), every pair is also
    scored mirrored, target and exemplar together, and the two are averaged.

    Returns
    -------
    scored : pandas.DataFrame
        The target rows that could be scored, with a ``predicted`` column.
    take_probabilities : numpy.ndarray, shape (n, H), or None without heads
    """
    if network.contrastive:
        kept, partner_lists = exemplar_partners(target_index, exemplar_index, k, same_library)
        scored = target_index[kept]
        needed = np.unique(np.concatenate(partner_lists)) if partner_lists else np.empty(0, np.int64)
        position = {row: i for i, row in enumerate(needed)}
        partner_lists = [np.array([position[r] for r in p]) for p in partner_lists]
        exemplar_inputs = exemplar_features[needed]
        exemplar_scores = exemplar_index.set_index("row").loc[needed, "score"].to_numpy(float)
    else:
        scored, partner_lists, exemplar_inputs, exemplar_scores = target_index, [], None, np.empty(0)
    if scored.empty:
        return scored.assign(predicted=np.empty(0)), None
    target_inputs = target_features[scored["row"].to_numpy()]
    views = [(target_inputs, exemplar_inputs)]
    if mirror is not None:
        views.append((mirror(target_inputs), None if exemplar_inputs is None else mirror(exemplar_inputs)))
    results = []
    for targets_view, exemplars_view in views:
        exemplars = embed(network, exemplars_view, device) if exemplars_view is not None and len(exemplars_view) else None
        results.append(compare_embedded(network, embed(network, targets_view, device), exemplars,
                                        partner_lists or [np.empty(0, np.int64)] * len(scored), exemplar_scores,
                                        score_offset))
    scores = np.mean([view_scores for view_scores, _ in results], axis=0)
    if results[0][1] is None:
        return scored.assign(predicted=scores), None
    step_probabilities = np.mean([view_probabilities for _, view_probabilities in results], axis=0)
    return scored.assign(predicted=scores), step_probabilities.max(axis=-1)



def evaluate_library(model, library, exemplars, device: torch.device) -> dict:
    """Score every scored take of ``library`` against K exemplars of its action.

    Parameters
    ----------
    model : models.checkpoint.ScoringModel
    library : path
        Library folder of the takes to score.
    exemplars : path or None
        Library folder of the exemplars; None takes them from ``library`` (never a take itself).

    Returns
    -------
    dict
        :func:`score_metrics` with ``per_level`` and ``per_event``, plus ``n_unscored``
        (takes whose action has no exemplar).
    """
    from models.data import load_library_data

    config = model.config
    codes = tuple(model.head_codes)
    targets = load_library_data(library, config.modality, config.n_steps, codes, angles=config.angles)
    references = targets if exemplars is None else load_library_data(exemplars, config.modality, config.n_steps, codes,
                                                                     angles=config.angles)
    scored, _ = predict_takes(model.network, targets.features, targets.index, references.features, references.index,
                              config.k_exemplars, exemplars is None, model.score_offset, device, model.test_mirror)
    metrics = score_metrics(scored["predicted"].to_numpy(), scored["score"].to_numpy(), scored)
    metrics["n_unscored"] = int(len(targets.index) - len(scored))
    return metrics
