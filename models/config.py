"""Model and training configuration, and the named presets."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

#: Names of the modalities a model can read from a take (see :mod:`models.features`).
MODALITIES = ("pose3d", "pose2d", "pose2d_views")
#: Where a multi-view model (``pose2d_views``) joins its views (the paper's Table 3a):
#: ``batch`` trains on one view at a time and averages the views' scores; the
#: others fuse at the backbone's tokens, the decoder's queries, the pair feature
#: or the regressor's score.
VIEW_FUSIONS = ("batch", "backbone", "decoder", "pair", "regressor")
FUSION_OPS = ("cat", "avg")
#: What a model sees of a take: its pose, small video crops around the athlete
#: (:mod:`models.crop_encoder`), or both, their tokens joined before the decoder
#: (the paper's dual stream, Table 3b).
STREAMS = ("pose", "rgb", "rgb+pose")
MODES = ("contrastive", "direct")
ORDERINGS = ("mixed", "curriculum")


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a scoring model and how it is trained.

    Attributes
    ----------
    modality : str
        ``pose3d``, ``pose2d`` (the first view) or ``pose2d_views`` (every view), see
        :mod:`models.features`.
    n_views : int
        V, the views a ``pose2d_views`` model reads (1 for the other modalities).
    view_fusion : str
        Where a ``pose2d_views`` model joins its views (:data:`VIEW_FUSIONS`).
    fusion_op : str
        ``cat`` (concatenated, then a linear layer back to the token width) or
        ``avg`` (mean over views); the regressor's fusion only averages.
    streams : str
        ``pose``, ``rgb`` (video crops of the first camera only) or ``rgb+pose``
        (:data:`STREAMS`).
    angles : bool
        Give the backbone the joint flexion and trunk inclination channels too.
    mode : str
        ``contrastive`` (Eq. 1: score difference to an exemplar) or ``direct``.
    n_steps : int
        Fixed number of resampled time steps per take.
    widths : tuple of int
        ST-GCN block widths.
    token_dim, n_queries, decoder_layers : int
        Token width d, temporal queries Q and transformer decoder layers of A.
    penalty_heads : int or None
        None: one head per catalogue item; k: heads for the k items most frequent
        in the training takes (0 disables the heads).
    head_weight : float
        Weight of the penalty BCE against the score MSE.
    ordering : str
        ``mixed`` (shuffled) or ``curriculum`` (levels introduced in order).
    epochs, batch_size, patience : int
        Maximum epochs, pairs per step, epochs without validation gain before stopping.
    learning_rate, weight_decay, dropout : float
    k_exemplars : int
        Exemplars averaged over at evaluation time.
    partners_per_take : int
        Exemplars (of its action, drawn at random) each training take meets per epoch.
    group_size : int
        Targets of one action that meet the same exemplars in a batch (each take
        of a batch is embedded once, however many pairs it is in).
    mirror : bool
        Mirror half of the training pairs left/right (target and exemplar together).
    clean_references : bool
        Also pair training takes with the fault-free trainee takes of the training
        athletes, as if they were exemplars (:func:`models.data.fault_free_rows`).
    warp_exemplars : float
        Standard deviation of the log pace of a random time warp
        (:mod:`models.augment`) given to half the exemplars of each training batch
        (those that are not also a target in it); 0 for none.
    train_on_validation : bool
        Also train on the validation athletes, for the full ``epochs`` without early
        stopping (for the shipped model, once the settings are chosen on validation).
    """

    modality: str = "pose3d"
    n_views: int = 1
    view_fusion: str = "batch"
    fusion_op: str = "avg"
    streams: str = "pose"
    angles: bool = True
    mode: str = "contrastive"
    n_steps: int = 32
    widths: tuple[int, ...] = (32, 32, 48)
    token_dim: int = 64
    n_queries: int = 4
    decoder_layers: int = 2
    penalty_heads: int | None = None
    head_weight: float = 1.5
    ordering: str = "mixed"
    epochs: int = 60
    batch_size: int = 64
    patience: int = 12
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    dropout: float = 0.1
    k_exemplars: int = 5
    partners_per_take: int = 3
    group_size: int = 4
    mirror: bool = True
    clean_references: bool = False
    warp_exemplars: float = 0.0
    train_on_validation: bool = False

    def __post_init__(self) -> None:
        if self.modality not in MODALITIES:
            raise ValueError(f"modality must be one of {MODALITIES}, got {self.modality!r}")
        if self.view_fusion not in VIEW_FUSIONS or self.fusion_op not in FUSION_OPS:
            raise ValueError(f"view_fusion must be one of {VIEW_FUSIONS} and fusion_op one of {FUSION_OPS}")
        if self.view_fusion == "regressor" and self.fusion_op == "cat":
            raise ValueError("views fused at the regressor's score can only be averaged (fusion_op avg)")
        if (self.n_views < 1) or (self.modality != "pose2d_views" and self.n_views != 1):
            raise ValueError("n_views must be >= 1, and 1 unless the modality is pose2d_views")
        if self.streams not in STREAMS:
            raise ValueError(f"streams must be one of {STREAMS}, got {self.streams!r}")
        if self.streams != "pose" and (self.modality == "pose2d_views" or self.warp_exemplars > 0):
            raise ValueError("video crops go with one pose sequence (pose3d or pose2d) and no exemplar time warp")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, got {self.mode!r}")
        if self.ordering not in ORDERINGS:
            raise ValueError(f"ordering must be one of {ORDERINGS}, got {self.ordering!r}")
        if self.penalty_heads is not None and self.penalty_heads < 0:
            raise ValueError("penalty_heads must be None or >= 0")
        if self.n_steps < 8 or self.epochs < 1 or self.batch_size < 1 or self.k_exemplars < 1 or not self.widths \
                or self.partners_per_take < 1 or self.group_size < 1 or self.warp_exemplars < 0:
            raise ValueError("n_steps >= 8, epochs, batch_size, k_exemplars, partners_per_take, group_size >= 1, "
                             "warp_exemplars >= 0 and at least one width are required")

    def to_dict(self) -> dict:
        """Plain dict (lists for tuples) for the checkpoint."""
        data = asdict(self)
        data["widths"] = list(self.widths)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        """Inverse of :meth:`to_dict`; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model settings {sorted(unknown)}")
        values = dict(data)
        if "widths" in values:
            values["widths"] = tuple(int(w) for w in values["widths"])
        return cls(**values)


PRESETS: dict[str, ModelConfig] = {
    "default": ModelConfig(),
    # The shipped model: the default settings (chosen on the validation athletes),
    # trained on the training and validation athletes for a fixed number of epochs.
    "shipped": ModelConfig(train_on_validation=True, epochs=30),
    # The shipped recipe with each change measured on fresh validation libraries in issue 15
    # (docs/benchmarks.md, "Scoring (issue 15)").
    "shipped-cleanrefs": ModelConfig(train_on_validation=True, epochs=30, clean_references=True),
    "shipped-warp": ModelConfig(train_on_validation=True, epochs=30, warp_exemplars=0.2),
    "direct": ModelConfig(mode="direct"),
    "pose2d": ModelConfig(modality="pose2d"),
    # Every camera's 2D keypoints, the views' pair features concatenated (the paper's best
    # multi-view setting, Table 3a); ``train`` sets n_views to the library's cameras.
    "pose2d-views": ModelConfig(modality="pose2d_views", n_views=8, view_fusion="pair", fusion_op="cat"),
    "noangles": ModelConfig(angles=False),
    "heads0": ModelConfig(penalty_heads=0),
    "heads1": ModelConfig(penalty_heads=1),
    "heads2": ModelConfig(penalty_heads=2),
    "heads3": ModelConfig(penalty_heads=3),
    "curriculum": ModelConfig(ordering="curriculum"),
    # A smaller network (about a quarter of the default's compute) for comparing settings on a CPU,
    # e.g. the multi-view ablation (bench/bench_multiview.py), where every take is embedded once per camera.
    "small": ModelConfig(widths=(16, 24), token_dim=32, decoder_layers=1),
    "tiny": ModelConfig(n_steps=32, widths=(16, 24), token_dim=32, n_queries=2, decoder_layers=1,
                        epochs=40, batch_size=16, patience=40, learning_rate=3e-3),
}


def preset(name: str, **overrides) -> ModelConfig:
    """A named preset, with ``overrides`` (None values ignored) applied."""
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(PRESETS[name], **{k: v for k, v in overrides.items() if v is not None})
