"""The video stream: a small 3D convolutional network over crops around the athlete.

Trained from scratch with the rest of the scorer (the paper's I3D stream, made
small enough for a CPU): crops ``(N, S, 3, H, W)`` uint8 to per-step tokens
``(N, S', d)`` with S' = ceil(S / 2), the ST-GCN backbone's token steps, so that
the two streams' tokens can be joined step by step.
"""

from __future__ import annotations

import torch
from torch import nn

#: Channels of the first convolution (doubled by each of the next two).
BASE_WIDTH = 16
#: Height and width of the last convolution's grid, pooled to (32-pixel crops already are).
GRID = 4


class CropEncoder(nn.Module):
    """Crops to tokens: three 3D convolutions (the second halves time), each halving height and width,
    then a :data:`GRID` x :data:`GRID` grid per step flattened to a token (where things are in the crop
    is the posture).

    Parameters
    ----------
    token_dim : int
        d, the token width.
    dropout : float
        On the flattened per-step features.
    """

    def __init__(self, token_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        widths = (BASE_WIDTH, 2 * BASE_WIDTH, 4 * BASE_WIDTH)
        layers, channels = [], 3
        for width, time_stride in zip(widths, (1, 2, 1)):
            layers += [nn.Conv3d(channels, width, 3, stride=(time_stride, 2, 2), padding=1), nn.BatchNorm3d(width),
                       nn.ReLU(inplace=True)]
            channels = width
        self.convolutions = nn.Sequential(*layers, nn.AdaptiveAvgPool3d((None, GRID, GRID)))
        self.to_tokens = nn.Sequential(nn.Dropout(dropout), nn.Linear(channels * GRID * GRID, token_dim))

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        """``crops`` ``(N, S, 3, H, W)`` uint8 (RGB) to tokens ``(N, S', d)``."""
        pictures = crops.permute(0, 2, 1, 3, 4).float() / 255.0 - 0.5   # (N, 3, S, H, W) around zero
        features = self.convolutions(pictures)                            # (N, C, S', GRID, GRID)
        return self.to_tokens(features.permute(0, 2, 1, 3, 4).flatten(2))
