"""Penalty heads: one binary classifier per penalty item, at every time step."""

from __future__ import annotations

import torch
from torch import nn


class PenaltyHeads(nn.Module):
    """Per-step penalty logits from the backbone's tokens.

    With an exemplar, each step sees the target token and its difference from the
    exemplar's token at the same (resampled) step. (A learned soft alignment of
    the exemplar's steps did worse: matching on the tokens themselves finds the
    exemplar step most like the faulty one and so cancels the fault.)

    ``forward(target (N, S, d), exemplar (N, S, d) or None) -> (N, H, S)`` logits,
    H heads. The take-level logit is the max over steps (:func:`take_logits`).
    """

    def __init__(self, token_dim: int, n_heads: int, contrastive: bool) -> None:
        super().__init__()
        self.contrastive = contrastive
        in_dim = 2 * token_dim if contrastive else token_dim
        self.mlp = nn.Sequential(nn.Linear(in_dim, token_dim), nn.ReLU(inplace=True), nn.Linear(token_dim, n_heads))

    def forward(self, target: torch.Tensor, exemplar: torch.Tensor | None) -> torch.Tensor:
        joined = torch.cat([target, target - exemplar], dim=-1) if self.contrastive else target
        return self.mlp(joined).transpose(1, 2)


def take_logits(step_logits: torch.Tensor) -> torch.Tensor:
    """Max-pool per-step logits ``(N, H, S)`` to take-level logits ``(N, H)``."""
    return step_logits.amax(dim=-1)
