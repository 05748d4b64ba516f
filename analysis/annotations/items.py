"""The annotations a coach adds to a take, as plain immutable data.

Four kinds, each the items of one section of the annotations file
(``docs/format.md``, *The annotations file*):

- :class:`Drawing`: a shape drawn on one camera view over a range of frames, its
  points in that camera's image pixels (so it stays on the same spot of the image
  under zoom and pan, and in exports);
- :class:`Marker`: a moment of the take with a note;
- :class:`Measurement`: a 3D distance between two joints or the angle at a joint,
  measured on every frame;
- :class:`ReviewedPenalty`: a penalty item confirmed, rejected, edited or added
  by the coach reviewing the model's predictions.

Every item has an ``id`` (unique in the file) and the ``take`` it belongs to.
Constructors check their values and raise ``ValueError`` naming the problem.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field, replace
from typing import ClassVar

from analysis.render import palette
from analysis.session.contract import PENALTY_VALUES

#: Shapes of a drawing and how many points each has (min, max; None: no limit).
#: line, arrow: start, end. circle: centre, a point on the rim. freehand: the stroke.
#: text: the top-left corner of the text. angle: one arm's end, the vertex, the other arm's end.
SHAPE_POINTS: dict[str, tuple[int, int | None]] = {
    "line": (2, 2), "arrow": (2, 2), "circle": (2, 2), "freehand": (2, None), "text": (1, 1), "angle": (3, 3),
}
SHAPE_NAMES: dict[str, str] = {"line": "line", "arrow": "arrow", "circle": "circle", "freehand": "freehand stroke",
                               "text": "text", "angle": "angle"}
#: Kinds of 3D measurement and how many joints each takes (the angle's vertex is the middle one).
MEASUREMENT_JOINTS: dict[str, int] = {"distance": 2, "angle": 3}
REVIEW_STATUSES = ("confirmed", "rejected", "edited", "added")
DEFAULT_COLOUR = palette.ANNOTATION


def new_id() -> str:
    """A fresh item id (32 hex digits)."""
    return uuid.uuid4().hex


def _check_frame(name: str, value: int, lowest: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
        raise ValueError(f"{name} must be an integer ≥ {lowest}, got {value!r}")


def _check_text(name: str, value: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be text, got {value!r}")


@dataclass(frozen=True)
class Drawing:
    """A shape on one camera view, shown on frames ``first_frame`` .. ``last_frame`` (inclusive).

    Attributes
    ----------
    points : tuple of (x, y)
        Camera image pixels of ``view``; how many depends on ``shape`` (:data:`SHAPE_POINTS`).
    text : str
        The words of a ``text`` drawing ('' for other shapes).
    colour : str
        ``#rrggbb``.
    """

    SECTION: ClassVar[str] = "drawings"
    take: str
    view: str
    shape: str
    points: tuple[tuple[float, float], ...]
    first_frame: int
    last_frame: int
    text: str = ""
    colour: str = DEFAULT_COLOUR
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.shape not in SHAPE_POINTS:
            raise ValueError(f"shape {self.shape!r} is not one of {', '.join(SHAPE_POINTS)}")
        points = tuple((float(x), float(y)) for x, y in self.points)
        object.__setattr__(self, "points", points)
        low, high = SHAPE_POINTS[self.shape]
        if len(points) < low or (high is not None and len(points) > high):
            wanted = str(low) if low == high else f"at least {low}"
            raise ValueError(f"{self.shape} drawings have {wanted} points, got {len(points)}")
        if not all(math.isfinite(c) for point in points for c in point):
            raise ValueError(f"the points of a {self.shape} must be finite numbers")
        _check_frame("first_frame", self.first_frame)
        _check_frame("last_frame", self.last_frame, self.first_frame)
        _check_text("text", self.text)
        _check_text("view", self.view)
        if not (isinstance(self.colour, str) and len(self.colour) == 7 and self.colour.startswith("#")):
            raise ValueError(f"colour must be '#rrggbb', got {self.colour!r}")

    @property
    def name(self) -> str:
        """What the drawing is, in words (for the Undo menu)."""
        return SHAPE_NAMES[self.shape]

    def visible_at(self, frame: int) -> bool:
        return self.first_frame <= frame <= self.last_frame

    def moved(self, dx: float, dy: float) -> Drawing:
        """The same drawing shifted by ``(dx, dy)`` image pixels."""
        return replace(self, points=tuple((x + dx, y + dy) for x, y in self.points))

    def with_point(self, index: int, point: tuple[float, float]) -> Drawing:
        """The same drawing with point ``index`` moved to ``point`` (image pixels)."""
        points = list(self.points)
        points[index] = point
        return replace(self, points=tuple(points))


@dataclass(frozen=True)
class Marker:
    """A moment of the take (``frame``) with the coach's ``note``."""

    SECTION: ClassVar[str] = "markers"
    take: str
    frame: int
    note: str = ""
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        _check_frame("frame", self.frame)
        _check_text("note", self.note)

    @property
    def name(self) -> str:
        return "marker"


