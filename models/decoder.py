"""Action decoder A: TPT-style learnable temporal queries cross-attending over time."""

from __future__ import annotations

import torch
from torch import nn


class TemporalQueryDecoder(nn.Module):
    """Per-step tokens ``(N, S, d)`` to query features ``(N, Q, d)``.

    Each of the Q learnable queries attends over the time steps (with learned
    positional embeddings) through a small transformer decoder.
    """

    def __init__(self, token_dim: int, n_steps: int, n_queries: int, n_layers: int,
                 n_heads: int = 4, dropout: float = 0.1) -> None:
        super().__init__()
        self.queries = nn.Parameter(torch.randn(n_queries, token_dim) * 0.02)
        self.positions = nn.Parameter(torch.randn(n_steps, token_dim) * 0.02)
        layer = nn.TransformerDecoderLayer(token_dim, n_heads, dim_feedforward=2 * token_dim, dropout=dropout,
                                           batch_first=True)
        self.decoder = nn.TransformerDecoder(layer, n_layers)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        memory = tokens + self.positions[: tokens.shape[1]]
        queries = self.queries.unsqueeze(0).expand(tokens.shape[0], -1, -1)
        return self.decoder(queries, memory)
