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
    """S: a 2-layer MLP from the pair feature ``(N, d)`` to a score (difference) ``(N,)``.

    With penalty heads it also reads their take-level logits ``(N, H)``: the
    evidence of each catalogue fault, which the score is 10 minus the sum of.
    """

    def __init__(self, token_dim: int, n_heads: int = 0) -> None:
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(token_dim + n_heads, token_dim // 2), nn.ReLU(inplace=True),
                                 nn.Linear(token_dim // 2, 1))

    def forward(self, pair: torch.Tensor, head_logits: torch.Tensor | None = None) -> torch.Tensor:
        features = torch.relu(pair)
        if head_logits is not None:
            features = torch.cat([features, head_logits], dim=-1)
        return self.mlp(features).squeeze(-1)
