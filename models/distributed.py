"""Multi-process training with DistributedDataParallel under ``torchrun``:
gloo on CPU, nccl on CUDA."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


@dataclass(frozen=True)
class ProcessGroup:
    """This process's place among the training processes (from torchrun's environment).

    ``launched`` is true under torchrun (its rendezvous variables are set): the
    process then joins the process group and trains through DistributedDataParallel,
    even as the only process.
    """

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0
    launched: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.launched or self.world_size > 1


#: What torchrun sets and ``init_process_group``'s default ``env://`` rendezvous reads.
TORCHRUN_VARIABLES = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def process_group_from_env() -> ProcessGroup:
    """Read ``RANK``, ``WORLD_SIZE`` and ``LOCAL_RANK`` as set by torchrun (defaults: one process)."""
    return ProcessGroup(int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)),
                        int(os.environ.get("LOCAL_RANK", 0)),
                        launched=all(name in os.environ for name in TORCHRUN_VARIABLES))


def resolve_device(requested: str | None, group: ProcessGroup) -> torch.device:
    """``cuda`` when available (or asked for), else ``cpu``; one GPU per local rank.

    Raises
    ------
    ValueError
        If CUDA is asked for and not available, or the device name is unknown.
    """
    if requested not in (None, "cpu", "cuda"):
        raise ValueError(f"unknown device {requested!r}; use cpu or cuda")
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but torch sees no CUDA device")
    if requested == "cpu" or not torch.cuda.is_available():
        return torch.device("cpu")
    return torch.device("cuda", group.local_rank % torch.cuda.device_count())


def start(group: ProcessGroup, device: torch.device) -> str | None:
    """Join the process group (nccl for CUDA, gloo for CPU) when running distributed.

    Returns
    -------
    str or None
        The process group's backend, None when not distributed.
    """
    if not group.distributed:
        return None
    if not dist.is_initialized():
        if device.type == "cuda":
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.type == "cuda" else "gloo")
    return str(dist.get_backend())


def stop(group: ProcessGroup) -> None:
    """Leave the process group."""
    if group.distributed and dist.is_initialized():
        dist.destroy_process_group()


def wrap(model: nn.Module, group: ProcessGroup, device: torch.device) -> nn.Module:
    """The model for training steps: DistributedDataParallel when distributed."""
    if not group.distributed:
        return model
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def shard(items: np.ndarray, group: ProcessGroup) -> np.ndarray:
    """This rank's share of an epoch's items, a contiguous block (pairs that share takes stay
    together); every rank gets the same count (DDP steps in lockstep)."""
    per_rank = len(items) // group.world_size
    return items[group.rank * per_rank:(group.rank + 1) * per_rank]


def mean_across(value: float, group: ProcessGroup, device: torch.device) -> float:
    """Mean of a scalar over the ranks (the value itself when not distributed)."""
    if not group.distributed:
        return value
    tensor = torch.tensor([value], dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return float(tensor.item()) / group.world_size
