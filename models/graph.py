"""Skeleton graph adjacency for the ST-GCN backbone.

The adjacency is built from the session's own :class:`analysis.motion.skeleton.Skeleton`
(its edges), so the model and every view share one definition of the body.
"""

from __future__ import annotations

import numpy as np


def partitioned_adjacency(n_joints: int, edges: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> np.ndarray:
    """ST-GCN adjacency with two partitions: the joint itself and its neighbours.

    Parameters
    ----------
    n_joints : int
        J, the number of joints.
    edges : sequence of (int, int)
        Bones as pairs of joint indices (undirected).

    Returns
    -------
    numpy.ndarray, shape (2, J, J), float32
        ``[0]`` is the identity; ``[1]`` the symmetrically normalised neighbour
        matrix D^-1/2 A D^-1/2 (rows of isolated joints are zero).
    """
    neighbours = np.zeros((n_joints, n_joints), dtype=np.float64)
    for a, b in edges:
        if not (0 <= a < n_joints and 0 <= b < n_joints) or a == b:
            raise ValueError(f"bad skeleton edge ({a}, {b}) for {n_joints} joints")
        neighbours[a, b] = neighbours[b, a] = 1.0
    degree = neighbours.sum(axis=1)
    scale = np.zeros_like(degree)
    scale[degree > 0] = degree[degree > 0] ** -0.5
    normalised = scale[:, None] * neighbours * scale[None, :]
    return np.stack([np.eye(n_joints), normalised]).astype(np.float32)
