"""Inference API for the app: score a take against K exemplars in one batch.

Numpy in, numpy out. Exemplar embeddings are computed once per key and cached.
A model trained with mirrored pairs scores each pair as it is and mirrored
(target and exemplar together) in the same batch and averages the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from models.checkpoint import ScoringModel, load_checkpoint
from models.distributed import ProcessGroup, resolve_device
from models.evaluate import compare_embedded, embed
from models.features import (
    JointRoles,
    take_features,
    to_original_frames,
)
from models.network import Embedding
from models.shipped import default_model_path
from models.spans import item_spans


@dataclass(frozen=True)
class Exemplar:
    """A reference take.

    Attributes
    ----------
    key : str
        Stable identity for the cache (e.g. ``"file.h5:take"``).
    pose3d : numpy.ndarray, shape (T, J, 3), or None
    pose2d : numpy.ndarray, shape (V, T, J, 3), or None
        Whichever the model's modality needs.
    score : float
        The exemplar's annotated score y_Z.
    """

    key: str
    pose3d: np.ndarray | None
    pose2d: np.ndarray | None
    score: float


@dataclass(frozen=True)
class TakeScore:
    """The model's view of one take.

    Attributes
    ----------
    score : float
        Predicted score, averaged over the exemplars.
    per_exemplar : numpy.ndarray, shape (K,)
        ŷ from each exemplar (empty for a direct model).
    penalty_codes : tuple of str
        H penalty items, one per head.
    penalty_probabilities : numpy.ndarray, shape (H,)
        Probability that each item occurs in the take.
    heatmap : numpy.ndarray, shape (H, T)
        Per original frame probability of each item.
    penalty_spans : numpy.ndarray of int, shape (H, 2)
        Each item's predicted span, first frame and end (exclusive), -1 for none (:func:`models.spans.item_spans`).
    interval : (float, float) or None
        The score interval at the model's calibrated coverage (None for a model
        without calibration), see :mod:`models.intervals`.
    interval_coverage : float or None
        Its nominal coverage, e.g. 0.9.
    """

    score: float
    per_exemplar: np.ndarray
    penalty_codes: tuple[str, ...]
    penalty_probabilities: np.ndarray
    heatmap: np.ndarray
    penalty_spans: np.ndarray
    interval: tuple[float, float] | None = None
    interval_coverage: float | None = None


class Scorer:
    """A loaded model ready to score takes.

    Parameters
    ----------
    model : ScoringModel
    device : torch.device
    """

    def __init__(self, model: ScoringModel, device: torch.device) -> None:
        self.model = model
        self.device = device
        self._roles = JointRoles.from_joint_names(model.joint_names)
        self._cache: dict[tuple[str, bool], Embedding] = {}

    @classmethod
    def load(cls, path: str | Path | None = None, device: str | None = None, single_thread: bool = False) -> "Scorer":
        """Load a checkpoint (default: the shipped model) on CUDA when available, else CPU.

        Parameters
        ----------
        single_thread : bool
            Limit torch to one CPU thread (for the GUI process, where more threads
            fight the UI for the cores).
        """
        if single_thread:
            torch.set_num_threads(1)
        torch_device = resolve_device(device, ProcessGroup())
        return cls(load_checkpoint(path or default_model_path(), torch_device), torch_device)

    @property
    def penalty_codes(self) -> tuple[str, ...]:
        return self.model.head_codes

    def features(self, pose3d: np.ndarray | None, pose2d: np.ndarray | None) -> np.ndarray:
        """Backbone input ``(D, S, J)`` (``(V, D, S, J)`` for a multi-view model) of a take for this
        model's modality."""
        config = self.model.config
        if self.model.network.reads_crops:
            raise ValueError("this model also reads video crops rendered from a synthetic take's reference "
                             "motion (the video-stream ablation): score takes with a pose model; "
                             "bench/bench_streams.py measures such models on a synthetic library")
        pose = pose3d if config.modality == "pose3d" else pose2d
        if pose is not None and pose.shape[-2] != len(self.model.joint_names):
            raise ValueError(f"the take has {pose.shape[-2]} joints, the model was trained on "
                             f"{len(self.model.joint_names)} ({self.model.metadata['skeleton']['name']})")
        return take_features(pose3d, pose2d, config.modality, self._roles, config.n_steps, config.angles,
                             config.n_views)

    def _views(self, inputs: np.ndarray) -> np.ndarray:
        """Backbone inputs ``(N, D, S, J)`` followed, when the model averages over the
        mirror image, by their mirrors: ``(N * n_views, D, S, J)``."""
        mirror = self.model.test_mirror
        return inputs if mirror is None else np.concatenate([inputs, mirror(inputs)])

    def _exemplar_embedding(self, exemplars: list[Exemplar]) -> Embedding:
        """Cached embeddings of the exemplars, all of them as they are, then (when the
        model averages over the mirror image) all of them mirrored."""
        n_views = self._n_views
        missing = [e for e in exemplars if (e.key, False) not in self._cache]
        if missing:
            embedded = embed(self.model.network, self._views(np.stack([self.features(e.pose3d, e.pose2d)
                                                                       for e in missing])), self.device)
            for view in range(n_views):
                for i, exemplar in enumerate(missing):
                    at = view * len(missing) + i
                    self._cache[(exemplar.key, view == 1)] = Embedding(embedded.tokens[at:at + 1],
                                                                       embedded.queries[at:at + 1])
        parts = [self._cache[(e.key, view == 1)] for view in range(n_views) for e in exemplars]
        return Embedding(torch.cat([p.tokens for p in parts]), torch.cat([p.queries for p in parts]))

    def clear_cache(self) -> None:
        """Forget the cached exemplar embeddings."""
        self._cache.clear()

    def has_embedding(self, key: str) -> bool:
        """Whether the exemplar of ``key`` is embedded (its poses are then not needed)."""
        return (key, False) in self._cache

    def embedding_arrays(self, key: str) -> dict[str, np.ndarray]:
        """The cached embedding of exemplar ``key`` as arrays, for storing: ``tokens_V`` ``(1, S', d)`` and
        ``queries_V`` ``(1, Q, d)`` float32 (with a camera axis after the first in a multi-view model,
        :mod:`models.multiview`) for V = 0 (as is) and, when the model averages over the mirror
        image, 1 (mirrored)."""
        arrays = {}
        for view, mirrored in enumerate((False, True)[:self._n_views]):
            embedding = self._cache[(key, mirrored)]
            arrays[f"tokens_{view}"] = embedding.tokens.cpu().numpy()
            arrays[f"queries_{view}"] = embedding.queries.cpu().numpy()
        return arrays

    def add_embedding_arrays(self, key: str, arrays: dict[str, np.ndarray]) -> bool:
        """Cache exemplar ``key``'s embedding from :meth:`embedding_arrays` of the same model.

        Returns False (and caches nothing) when the arrays do not fit this model.
        """
        parts = {}
        for view, mirrored in enumerate((False, True)[:self._n_views]):
            tokens, queries = arrays.get(f"tokens_{view}"), arrays.get(f"queries_{view}")
            if tokens is None or queries is None or tokens.ndim not in (3, 4) or queries.ndim not in (3, 4) \
                    or tokens.shape[0] != 1 or queries.shape[0] != 1:
                return False
            parts[(key, mirrored)] = Embedding(torch.as_tensor(tokens, device=self.device),
                                               torch.as_tensor(queries, device=self.device))
        self._cache.update(parts)
        return True

    @property
    def _n_views(self) -> int:
        """1, or 2 when the model also scores the mirror image."""
        return 1 if self.model.test_mirror is None else 2

    def score(self, pose3d: np.ndarray | None, pose2d: np.ndarray | None, exemplars: list[Exemplar]) -> TakeScore:
        """Score one take against its exemplars (all in one batch).

        Parameters
        ----------
        pose3d : numpy.ndarray, shape (T, J, 3), or None
        pose2d : numpy.ndarray, shape (V, T, J, 3), or None
        exemplars : list of Exemplar
            Exemplars of the same action (a direct model ignores them).

        Raises
        ------
        ValueError
            If a contrastive model gets no exemplar, or the pose does not fit the model.
        """
        contrastive = self.model.network.contrastive
        if contrastive and not exemplars:
            raise ValueError("scoring needs at least one exemplar of the take's action")
        n_frames = (pose3d if self.model.config.modality == "pose3d" else pose2d[0]).shape[0]
        target = embed(self.model.network, self._views(self.features(pose3d, pose2d)[None]), self.device)
        n_views = len(target.queries)
        if contrastive:
            references = self._exemplar_embedding(exemplars)
            count = len(exemplars)
            scores = np.array([e.score for e in exemplars], dtype=float)
            view_of_pair = torch.arange(n_views, device=self.device).repeat_interleave(count)
            with torch.no_grad():
                delta, logits = self.model.network.compare(target.select(view_of_pair), references)
            per_exemplar = (delta.cpu().numpy().reshape(n_views, count) + scores).mean(axis=0)
            value = float(per_exemplar.mean())
            step = torch.sigmoid(logits).mean(dim=0).cpu().numpy() if logits is not None else None
        else:
            predicted, _, probabilities = compare_embedded(self.model.network, target, None, [], np.empty(0),
                                                           self.model.score_offset)
            per_exemplar, value = np.empty(0), float(predicted.mean())
            step = None if probabilities is None else probabilities.mean(axis=0)
        interval, coverage = self._interval(value, per_exemplar)
        if step is None:
            return TakeScore(value, per_exemplar, self.penalty_codes, np.zeros(0), np.zeros((0, n_frames)),
                             np.zeros((0, 2), dtype=np.int64), interval, coverage)
        heatmap = to_original_frames(step, n_frames)
        return TakeScore(value, per_exemplar, self.penalty_codes, step.max(axis=-1), heatmap, item_spans(heatmap),
                         interval, coverage)

    def _interval(self, value: float, per_exemplar: np.ndarray) -> tuple[tuple[float, float] | None, float | None]:
        """The score interval around ``value`` from the spread of the per-exemplar predictions."""
        calibration = self.model.calibration
        if calibration is None:
            return None, None
        spread = float(np.std(per_exemplar)) if len(per_exemplar) else 0.0
        low, high = calibration.intervals(np.array([value]), np.array([spread]), len(per_exemplar))[0]
        return (float(low), float(high)), calibration.coverage
