"""The scoring network: backbone B, decoder A, pair encoder P, regressor S and
the penalty heads, wired as the paper's Eq. 1."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from models.config import ModelConfig
from models.crop_encoder import CropEncoder
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
    :class:`models.pair.ScoreRegressor`). With a video stream (``config.streams``), B's tokens
    come from the takes' crops (:class:`models.crop_encoder.CropEncoder`) instead of, or
    concatenated with, the pose's and merged by a linear layer (the paper's dual stream).

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
        self.backbone = None if config.streams == "rgb" else STGCN(
            input_channels(config.modality, config.angles), adjacency, config.widths, config.token_dim,
            dropout=config.dropout)
        self.video = None if config.streams == "pose" else CropEncoder(config.token_dim, config.dropout)
        self.join_streams = nn.Linear(2 * config.token_dim, config.token_dim) if config.streams == "rgb+pose" else None
        token_steps = (config.n_steps + 1) // 2
        self.decoder = TemporalQueryDecoder(config.token_dim, token_steps, config.n_queries, config.decoder_layers,
                                            dropout=config.dropout)
        self.pair = PairEncoder(config.token_dim, self.contrastive)
        self.regressor = ScoreRegressor(config.token_dim, n_heads)
        self.heads = PenaltyHeads(config.token_dim, n_heads, self.contrastive) if n_heads > 0 else None

    @property
    def reads_crops(self) -> bool:
        """Whether the network needs video crops of the takes (:mod:`models.crop_encoder`)."""
        return self.video is not None

    def embed(self, features: torch.Tensor, crops: torch.Tensor | None = None) -> Embedding:
        """A(B(x)) of a batch of backbone inputs ``(N, D, S, J)`` and, for a video stream, their
        crops ``(N, S, 3, H, W)`` uint8 (the two streams' tokens concatenated and merged)."""
        if self.video is None:
            tokens = self.backbone(features)
        elif crops is None:
            raise ValueError("this model reads video crops of the takes too, and none were given")
        elif self.backbone is None:
            tokens = self.video(crops)
        else:
            tokens = self.join_streams(torch.cat([self.backbone(features), self.video(crops)], dim=-1))
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

    def forward(self, inputs: torch.Tensor, targets: torch.Tensor, partners: torch.Tensor | None,
                crops: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Embed a batch of takes once and compare pairs of them (see :meth:`compare`).

        Parameters
        ----------
        inputs : torch.Tensor, shape (M, D, S, J)
            Backbone inputs of the distinct takes of the batch.
        targets : torch.Tensor of int, shape (N,)
            Position in ``inputs`` of each pair's target.
        partners : torch.Tensor of int, shape (N,), or None
            Position of each pair's exemplar; ignored (may be None) for a direct model.
        crops : torch.Tensor, shape (M, S, 3, H, W), uint8, or None
            The takes' video crops, for a model with a video stream.
        """
        embedded = self.embed(inputs, crops)
        exemplar = embedded.select(partners) if self.contrastive and partners is not None else None
        return self.compare(embedded.select(targets), exemplar)
