"""A scorer that reads the 2D pose of several camera views and joins them (the paper's Table 3a).

The views' backbone inputs arrive stacked along the channels, ``(N, V · D, S, J)``
(:func:`models.features.take_features`). Each view goes through the same
backbone B; the views are then joined as ``config.fusion`` says
(:data:`models.config.FUSIONS`): after B (BB), after the decoder A (AD), after
the pair encoder P (PE), by concatenation and a linear map back to d (``cat``) or
by averaging (``avg``), or as scores after the regressor S (SR, averaged).
``batch`` trains on one view per step (views as separate samples) and averages
the views' scores at test time. The penalty heads read the view-averaged tokens.
"""

from __future__ import annotations

import torch
from torch import nn

from models.config import ModelConfig
from models.heads import take_logits
from models.network import Embedding, ScoringNetwork


class ViewFusion(nn.Module):
    """Joins per-view features ``(N, V, ..., d)`` into ``(N, 1, ..., d)``: concatenation and a
    linear map (``cat``), or the mean (``avg``)."""

    def __init__(self, n_views: int, dim: int, operation: str) -> None:
        super().__init__()
        self.project = nn.Linear(n_views * dim, dim) if operation == "cat" else None

    def forward(self, per_view: torch.Tensor) -> torch.Tensor:
        if self.project is None:
            return per_view.mean(dim=1, keepdim=True)
        return self.project(per_view.movedim(1, -2).flatten(-2)).unsqueeze(1)


class MultiViewScoringNetwork(ScoringNetwork):
    """:class:`~models.network.ScoringNetwork` over ``config.views`` views; its embeddings keep a
    view axis: tokens ``(N, V', S', d)``, queries ``(N, V', Q, d)`` (V' = 1 once joined)."""

    def __init__(self, config: ModelConfig, adjacency: torch.Tensor, n_heads: int) -> None:
        super().__init__(config, adjacency, n_heads)
        self.n_views = config.views
        self.position, _, operation = config.fusion.partition("-")
        joins_features = self.position in ("BB", "AD", "PE")
        self.fuse = ViewFusion(config.views, config.token_dim, operation) if joins_features else None

    def embed(self, features: torch.Tensor, video: torch.Tensor | None = None) -> Embedding:
        """A(B(x)) of stacked views ``(N, V · D, S, J)``, joined at BB or AD when the fusion says so."""
        n, channels, steps, joints = features.shape
        per_view = features.view(n, self.n_views, channels // self.n_views, steps, joints)
        if self.training and self.position == "batch":
            view = int(torch.randint(self.n_views, (1,)))
            per_view = per_view[:, view:view + 1]
        views = per_view.shape[1]
        tokens = self.backbone(per_view.flatten(0, 1))
        tokens = tokens.view(n, views, *tokens.shape[1:])
        if self.position == "BB":
            tokens = self.fuse(tokens)
        queries = self.decoder(tokens.flatten(0, 1))
        queries = queries.view(n, tokens.shape[1], *queries.shape[1:])
        if self.position == "AD":
            queries = self.fuse(queries)
        return Embedding(tokens, queries)

    def compare(self, target: Embedding, exemplar: Embedding | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        if self.contrastive and exemplar is None:
            raise ValueError("a contrastive model needs an exemplar for every target")
        other = exemplar if self.contrastive else None
        logits = None
        if self.heads is not None:
            logits = self.heads(target.tokens.mean(dim=1), None if other is None else other.tokens.mean(dim=1))
        n, views = target.queries.shape[:2]
        pair = self.pair(target.queries.flatten(0, 1), None if other is None else other.queries.flatten(0, 1))
        pair = pair.view(n, views, -1)
        if self.position == "PE":
            pair = self.fuse(pair)
        evidence = None
        if logits is not None:
            evidence = take_logits(logits).unsqueeze(1).expand(-1, pair.shape[1], -1).flatten(0, 1)
        score = self.regressor(pair.flatten(0, 1), evidence).view(n, -1).mean(dim=1)
        return score, logits
