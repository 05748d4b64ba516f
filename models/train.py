"""Training: seeded, with validation ρ on unseen athletes, early stopping and
optional DistributedDataParallel (see :mod:`models.distributed`)."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from torch import nn

from analysis.synthetic.penalties import load_penalty_catalogue
from models import distributed
from models.checkpoint import ScoringModel, build_network
from models.config import ModelConfig
from models.data import LibraryData, athlete_split, curriculum_complete, epoch_pairs, exemplars_by_action, load_library_data
from models.evaluate import predict_takes, score_metrics
from models.heads import take_logits


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) and make cuDNN deterministic."""
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = False


def head_codes_for(config: ModelConfig, data: LibraryData, train_rows: np.ndarray) -> tuple[str, ...]:
    """Penalty codes of the heads: all catalogue items, or the k most frequent in training."""
    if config.penalty_heads is None:
        return data.codes
    counts = data.labels[train_rows].sum(axis=0)
    order = np.argsort(-counts, kind="stable")[: config.penalty_heads]
    return tuple(data.codes[i] for i in sorted(order))


def evaluate_rows(model: ScoringModel, data: LibraryData, rows: np.ndarray, device: torch.device) -> dict:
    """Metrics of ``model`` on the takes ``rows`` of ``data``, exemplars from the same library."""
    targets = data.index.iloc[rows]
    scored, _ = predict_takes(model.network, data.features, targets, data.features, data.index,
                              model.config.k_exemplars, True, model.score_offset, device)
    return score_metrics(scored["predicted"].to_numpy(), scored["score"].to_numpy(), scored)


def train(library: str | Path | LibraryData, config: ModelConfig, seed: int = 0, device: str | None = None,
          log: Callable[[str], None] = print) -> ScoringModel:
    """Train a scoring model on a library folder.

    Parameters
    ----------
    library : path or LibraryData
        A library folder (read here) or data already loaded with the same modality and steps.
    config : ModelConfig
    seed : int
        Seeds the weights and the pair sampling.
    device : str, optional
        ``cpu`` or ``cuda``; default CUDA when available.
    log : callable
        Receives one progress line per epoch (main process only).

    Returns
    -------
    ScoringModel
        The weights of the best validation epoch, with metadata (data summary,
        validation and test metrics on unseen athletes, timings).
    """
    group = distributed.process_group_from_env()
    torch_device = distributed.resolve_device(device, group)
    distributed.start(group, torch_device)
    try:
        return _train(library, config, seed, torch_device, group, log if group.is_main else (lambda line: None))
    finally:
        distributed.stop(group)


def _train(library, config: ModelConfig, seed: int, device: torch.device, group: distributed.ProcessGroup,
           log: Callable[[str], None]) -> ScoringModel:
    started = time.perf_counter()
    seed_everything(seed)
    catalogue = load_penalty_catalogue()
    data = library if isinstance(library, LibraryData) else load_library_data(
        library, config.modality, config.n_steps, tuple(catalogue))
    split = athlete_split(data.index)
    train_rows = split.rows(data.index, "train")
    validation_rows = split.rows(data.index, "validation")
    if len(validation_rows) == 0:
        validation_rows = train_rows
    head_codes = head_codes_for(config, data, train_rows)
    head_columns = torch.as_tensor([data.codes.index(c) for c in head_codes], dtype=torch.long)
    network = build_network(config, data.skeleton.n_joints, data.skeleton.edges, len(head_codes)).to(device)
    score_offset = float(data.index["score"].to_numpy()[train_rows].mean())
    model = ScoringModel(network, config, head_codes, score_offset, {})
    trainer = distributed.wrap(network, group, device)
    optimiser = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs)
    features = torch.from_numpy(data.features).to(device)
    scores = torch.tensor(data.index["score"].to_numpy(), dtype=torch.float32, device=device)
    labels = torch.from_numpy(data.labels).to(device)[:, head_columns.to(device)]
    exemplars = exemplars_by_action(data.index)
    rng = np.random.default_rng(seed)
    best = {"spearman": -np.inf, "epoch": 0}
    best_state = copy.deepcopy(network.state_dict())
    history, pairs_seen, waited = [], 0, 0
    for epoch in range(config.epochs):
        targets, partners = epoch_pairs(data.index, train_rows, exemplars, config.ordering, epoch, config.epochs, rng)
        targets, partners = distributed.shard(targets, group), distributed.shard(partners, group)
        loss = _run_epoch(trainer, optimiser, config, features, scores, labels, targets, partners,
                          network.contrastive, network.heads is not None, score_offset)
        schedule.step()
        pairs_seen += len(targets) * group.world_size
        loss = distributed.mean_across(loss, group, device)
        validation = evaluate_rows(model, data, validation_rows, device)
        rho = validation["spearman"] if np.isfinite(validation["spearman"]) else -1.0
        history.append({"epoch": epoch + 1, "loss": loss, "validation_spearman": rho,
                        "validation_rl2x100": validation["rl2x100"]})
        log(f"epoch {epoch + 1:3d}/{config.epochs}  loss {loss:.4f}  val rho {rho:.3f}  "
            f"val R-l2x100 {validation['rl2x100']:.3f}")
        if rho > best["spearman"]:
            best = {"spearman": rho, "rl2x100": validation["rl2x100"], "epoch": epoch + 1}
            best_state, waited = copy.deepcopy(network.state_dict()), 0
        elif curriculum_complete(config.ordering, epoch, config.epochs):
            waited += 1
            if waited >= config.patience:
                log(f"early stop: no validation gain for {config.patience} epochs (best epoch {best['epoch']})")
                break
    train_seconds = time.perf_counter() - started
    network.load_state_dict(best_state)
    network.eval()
    test_rows = split.rows(data.index, "test")
    test = evaluate_rows(model, data, test_rows, device) if len(test_rows) else None
    model.metadata = _metadata(data, split, config, seed, best, test, history, train_seconds, pairs_seen, group)
    return model


