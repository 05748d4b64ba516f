"""What the scoring model says about the current take, in a Qt-free, torch-free form.

The application builds a :class:`ScoringResult` from the model's output and
hands it to the viewer state; the scoring panel, the penalty heatmap under the
curves and the 3D skeleton read it from there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.catalogue.penalties import PenaltyItem
from analysis.score_interval import interval_text

RESPONSIBLE_THRESHOLD = 0.35
"""Joints at least this responsible can be named in the scoring panel and coloured in the 3D view."""
MAX_RESPONSIBLE_JOINTS = 4
"""At most this many joints are singled out (the most responsible)."""


NO_INTERVAL = "no score interval: this model was saved without an interval calibration"
"""Why the panel shows no interval for a model (an older checkpoint, a fine-tuned model) that gives none."""

PREDICTED_THRESHOLD = 0.5
"""An item at least this probable counts as predicted: it gets a bookmark on the timeline."""


@dataclass(frozen=True)
class PredictedPenalty:
    """A penalty item the model finds in the take, and where.

    Attributes
    ----------
    code, name : str
        Catalogue code and name.
    probability : float
    start, end : int
        Its predicted span: first frame and end (exclusive).
    """

    code: str
    name: str
    probability: float
    start: int
    end: int


@dataclass(frozen=True)
class ExemplarUsed:
    """One exemplar the take was compared with.

    Attributes
    ----------
    file : str
        Library file (relative to the library folder).
    take : str
    athlete : str
        Who performed it (exemplar takes of one action share their take name).
    score : float
        Its annotated score y_Z.
    """

    file: str
    take: str
    athlete: str
    score: float


@dataclass(frozen=True)
class ScoringResult:
    """The predicted score of a take, its penalties and where they happen.

    Attributes
    ----------
    take_id : str
        The take that was scored.
    predicted : float
        Predicted score, averaged over the exemplars.
    exemplars : tuple of ExemplarUsed
        The K exemplars of the same action it was compared with (empty for a direct model).
    penalty_codes, penalty_names : tuple of str
        The P penalty items of the model's heads, and their catalogue names.
    probabilities : numpy.ndarray, shape (P,)
        Probability that each item occurs in the take.
    heatmap : numpy.ndarray, shape (P, T)
        Probability of each item at each original frame of the take.
    joint_responsibility : numpy.ndarray, shape (J,)
        How much each joint of the take's skeleton is to blame, in [0, 1].
    model_name, model_version : str
        The model that scored it.
    penalty_spans : numpy.ndarray of int, shape (P, 2), or None
        Each item's predicted span (first frame, end exclusive; -1 when none).
    interval : (float, float) or None
        The score interval (low, high) at ``interval_coverage``; None when the model has no calibration.
    interval_coverage : float or None
        The interval's nominal coverage, e.g. 0.9.
    """

    take_id: str
    predicted: float
    exemplars: tuple[ExemplarUsed, ...]
    penalty_codes: tuple[str, ...]
    penalty_names: tuple[str, ...]
    probabilities: np.ndarray
    heatmap: np.ndarray
    joint_responsibility: np.ndarray
    model_name: str
    model_version: str
    penalty_spans: np.ndarray | None = None
    interval: tuple[float, float] | None = None
    interval_coverage: float | None = None

    @property
    def n_frames(self) -> int:
        return int(self.heatmap.shape[1])

    def ranked_penalties(self) -> list[tuple[str, str, float]]:
        """(code, name, probability) of every item, most probable first."""
        order = np.argsort(-self.probabilities, kind="stable")
        return [(self.penalty_codes[i], self.penalty_names[i], float(self.probabilities[i])) for i in order]

    def interval_text(self) -> str:
        """The score interval for people, e.g. ``8.51–8.95 (90 % interval)``; '' without one."""
        return interval_text(self.interval, self.interval_coverage)

    def predicted_penalties(self, threshold: float = PREDICTED_THRESHOLD) -> list[PredictedPenalty]:
        """The items the model deems present (probability ≥ ``threshold``) with a span, earliest first."""
        if self.penalty_spans is None:
            return []
        found = [PredictedPenalty(code, name, float(probability), int(span[0]), int(span[1]))
                 for code, name, probability, span in zip(self.penalty_codes, self.penalty_names, self.probabilities,
                                                          self.penalty_spans)
                 if probability >= threshold and span[0] >= 0]
        return sorted(found, key=lambda penalty: (penalty.start, -penalty.probability))

    def responsible_joints(self, threshold: float = RESPONSIBLE_THRESHOLD,
                           limit: int = MAX_RESPONSIBLE_JOINTS) -> np.ndarray:
        """Indices of up to ``limit`` joints with responsibility >= ``threshold``, most responsible first."""
        order = np.argsort(-self.joint_responsibility, kind="stable")[:limit]
        return order[self.joint_responsibility[order] >= threshold]


def joint_responsibility(probabilities: np.ndarray, codes: tuple[str, ...], joint_names: tuple[str, ...],
                         catalogue: dict[str, PenaltyItem]) -> np.ndarray:
    """Per joint, the probability that at least one penalty item concerning it occurs.

    r_j = 1 − Π_{p ∋ j} (1 − prob_p), over the items p whose catalogue entry names joint j.

    Parameters
    ----------
    probabilities : numpy.ndarray, shape (P,)
        Item probabilities, in the order of ``codes``.
    codes : tuple of str
        The P item codes.
    joint_names : tuple of str
        The J joints of the take's skeleton (names not in the catalogue get 0).
    catalogue : dict of str to PenaltyItem
        :func:`analysis.catalogue.penalties.load_penalty_catalogue`.

    Returns
    -------
    numpy.ndarray, shape (J,), in [0, 1]
    """
    position = {name: j for j, name in enumerate(joint_names)}
    clear = np.ones(len(joint_names))
    for code, probability in zip(codes, np.clip(np.asarray(probabilities, float), 0.0, 1.0)):
        item = catalogue.get(code)
        if item is None:
            continue
        for name in item.joints:
            if name in position:
                clear[position[name]] *= 1.0 - probability
    return 1.0 - clear