@dataclass(frozen=True)
class Measurement:
    """A 3D measurement that follows its joints through the take.

    Attributes
    ----------
    kind : str
        ``"distance"`` between two joints (metres) or ``"angle"`` at the middle one of
        three joints (degrees, 180 when the three are in a line).
    joints : tuple of str
        Joint names of the session's skeleton.
    """

    SECTION: ClassVar[str] = "measurements"
    take: str
    kind: str
    joints: tuple[str, ...]
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        if self.kind not in MEASUREMENT_JOINTS:
            raise ValueError(f"measurement kind {self.kind!r} is not one of {', '.join(MEASUREMENT_JOINTS)}")
        object.__setattr__(self, "joints", tuple(self.joints))
        if len(self.joints) != MEASUREMENT_JOINTS[self.kind] or not all(isinstance(j, str) for j in self.joints):
            raise ValueError(f"a {self.kind} measurement names {MEASUREMENT_JOINTS[self.kind]} joints, "
                             f"got {list(self.joints)!r}")

    @property
    def name(self) -> str:
        return f"{self.kind} measurement"


@dataclass(frozen=True)
class ReviewedPenalty:
    """A penalty item as the coach reviewed it.

    Attributes
    ----------
    code : str
        Penalty item code (``resources/penalties.json``).
    start, end : int
        Frame span (end exclusive); -1 where unknown, as in the session file.
    value : float
        Deduction, one of 0.1, 0.3, 0.5, 1.0.
    status : str
        ``confirmed``, ``rejected``, ``edited`` (span or value changed) or ``added`` (missed by the model).
    model_probability : float or None
        The model's probability of the item when it was reviewed; None for an added item.
    """

    SECTION: ClassVar[str] = "reviewed_penalties"
    take: str
    code: str
    start: int
    end: int
    value: float
    status: str
    model_probability: float | None = None
    id: str = field(default_factory=new_id)

    def __post_init__(self) -> None:
        _check_text("code", self.code)
        _check_frame("start", self.start, -1)
        _check_frame("end", self.end, -1)
        if not any(math.isclose(self.value, allowed, abs_tol=1e-6) for allowed in PENALTY_VALUES):
            raise ValueError(f"value must be one of {', '.join(map(str, PENALTY_VALUES))}, got {self.value!r}")
        if self.status not in REVIEW_STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {', '.join(REVIEW_STATUSES)}")
        probability = self.model_probability
        if probability is not None and not (isinstance(probability, (int, float)) and 0.0 <= probability <= 1.0):
            raise ValueError(f"model_probability must be in [0, 1] or null, got {probability!r}")

    @property
    def name(self) -> str:
        return "penalty review"


AnnotationItem = Drawing | Marker | Measurement | ReviewedPenalty
#: The item class of each section of the file, in file order.
ITEM_TYPES: tuple[type, ...] = (Drawing, Marker, Measurement, ReviewedPenalty)
