"""Training: seeded, with validation ρ on unseen athletes, early stopping and
optional DistributedDataParallel (see :mod:`models.distributed`)."""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from analysis.catalogue.penalties import load_penalty_catalogue
from models import distributed
from models.augment import random_paces, time_warp
from models.checkpoint import ScoringModel, build_network
from models.config import ModelConfig
from models.data import (
    LibraryData,
    athlete_split,
    curriculum_complete,
    epoch_pairs,
    exemplars_by_action,
    fault_free_rows,
)
from models.evaluate import predict_takes, score_metrics
from models.features import coordinate_count, input_channels, mirror_features
from models.heads import take_logits


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and CUDA) and have it use deterministic kernels.

    Without deterministic kernels, two multi-threaded CPU trainings of the demo
    with the same seed drifted apart within the first epoch (single-threaded they
    did not); with them, the same command gives the same weights.
    """
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # what deterministic cuBLAS needs
    torch.manual_seed(seed)
    torch.backends.cudnn.benchmark = False
    torch.use_deterministic_algorithms(True, warn_only=True)


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
                              model.config.k_exemplars, targets["file"].tolist(), model.score_offset, device,
                              model.test_mirror, data.crops, data.crops)
    return score_metrics(scored["predicted"].to_numpy(), scored["score"].to_numpy(), scored)


def train(data: LibraryData, config: ModelConfig, seed: int = 0, device: str | None = None,
          log: Callable[[str], None] = print, on_epoch: Callable[[dict], None] | None = None,
          initial: ScoringModel | None = None) -> ScoringModel:
    """Train a scoring model on the takes of a library.

    Parameters
    ----------
    data : LibraryData
        The library's takes, read with the settings' modality, steps and angles
        (:func:`app.cli.training_data.load_library_data`).
    config : ModelConfig
    seed : int
        Seeds the weights and the pair sampling.
    device : str, optional
        ``cpu`` or ``cuda``; default CUDA when available.
    log : callable
        Receives one progress line per epoch (main process only).
    on_epoch : callable, optional
        Receives, after each epoch (main process only), its history entry plus
        ``epochs`` (the maximum), ``pairs_seen`` and ``seconds`` since the start.
        An exception it raises stops the training and propagates (a way to cancel).
    initial : ScoringModel, optional
        Fine-tune: start from these weights, heads and score offset instead of a fresh
        network (``config`` must describe the same network; its epochs and rates apply).

    Returns
    -------
    ScoringModel
        The weights of the best validation epoch (of the last epoch when
        ``config.train_on_validation``), with metadata (data summary, validation
        and test metrics on unseen athletes, timings).
    """
    group = distributed.process_group_from_env()
    torch_device = distributed.resolve_device(device, group)
    backend = distributed.start(group, torch_device)
    if backend is not None and group.is_main:
        log(f"DistributedDataParallel over {group.world_size} process(es), {backend} backend, on {torch_device.type}")
    try:
        return _train(data, config, seed, torch_device, group, log if group.is_main else (lambda line: None),
                      on_epoch if group.is_main else None, initial)
    finally:
        distributed.stop(group)


def _train(data: LibraryData, config: ModelConfig, seed: int, device: torch.device, group: distributed.ProcessGroup,
           log: Callable[[str], None], on_epoch: Callable[[dict], None] | None = None,
           initial: ScoringModel | None = None) -> ScoringModel:
    started = time.perf_counter()
    seed_everything(seed)
    expected = (input_channels(config.modality, config.angles), config.n_steps)
    held = data.features.shape[-3:-1]
    if held != expected:
        raise ValueError(f"the library data holds {held[0]} channels x {held[1]} steps "
                         f"per joint, the settings need {expected[0]} x {expected[1]}: load it with this modality, "
                         f"n_steps and angles")
    views = data.features.shape[1] if data.features.ndim == 5 else 1
    if views != config.n_views:
        raise ValueError(f"the library data holds {views} camera view(s) per take, the settings read "
                         f"{config.n_views}")
    split = athlete_split(data.index)
    train_rows = split.rows(data.index, "train")
    validation_rows = split.rows(data.index, "validation")
    if config.train_on_validation:
        train_rows = np.concatenate([train_rows, validation_rows])
    if len(validation_rows) == 0:
        validation_rows = train_rows
    head_codes = head_codes_for(config, data, train_rows) if initial is None else initial.head_codes
    head_columns = torch.as_tensor([data.codes.index(c) for c in head_codes], dtype=torch.long)
    network = build_network(config, data.skeleton.n_joints, data.skeleton.edges, len(head_codes)).to(device)
    score_offset = float(data.index["score"].to_numpy()[train_rows].mean())
    score_variance = max(float(data.index["score"].to_numpy()[train_rows].var()), 1e-3)
    if initial is not None:
        network.load_state_dict(initial.network.state_dict())
        score_offset = initial.score_offset
    model = ScoringModel(network, config, head_codes, score_offset, {"skeleton": skeleton_metadata(data.skeleton)})
    trainer = distributed.wrap(network, group, device)
    optimiser = torch.optim.AdamW(network.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=config.epochs)
    features = torch.from_numpy(data.features).to(device)
    if network.reads_crops and data.crops is None:
        raise ValueError("these settings read video crops of the takes: load the library data with its crops")
    crops = torch.from_numpy(data.crops).to(device) if network.reads_crops else None
    scores = torch.tensor(data.index["score"].to_numpy(), dtype=torch.float32, device=device)
    labels = torch.from_numpy(data.labels).to(device)[:, head_columns.to(device)]
    exemplars = exemplars_by_action(data.index, fault_free_rows(data.index, data.labels, train_rows)
                                    if config.clean_references else None)
    flip = torch.as_tensor(data.skeleton.flip_permutation(), dtype=torch.long, device=device)
    n_coordinates = coordinate_count(config.modality)
    rng = np.random.default_rng(seed)
    best = {"spearman": -np.inf, "epoch": 0}
    best_state = copy.deepcopy(network.state_dict())
    history, pairs_seen, waited = [], 0, 0
    for epoch in range(config.epochs):
        targets, partners = epoch_pairs(data.index, train_rows, exemplars, config.ordering, epoch, config.epochs, rng,
                                        config.partners_per_take, config.group_size)
        flips = rng.random(len(data.index)) < 0.5 if config.mirror else np.zeros(len(data.index), dtype=bool)
        mirrored = flips[targets]
        targets, partners, mirrored = (distributed.shard(a, group) for a in (targets, partners, mirrored))
        loss = _run_epoch(trainer, optimiser, config, (features, crops), scores, labels, (targets, partners, mirrored),
                          (flip, n_coordinates), network.contrastive, network.heads is not None, score_offset,
                          score_variance, rng)
        schedule.step()
        pairs_seen += len(targets) * group.world_size
        loss = distributed.mean_across(loss, group, device)
        validation = evaluate_rows(model, data, validation_rows, device)
        rho = validation["spearman"] if np.isfinite(validation["spearman"]) else -1.0
        history.append({"epoch": epoch + 1, "loss": loss, "validation_spearman": rho,
                        "validation_rl2x100": validation["rl2x100"]})
        log(f"epoch {epoch + 1:3d}/{config.epochs}  loss {loss:.4f}  val{' (trained on)' * config.train_on_validation} "
            f"rho {rho:.3f}  "
            f"val R-l2x100 {validation['rl2x100']:.3f}")
        if on_epoch is not None:
            on_epoch({**history[-1], "epochs": config.epochs, "pairs_seen": pairs_seen,
                      "seconds": time.perf_counter() - started})
        if config.train_on_validation:  # validation athletes are trained on: no early stopping, keep the last epoch
            best = {"spearman": rho, "rl2x100": validation["rl2x100"], "epoch": epoch + 1, "trained_on": True}
            best_state = network.state_dict()
        elif rho > best["spearman"]:
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


def _run_epoch(trainer: nn.Module, optimiser: torch.optim.Optimizer, config: ModelConfig,
               inputs_of_takes: tuple[torch.Tensor, torch.Tensor | None], scores: torch.Tensor,
               labels: torch.Tensor, pairs: tuple[np.ndarray, np.ndarray, np.ndarray],
               mirror: tuple[torch.Tensor, int], contrastive: bool, has_heads: bool, score_offset: float,
               score_variance: float, rng: np.random.Generator) -> float:
    """One pass over the epoch's pairs; returns the mean training loss.

    ``inputs_of_takes`` holds every take's backbone inputs and video crops (None without a
    video stream); ``pairs`` target rows, partner rows and whether each pair is mirrored;
    ``mirror`` the skeleton's flip permutation and the coordinate count; ``rng``
    draws the exemplars' time warps (``config.warp_exemplars``). The score
    loss is the MSE divided by the training scores' variance, so that its weight
    against the penalty BCE does not depend on the library's spread of scores.
    """
    trainer.train()
    total, count = 0.0, 0
    features, crops = inputs_of_takes
    device = features.device
    targets, partners, mirrored = pairs
    flip, n_coordinates = mirror
    for start in range(0, len(targets), config.batch_size):
        batch = slice(start, start + config.batch_size)
        if len(targets[batch]) < 2:
            continue
        # Each distinct (take, mirrored) of the batch is embedded once.
        keys = np.concatenate([targets[batch], partners[batch]]) * 2 + np.tile(mirrored[batch], 2)
        distinct, position = np.unique(keys if contrastive else keys[: len(targets[batch])], return_inverse=True)
        takes = torch.as_tensor(distinct // 2, device=device)
        inputs = features[takes]
        clips = None if crops is None else crops[takes]
        flipped = torch.as_tensor(distinct % 2 == 1, device=device)
        if bool(flipped.any()):
            inputs = torch.where(flipped.view(-1, *[1] * (inputs.dim() - 1)),
                                 mirror_features(inputs, flip, n_coordinates), inputs)
            if clips is not None:   # the mirrored performance, as the camera's picture flipped left to right
                clips = torch.where(flipped.view(-1, 1, 1, 1, 1), clips.flip(-1), clips)
        if contrastive and config.warp_exemplars > 0:
            inputs = _warp_exemplars(inputs, position, len(targets[batch]), rng, config.warp_exemplars, n_coordinates)
        position = torch.as_tensor(position, device=device)
        n_pairs = len(targets[batch])
        predicted, logits = trainer(inputs, position[:n_pairs], position[n_pairs:] if contrastive else None, clips)
        target = torch.as_tensor(targets[batch], device=device)
        partner = torch.as_tensor(partners[batch], device=device)
        truth = scores[target] - scores[partner] if contrastive else scores[target] - score_offset
        loss = nn.functional.mse_loss(predicted, truth) / score_variance
        if has_heads:
            loss = loss + config.head_weight * nn.functional.binary_cross_entropy_with_logits(
                take_logits(logits), labels[target])
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()
        total += float(loss.detach()) * len(target)
        count += len(target)
    return total / max(count, 1)


def _warp_exemplars(inputs: torch.Tensor, position: np.ndarray, n_pairs: int, rng: np.random.Generator,
                    strength: float, n_coordinates: int) -> torch.Tensor:
    """A batch's distinct inputs ``(M, D, S, J)`` or ``(M, V, D, S, J)`` with half its exemplars
    replayed at a random pace.

    ``position`` maps the batch's targets, then its partners, to the inputs (the
    first ``n_pairs`` are targets); an input that is also a target is left as it is.
    """
    partner_only = np.zeros(len(inputs), dtype=bool)
    partner_only[position[n_pairs:]] = True
    partner_only[position[:n_pairs]] = False
    chosen = np.flatnonzero(partner_only & (rng.random(len(inputs)) < 0.5))
    if len(chosen) == 0:
        return inputs
    pace = torch.as_tensor(random_paces(rng, len(chosen), inputs.shape[-2], strength), device=inputs.device)
    index = torch.as_tensor(chosen, device=inputs.device)
    warped = inputs.clone()
    chosen_inputs = inputs[index]
    if chosen_inputs.dim() == 5:   # every view of a take at the same pace
        n_views = chosen_inputs.shape[1]
        warped[index] = time_warp(chosen_inputs.flatten(0, 1), pace.repeat_interleave(n_views, dim=0),
                                  n_coordinates).unflatten(0, (len(chosen), n_views))
    else:
        warped[index] = time_warp(chosen_inputs, pace, n_coordinates)
    return warped


def skeleton_metadata(skeleton) -> dict:
    """The checkpoint's record of the skeleton: name, joint names and bones."""
    return {"name": skeleton.name, "joint_names": list(skeleton.joint_names), "edges": [list(e) for e in skeleton.edges]}