def _run_epoch(trainer: nn.Module, optimiser: torch.optim.Optimizer, config: ModelConfig, features: torch.Tensor,
               scores: torch.Tensor, labels: torch.Tensor, targets: np.ndarray, partners: np.ndarray,
               contrastive: bool, has_heads: bool, score_offset: float) -> float:
    """One pass over the epoch's pairs; returns the mean training loss."""
    trainer.train()
    total, count = 0.0, 0
    device = features.device
    for start in range(0, len(targets), config.batch_size):
        target = torch.as_tensor(targets[start:start + config.batch_size], device=device)
        partner = torch.as_tensor(partners[start:start + config.batch_size], device=device)
        if len(target) < 2:
            continue
        predicted, logits = trainer(features[target], features[partner] if contrastive else None)
        truth = scores[target] - scores[partner] if contrastive else scores[target] - score_offset
        loss = nn.functional.mse_loss(predicted, truth)
        if has_heads:
            loss = loss + config.head_weight * nn.functional.binary_cross_entropy_with_logits(
                take_logits(logits), labels[target])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        total += float(loss.detach()) * len(target)
        count += len(target)
    return total / max(count, 1)


def _metadata(data: LibraryData, split, config: ModelConfig, seed: int, best: dict, test: dict | None,
              history: list, train_seconds: float, pairs_seen: int, group) -> dict:
    catalogue = load_penalty_catalogue()
    index = data.index
    return {
        "skeleton": {"name": data.skeleton.name, "joint_names": list(data.skeleton.joint_names),
                     "edges": [list(e) for e in data.skeleton.edges]},
        "penalty_catalogue": [{"code": code, "name": catalogue[code].name} for code in data.codes if code in catalogue],
        "data": {
            "library": str(data.root), "n_takes": int(len(index)), "n_exemplar_takes": int(index["is_exemplar"].sum()),
            "n_actions": int(index["action"].nunique()), "events": sorted(set(index["event"])),
            "levels": sorted(int(v) for v in set(index["level"])),
            "train_athletes": list(split.train), "validation_athletes": list(split.validation),
            "test_athletes": list(split.test),
            "n_train_takes": int(len(split.rows(index, "train"))), "n_test_takes": int(len(split.rows(index, "test"))),
        },
        "metrics": {"validation": best, "test": test},
        "training": {"seed": seed, "epochs_run": len(history), "best_epoch": best["epoch"],
                     "seconds": train_seconds, "pairs_seen": pairs_seen, "processes": group.world_size,
                     "pairs_per_second": pairs_seen / max(train_seconds, 1e-9), "torch": str(torch.__version__),
                     "history": history},
    }
