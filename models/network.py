"""The scoring network: backbone B, decoder A, pair encoder P, regressor S and
the penalty heads, wired as the paper's Eq. 1."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from models.config import ModelConfig
from models.decoder import TemporalQueryDecoder
from models.features import input_channels
from models.heads import PenaltyHeads, take_logits
from models.pair import PairEncoder, ScoreRegressor
from models.stgcn import STGCN


@dataclass
class Embedding:
    """A take embedded by A(B(x)).

    Attributes
    ----------
    tokens : torch.Tensor, shape (N, S', d)
        Per-step backbone tokens (the heads read these); (N, V, S', d) per view in a
        multi-view network (:mod:`models.multiview`).
    queries : torch.Tensor, shape (N, Q, d)
        Decoder outputs; (N, V, Q, d) per view in a multi-view network.
    """

    tokens: torch.Tensor
    queries: torch.Tensor

    def select(self, index: torch.Tensor) -> "Embedding":
        """The embeddings at positions ``index`` (int tensor, shape (N,))."""
        return Embedding(self.tokens[index], self.queries[index])

    def repeat(self, count: int) -> "Embedding":
        """The same embedding(s) tiled ``count`` times along the batch."""
        return Embedding(self.tokens.repeat(count, *[1] * (self.tokens.dim() - 1)),
                         self.queries.repeat(count, *[1] * (self.queries.dim() - 1)))


class ScoringNetwork(nn.Module):
    """Contrastive (ŷ_X − y_Z = S(P(A(B(X)) ⊕ A(B(Z))))) or direct (ŷ_X = S(P(A(B(X))))) scorer.

    With penalty heads, S also reads the heads' max-pooled logits (see
    :class:`models.pair.ScoreRegressor`).

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
        self.backbone = STGCN(input_channels(config.modality, config.angles), adjacency, config.widths, config.token_dim,
                              dropout=config.dropout)
        token_steps = (config.n_steps + 1) // 2
        self.decoder = TemporalQueryDecoder(config.token_dim, token_steps, config.n_queries, config.decoder_layers,
                                            dropout=config.dropout)
        self.pair = PairEncoder(config.token_dim, self.contrastive)
        self.regressor = ScoreRegressor(config.token_dim, n_heads)
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
        logits = None
        if self.heads is not None:
            logits = self.heads(target.tokens, None if other is None else other.tokens)
        pair = self.pair(target.queries, None if other is None else other.queries)
        score = self.regressor(pair, None if logits is None else take_logits(logits))
        return score, logits

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor,
                partners: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Embed a batch of takes once and compare pairs of them (see :meth:`compare`).

        Parameters
        ----------
        inputs : torch.Tensor, shape (M, D, S, J)
            Backbone inputs of the distinct takes of the batch.
        targets : torch.Tensor of int, shape (N,)
            Position in ``inputs`` of each pair's target.
        partners : torch.Tensor of int, shape (N,), or None
            Position of each pair's exemplar; ignored (may be None) for a direct model.
        """
        embedded = self.embed(inputs)
        exemplar = embedded.select(partners) if self.contrastive and partners is not None else None
        return self.compare(embedded.select(targets), exemplar)
