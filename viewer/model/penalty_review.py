"""The penalty review of the current take: the rows the review panel lists and the edits its buttons ask for.

A row is one penalty item: a proposal of the model not yet reviewed (``pending``),
or a reviewed item of the annotations (``confirmed``, ``rejected``, ``edited``,
``added``). Deciding on a row gives an :class:`AnnotationEdit` the panel
requests from the annotations model, so every decision is an undoable command
saved in the annotations file like any other annotation. Qt-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from analysis.annotations.items import ReviewedPenalty
from analysis.penalty_review import Proposal, proposals
from analysis.render.take_overlays import penalty_name
from analysis.session.data import Penalties
from viewer.model.annotations import AnnotationEdit
from viewer.model.scoring_result import ScoringResult

PENDING = "pending"
#: What each decision is called in the Undo menu.
VERBS = {"confirmed": "Confirm", "rejected": "Reject", "edited": "Edit", "added": "Edit"}


@dataclass(frozen=True)
class ReviewRow:
    """One penalty item of the review.

    Attributes
    ----------
    code : str
    start, end : int
        Frame span (end exclusive); -1 where unknown.
    value : float
        Deduction, points.
    probability : float or None
        The model's probability of the item (None without a scoring, or for an item it has no head for).
    status : str
        ``pending`` (proposed by the model, not reviewed yet) or the reviewed item's status.
    item : ReviewedPenalty or None
        The reviewed item; None while pending.
    """

    code: str
    start: int
    end: int
    value: float
    probability: float | None
    status: str
    item: ReviewedPenalty | None = None


def review_rows(take_id: str, scoring: ScoringResult | None, annotated: Penalties,
                reviewed: Sequence[ReviewedPenalty]) -> list[ReviewRow]:
    """The rows of a take's review: the model's proposals (most probable first), each replaced by its
    reviewed item once there is one, then the items the coach added.

    Parameters
    ----------
    take_id : str
    scoring : ScoringResult or None
        The model's verdict on the take; None lists the reviewed items only.
    annotated : Penalties
        The take's penalties in the session file (their deductions are proposed).
    reviewed : sequence of ReviewedPenalty
        The take's reviewed items (at most one per item code).
    """
    found: list[Proposal] = [] if scoring is None else proposals(scoring.penalty_codes, scoring.probabilities,
                                                                  scoring.heatmap, annotated)
    probability = {} if scoring is None else dict(zip(scoring.penalty_codes, map(float, scoring.probabilities)))
    by_code = {item.code: item for item in reviewed if item.take == take_id}
    rows = []
    for proposal in found:
        item = by_code.pop(proposal.code, None)
        rows.append(_row(item, probability) if item is not None else
                    ReviewRow(proposal.code, proposal.start, proposal.end, proposal.value, proposal.probability,
                              PENDING))
    rows.extend(_row(item, probability) for item in by_code.values())
    return rows


def _row(item: ReviewedPenalty, probability: dict[str, float]) -> ReviewRow:
    known = item.model_probability if item.model_probability is not None else probability.get(item.code)
    return ReviewRow(item.code, item.start, item.end, item.value, known, item.status, item)


def decision(take_id: str, row: ReviewRow, status: str, start: int | None = None, end: int | None = None,
             value: float | None = None) -> AnnotationEdit:
    """The edit that gives ``row`` the status ``confirmed``, ``rejected`` or ``edited`` (with a new span or value).

    An item the coach added stays ``added`` when it is edited.
    """
    span_start, span_end = row.start if start is None else start, row.end if end is None else end
    value = row.value if value is None else value
    if status == "edited" and row.status == "added":
        status = "added"
    text = f"{VERBS[status]} penalty: {penalty_name(row.code)}"
    if row.item is None:
        return AnnotationEdit(text, None, ReviewedPenalty(take_id, row.code, span_start, span_end, value, status,
                                                          row.probability))
    return AnnotationEdit(text, row.item, replace(row.item, start=span_start, end=span_end, value=value, status=status))


def addition(take_id: str, code: str, start: int, end: int, value: float) -> AnnotationEdit:
    """The edit that adds an item the model missed."""
    return AnnotationEdit(f"Add penalty: {penalty_name(code)}", None,
                          ReviewedPenalty(take_id, code, start, end, value, "added"))


def withdrawal(row: ReviewRow) -> AnnotationEdit | None:
    """The edit that takes back the review of ``row`` (a proposal becomes pending again; an added item goes);
    None for a pending row."""
    return None if row.item is None else AnnotationEdit(f"Clear review: {penalty_name(row.code)}", row.item, None)
