"""Backbone B: a small spatial-temporal graph convolution network (ST-GCN)."""

from __future__ import annotations

import torch
from torch import nn


class GraphConvBlock(nn.Module):
    """One ST-GCN block: graph convolution over joints, then a temporal convolution.

    Input and output are ``(N, C, S, J)``: batch, channels, time steps, joints.
    """

    def __init__(self, in_channels: int, out_channels: int, adjacency: torch.Tensor,
                 temporal_kernel: int, stride: int, dropout: float) -> None:
        super().__init__()
        self.register_buffer("adjacency", adjacency, persistent=False)
        self.edge_importance = nn.Parameter(torch.ones_like(adjacency))
        n_partitions = adjacency.shape[0]
        self.spatial = nn.Conv2d(in_channels, out_channels * n_partitions, kernel_size=1)
        self.temporal = nn.Sequential(
            nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, (temporal_kernel, 1), (stride, 1), ((temporal_kernel - 1) // 2, 0)),
            nn.BatchNorm2d(out_channels), nn.Dropout(dropout),
        )
        if in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, (stride, 1)), nn.BatchNorm2d(out_channels))
        self.out_channels = out_channels
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, _, steps, joints = x.shape
        spatial = self.spatial(x).view(n, -1, self.out_channels, steps, joints)
        mixed = torch.einsum("npcsj,pjk->ncsk", spatial, self.adjacency * self.edge_importance)
        return self.relu(self.temporal(mixed) + self.residual(x))


class STGCN(nn.Module):
    """Backbone B: pose features ``(N, D, S, J)`` to per-step tokens ``(N, S', d)``.

    Parameters
    ----------
    in_channels : int
        D, input channels per joint.
    adjacency : torch.Tensor, shape (P, J, J)
        Partitioned adjacency (see :func:`models.graph.partitioned_adjacency`).
    widths : sequence of int
        Channels of each block; the first block halves the time steps.
    token_dim : int
        d, the width of the per-step tokens (all joints projected together).
    """

    def __init__(self, in_channels: int, adjacency: torch.Tensor, widths: tuple[int, ...],
                 token_dim: int, temporal_kernel: int = 5, dropout: float = 0.0) -> None:
        super().__init__()
        n_joints = adjacency.shape[-1]
        self.input_norm = nn.BatchNorm1d(in_channels * n_joints)
        blocks, previous = [], in_channels
        for index, width in enumerate(widths):
            blocks.append(GraphConvBlock(previous, width, adjacency, temporal_kernel, 2 if index == 0 else 1, dropout))
            previous = width
        self.blocks = nn.ModuleList(blocks)
        self.to_tokens = nn.Linear(previous * n_joints, token_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, channels, steps, joints = x.shape
        x = self.input_norm(x.permute(0, 1, 3, 2).reshape(n, channels * joints, steps))
        x = x.view(n, channels, joints, steps).permute(0, 1, 3, 2)
        for block in self.blocks:
            x = block(x)
        n, channels, steps, joints = x.shape
        return self.to_tokens(x.permute(0, 2, 1, 3).reshape(n, steps, channels * joints))