def _metadata(data: LibraryData, split, config: ModelConfig, seed: int, best: dict, test: dict | None,
              history: list, train_seconds: float, pairs_seen: int, group) -> dict:
    catalogue = load_penalty_catalogue()
    index = data.index
    return {
        "skeleton": skeleton_metadata(data.skeleton),
        "penalty_catalogue": [{"code": code, "name": catalogue[code].name} for code in data.codes if code in catalogue],
        "data": {
            "library": str(data.root), "n_takes": int(len(index)), "n_exemplar_takes": int(index["is_exemplar"].sum()),
            "n_actions": int(index["action"].nunique()), "events": sorted(set(index["event"])),
            "levels": sorted(int(v) for v in set(index["level"])),
            "train_athletes": list(split.train), "validation_athletes": list(split.validation),
            "test_athletes": list(split.test),
            "trained_on_validation": config.train_on_validation,
            "n_train_takes": int(len(split.rows(index, "train")) + config.train_on_validation * len(
                split.rows(index, "validation"))), "n_test_takes": int(len(split.rows(index, "test"))),
        },
        "metrics": {"validation": best, "test": test},
        "training": {"seed": seed, "epochs_run": len(history), "best_epoch": best["epoch"],
                     "seconds": train_seconds, "pairs_seen": pairs_seen, "processes": group.world_size,
                     "pairs_per_second": pairs_seen / max(train_seconds, 1e-9), "torch": str(torch.__version__),
                     "history": history},
    }
