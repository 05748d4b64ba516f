"""The video stream of the RGB + pose dual-stream model: a small CNN trained from scratch on
grey crops around the athlete from one camera (the paper's Table 3b, with a small encoder
in place of I3D)."""

from __future__ import annotations

import torch
from torch import nn


def _conv(in_channels: int, out_channels: int, kernel: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel, stride=2, padding=kernel // 2),
                         nn.BatchNorm2d(out_channels), nn.ReLU(inplace=True))


class VideoEncoder(nn.Module):
    """Crops ``(N, F, H, W)`` uint8 to per-step tokens ``(N, S', d)``.

    Each frame and its difference from the previous frame (the motion) go through
    three strided convolutions and a global average; a strided temporal
    convolution then maps the F frames onto the pose stream's S' token steps.

    Parameters
    ----------
    token_dim : int
        d.
    token_steps : int
        S', the pose backbone's token steps.
    widths : tuple of int
        Channels of the three convolutions.
    """

    def __init__(self, token_dim: int, token_steps: int, widths: tuple[int, int, int] = (8, 16, 32)) -> None:
        super().__init__()
        self.token_steps = token_steps
        self.frames = nn.Sequential(_conv(2, widths[0], 5), _conv(widths[0], widths[1], 3),
                                    _conv(widths[1], widths[2], 3), nn.AdaptiveAvgPool2d(1))
        self.time = nn.Conv1d(widths[2], token_dim, 3, stride=2, padding=1)

    def forward(self, crops: torch.Tensor) -> torch.Tensor:
        n, frames, height, width = crops.shape
        grey = crops.float() / 255.0
        motion = grey - torch.cat([grey[:, :1], grey[:, :-1]], dim=1)
        stacked = torch.stack([grey, motion], dim=2).view(n * frames, 2, height, width)
        per_frame = self.frames(stacked).view(n, frames, -1).transpose(1, 2)
        tokens = self.time(per_frame)
        if tokens.shape[-1] != self.token_steps:
            tokens = nn.functional.interpolate(tokens, size=self.token_steps, mode="linear", align_corners=True)
        return tokens.transpose(1, 2)
