"""The scoring network: backbone B, decoder A, pair encoder P, regressor S and
the penalty heads, wired as the paper's Eq. 1."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from models.config import ModelConfig
from models.decoder import TemporalQueryDecoder
from models.features import input_channels
from models.heads import PenaltyHeads
from models.pair import PairEncoder, ScoreRegressor
from models.stgcn import STGCN


@dataclass
class Embedding:
    """A take embedded by A(B(x)).

    Attributes
    ----------
    tokens : torch.Tensor, shape (N, S', d)
        Per-step backbone tokens (the heads read these).
    queries : torch.Tensor, shape (N, Q, d)
        Decoder outputs.
    """

    tokens: torch.Tensor
    queries: torch.Tensor

    def repeat(self, count: int) -> "Embedding":
        """The same embedding(s) tiled ``count`` times along the batch."""
        return Embedding(self.tokens.repeat(count, 1, 1), self.queries.repeat(count, 1, 1))


class ScoringNetwork(nn.Module):
    """Contrastive (ŷ_X − y_Z = S(P(A(B(X)) ⊕ A(B(Z))))) or direct (ŷ_X = S(P(A(B(X))))) scorer.

    Parameters
    ----------
    config : ModelConfig
    adjacency : torch.Tensor, shape (P, J, J)
    n_heads : int
        Penalty heads (0 for none).
    """

    def __init__(self, config: ModelConfig, adjacency: torch.Tensor, n_heads: int) -> None:
        super().__init__()
        self.contrastive = config.mode == "contrastive"
        self.backbone = STGCN(input_channels(config.modality), adjacency, config.widths, config.token_dim)
        token_steps = (config.n_steps + 1) // 2
        self.decoder = TemporalQueryDecoder(config.token_dim, token_steps, config.n_queries, config.decoder_layers,
                                            dropout=config.dropout)
        self.pair = PairEncoder(config.token_dim, self.contrastive)
        self.regressor = ScoreRegressor(config.token_dim)
        self.heads = PenaltyHeads(config.token_dim, n_heads, self.contrastive) if n_heads > 0 else None

    def embed(self, features: torch.Tensor) -> Embedding:
        """A(B(x)) of a batch of backbone inputs ``(N, D, S, J)``."""
        tokens = self.backbone(features)
        return Embedding(tokens, self.decoder(tokens))

    def compare(self, target: Embedding, exemplar: Embedding | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Score output and per-step penalty logits of embedded targets.

        Returns
        -------
        score : torch.Tensor, shape (N,)
            ŷ_X − y_Z (contrastive) or ŷ_X (direct).
        step_logits : torch.Tensor, shape (N, H, S'), or None without heads
        """
        if self.contrastive and exemplar is None:
            raise ValueError("a contrastive model needs an exemplar for every target")
        other = exemplar if self.contrastive else None
        score = self.regressor(self.pair(target.queries, None if other is None else other.queries))
        logits = None
        if self.heads is not None:
            logits = self.heads(target.tokens, None if other is None else other.tokens)
        return score, logits

    def forward(self, target: torch.Tensor, exemplar: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Embed and compare in one call: inputs ``(N, D, S, J)`` each; see :meth:`compare`."""
        if exemplar is not None and self.contrastive:
            both = self.embed(torch.cat([target, exemplar]))
            n = target.shape[0]
            return self.compare(Embedding(both.tokens[:n], both.queries[:n]),
                                Embedding(both.tokens[n:], both.queries[n:]))
        return self.compare(self.embed(target), None)
