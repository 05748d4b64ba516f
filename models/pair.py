"""Pair encoder P and score regressor S."""

from __future__ import annotations

import torch
from torch import nn


class PairEncoder(nn.Module):
    """P: a 2-layer MLP per query on [target ⊕ exemplar], averaged over queries.

    ``forward(target (N, Q, d), exemplar (N, Q, d) or None) -> (N, d)``; without an
    exemplar (direct regression) it reads the target's features alone.
    """

    def __init__(self, token_dim: int, contrastive: bool) -> None:
        super().__init__()
        self.contrastive = contrastive
        in_dim = 2 * token_dim if contrastive else token_dim
        self.mlp = nn.Sequential(nn.Linear(in_dim, token_dim), nn.ReLU(inplace=True), nn.Linear(token_dim, token_dim))

    def forward(self, target: torch.Tensor, exemplar: torch.Tensor | None) -> torch.Tensor:
        joined = torch.cat([target, exemplar], dim=-1) if self.contrastive else target
        return self.mlp(joined).mean(dim=1)


class ScoreRegressor(nn.Module):
    """S: a 2-layer MLP from the pair feature ``(N, d)`` to a score (difference) ``(N,)``."""

    def __init__(self, token_dim: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.ReLU(), nn.Linear(token_dim, token_dim // 2), nn.ReLU(inplace=True),
                                 nn.Linear(token_dim // 2, 1))

    def forward(self, pair: torch.Tensor) -> torch.Tensor:
        return self.mlp(pair).squeeze(-1)
