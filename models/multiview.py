"""The scoring network over several synchronized camera views' 2D poses.

The paper's multi-view strategies (§4.2, Table 3a), on 2D pose instead of RGB:
one backbone B, decoder A, pair encoder P and regressor S shared by every view,
the views joined at one stage:

- ``batch``: each view is a separate sample. Training embeds one view per batch
  (drawn at random, the same for targets and exemplars); scoring averages the
  views' scores.
- ``backbone``, ``decoder``, ``pair``: the views' tokens, queries or pair features
  are joined there, concatenated (then a linear layer back to the token width) or
  averaged, and the rest of the network runs once.
- ``regressor``: every view is scored and the scores are averaged.

Penalty heads read each view's tokens (the fused tokens when fused at the
backbone); their logits are averaged over the views.
"""

from __future__ import annotations

import torch
from torch import nn

from models.config import ModelConfig
from models.heads import take_logits
from models.network import Embedding, ScoringNetwork


class MultiViewScoringNetwork(ScoringNetwork):
    """:class:`models.network.ScoringNetwork` for inputs ``(N, V, D, S, J)``: V views fused as
    ``config.view_fusion`` says, by ``config.fusion_op``.

    Embeddings fused at the backbone hold tokens ``(N, S', d)`` and queries
    ``(N, Q, d)``; fused at the decoder, tokens ``(N, V, S', d)`` and queries
    ``(N, Q, d)``; fused later, tokens ``(N, V, S', d)`` and queries ``(N, V, Q, d)``.
    """

    def __init__(self, config: ModelConfig, adjacency: torch.Tensor, n_heads: int) -> None:
        super().__init__(config, adjacency, n_heads)
        self.n_views = config.n_views
        self.fusion = config.view_fusion
        concatenates = config.fusion_op == "cat" and self.fusion in ("backbone", "decoder", "pair")
        self.merge = nn.Linear(config.n_views * config.token_dim, config.token_dim) if concatenates else None

    def _join(self, per_view: torch.Tensor) -> torch.Tensor:
        """``(N, V, ..., d)`` to ``(N, ..., d)``: concatenated along d and merged, or averaged."""
        if self.merge is None:
            return per_view.mean(dim=1)
        return self.merge(torch.movedim(per_view, 1, -2).flatten(-2))

    def embed(self, features: torch.Tensor, crops: torch.Tensor | None = None) -> Embedding:
        """A(B(x)) of a batch of multi-view inputs ``(N, V, D, S, J)`` (no video stream: ``crops`` unused)."""
        n, n_views = features.shape[:2]
        if n_views != self.n_views:
            raise ValueError(f"this model reads {self.n_views} views, the input has {n_views}")
        if self.fusion == "batch" and self.training:
            view = int(torch.randint(n_views, (1,)))
            features, n_views = features[:, view:view + 1], 1
        tokens = self.backbone(features.flatten(0, 1)).unflatten(0, (n, n_views))
        if self.fusion == "backbone":
            joined = self._join(tokens)
            return Embedding(joined, self.decoder(joined))
        queries = self.decoder(tokens.flatten(0, 1)).unflatten(0, (n, n_views))
        return Embedding(tokens, self._join(queries) if self.fusion == "decoder" else queries)

    def compare(self, target: Embedding, exemplar: Embedding | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Score output ``(N,)`` and view-averaged per-step penalty logits ``(N, H, S')`` (or None)."""
        if self.contrastive and exemplar is None:
            raise ValueError("a contrastive model needs an exemplar for every target")
        other = exemplar if self.contrastive else None
        view_logits = None
        if self.heads is not None:
            view_logits = _per_view(self.heads, target.tokens, None if other is None else other.tokens)
        logits = None if view_logits is None else (view_logits.mean(dim=1) if target.tokens.dim() == 4
                                                   else view_logits)
        if target.queries.dim() == 3:   # joined at the backbone or the decoder
            pair = self.pair(target.queries, None if other is None else other.queries)
            return self.regressor(pair, None if logits is None else take_logits(logits)), logits
        pair = _per_view(self.pair, target.queries, None if other is None else other.queries)
        if self.fusion == "pair":
            return self.regressor(self._join(pair), None if logits is None else take_logits(logits)), logits
        n, n_views = pair.shape[:2]
        head_logits = None if view_logits is None else take_logits(view_logits.flatten(0, 1))
        scores = self.regressor(pair.flatten(0, 1), head_logits).view(n, n_views)
        return scores.mean(dim=1), logits


def _per_view(module: nn.Module, target: torch.Tensor, exemplar: torch.Tensor | None) -> torch.Tensor:
    """``module(target, exemplar)`` of every view: inputs ``(N, V, ...)``, output ``(N, V, ...)``;
    inputs without a view axis (joined at the backbone) pass through as they are."""
    if target.dim() == 3:
        return module(target, exemplar)
    n, n_views = target.shape[:2]
    out = module(target.flatten(0, 1), None if exemplar is None else exemplar.flatten(0, 1))
    return out.unflatten(0, (n, n_views))
