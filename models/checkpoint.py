"""Checkpoint files: config + weights + metadata, loaded with ``weights_only=True``.

Layout (a dict of plain values and tensors)::

    format           "lucid-scorer"
    format_version   4 (3: without interval calibration; 2: before the angle channels,
                     read as ``angles=False``; 1: before the backbone input and
                     regressor changed, refused)
    config           ModelConfig.to_dict()
    head_codes       list of penalty codes, one per head
    score_offset     float, added to a direct model's output
    calibration      IntervalCalibration.to_dict(), or None (no score intervals)
    state_dict       parameter and buffer tensors
    metadata         skeleton {name, joint_names, edges}, penalty_catalogue [{code, name}],
                     data summary, metrics, seed, training time, torch version
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from analysis.motion.skeleton import Skeleton
from analysis.session.atomic import atomic_output
from models.config import ModelConfig
from models.features import coordinate_count, mirror_features
from models.graph import partitioned_adjacency
from models.intervals import IntervalCalibration
from models.multiview import MultiViewScoringNetwork
from models.network import ScoringNetwork

FORMAT = "lucid-scorer"
FORMAT_VERSION = 4
#: Version 2 changed the backbone input (smoothing, facing normalisation) and the
#: regressor (it reads the penalty heads): older weights do not fit. Version 3
#: added the ``angles`` setting; version 2 files are models without angle channels.
#: Version 4 added the score intervals' calibration; older files load without one.
OLDEST_VERSION = 2


class CheckpointError(ValueError):
    """A file that is not a usable scoring-model checkpoint; the message names the file."""


@dataclass
class ScoringModel:
    """A network with everything needed to use it.

    Attributes
    ----------
    network : ScoringNetwork
    config : ModelConfig
    head_codes : tuple of str
        Penalty code of each head, in head order.
    score_offset : float
    metadata : dict
    calibration : IntervalCalibration or None
        How wide its score intervals are; None when it was never calibrated.
    """

    network: ScoringNetwork
    config: ModelConfig
    head_codes: tuple[str, ...]
    score_offset: float
    metadata: dict
    calibration: IntervalCalibration | None = None

    @property
    def joint_names(self) -> tuple[str, ...]:
        return tuple(self.metadata["skeleton"]["joint_names"])

    def mirror_inputs(self, features: np.ndarray) -> np.ndarray:
        """The left/right mirror image of backbone inputs ``(..., D, S, J)`` for this model's skeleton."""
        flip = Skeleton("model", self.joint_names, ()).flip_permutation()
        return mirror_features(features, flip, coordinate_count(self.config.modality))

    @property
    def test_mirror(self) -> Callable[[np.ndarray], np.ndarray] | None:
        """:meth:`mirror_inputs` when predictions average each pair with its mirror image
        (models trained with mirrored pairs), else None."""
        return self.mirror_inputs if self.config.mirror else None


def build_network(config: ModelConfig, n_joints: int, edges, n_heads: int) -> ScoringNetwork:
    """A fresh network for a skeleton of ``n_joints`` joints and ``edges`` bones."""
    adjacency = torch.from_numpy(partitioned_adjacency(n_joints, [tuple(e) for e in edges]))
    if config.modality == "pose2d_views":
        return MultiViewScoringNetwork(config, adjacency, n_heads)
    return ScoringNetwork(config, adjacency, n_heads)


def plain(value):
    """``value`` with numpy scalars, arrays and tuples turned into Python numbers and lists
    (what ``weights_only`` loading accepts)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def save_checkpoint(path: str | Path, model: ScoringModel) -> Path:
    """Write ``model`` to ``path`` atomically (a temporary file beside it, renamed into place)."""
    path = Path(path)
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "config": model.config.to_dict(),
        "head_codes": list(model.head_codes),
        "score_offset": float(model.score_offset),
        "calibration": None if model.calibration is None else model.calibration.to_dict(),
        "state_dict": {k: v.detach().cpu().clone() for k, v in model.network.state_dict().items()},
        "metadata": plain(model.metadata),
    }
    with atomic_output(path) as temporary:
        torch.save(payload, temporary)
    return path


def load_checkpoint(path: str | Path, device: torch.device | str = "cpu") -> ScoringModel:
    """Read a checkpoint written by :func:`save_checkpoint`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CheckpointError
        If the file is not a torch file, holds anything but plain values and
        tensors, is another kind of checkpoint, comes from a newer format, or its
        weights do not fit its settings.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model checkpoint not found: {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises UnpicklingError, RuntimeError, EOFError, ... for foreign files
        lines = [line.strip() for line in str(error).splitlines() if line.strip()]
        reason = next((line for line in lines if "Unpickler error" in line), lines[0] if lines else type(error).__name__)
        raise CheckpointError(f"{path} is not a scoring model checkpoint: it cannot be read as a plain "
                              f"torch weights file ({reason})") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        found = payload.get("format") if isinstance(payload, dict) else type(payload).__name__
        raise CheckpointError(f"{path} is not a scoring model checkpoint (expected format {FORMAT!r}, found {found!r})")
    version = payload.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise CheckpointError(f"{path} has checkpoint format version {version!r}; this program reads up to {FORMAT_VERSION}")
    if version < OLDEST_VERSION:
        raise CheckpointError(f"{path} has checkpoint format version {version}, made by an older version of this "
                              f"program with other model inputs; train the model again (this program reads versions "
                              f"{OLDEST_VERSION} to {FORMAT_VERSION})")
    try:
        settings = dict(payload["config"])
        if version == 2:
            settings.setdefault("angles", False)
        config = ModelConfig.from_dict(settings)
        metadata = payload["metadata"]
        skeleton = metadata["skeleton"]
        head_codes = tuple(payload["head_codes"])
        network = build_network(config, len(skeleton["joint_names"]), skeleton["edges"], len(head_codes))
        network.load_state_dict(payload["state_dict"])
        score_offset = float(payload["score_offset"])
        calibration = payload.get("calibration")
        calibration = None if calibration is None else IntervalCalibration.from_dict(calibration)
    except (KeyError, TypeError, ValueError, RuntimeError, AttributeError) as error:
        detail = f"missing entry {error}" if isinstance(error, KeyError) else str(error).splitlines()[0]
        raise CheckpointError(f"{path} is a damaged scoring model checkpoint: {detail}") from None
    network.to(device).eval()
    return ScoringModel(network, config, head_codes, score_offset, metadata, calibration)
