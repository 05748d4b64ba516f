"""Apparatus geometry of the eight LucidAction events, in world coordinates.

World frame: metres, Z up, floor at z = 0, origin at the apparatus centre.
The main direction of travel (runway, beam, floor diagonal) is +X; bars that
the athlete swings around run along Y, so swings happen in the X-Z plane.
Parallel-bar rails run along X.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.session.contract import EVENTS


@dataclass(frozen=True)
class Box:
    """An axis-aligned box: ``center`` (3,) and ``size`` (3,) in metres, colour BGR."""

    name: str
    center: tuple[float, float, float]
    size: tuple[float, float, float]
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Bar:
    """A cylinder from ``start`` to ``end`` (3,) with ``radius``, metres; colour BGR."""

    name: str
    start: tuple[float, float, float]
    end: tuple[float, float, float]
    radius: float
    color: tuple[int, int, int]


@dataclass(frozen=True)
class FloorPatch:
    """A coloured rectangle on the floor, ``x0 x1 y0 y1`` in metres, colour BGR."""

    name: str
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    color: tuple[int, int, int]


@dataclass(frozen=True)
class Apparatus:
    """Everything drawn or touched in one event.

    Attributes
    ----------
    event : str
    patches, boxes, bars : tuples of FloorPatch, Box, Bar
        Geometry to draw (patches first, then boxes and bars).
    anchors : dict of str to ndarray (3,)
        Named contact points the motion synthesis uses: ``bar`` (horizontal
        bar centre), ``low_bar``/``high_bar``, ``rail_left``/``rail_right``
        (parallel-bar rail centres), ``table_top`` (vault table top centre),
        ``springboard``, ``beam_top`` (beam top centre).
    camera_target : ndarray (3,)
        Where the camera rig aims.
    coverage : tuple of float
        Half extents ``(x, y, z)`` in metres of the volume the cameras must see.
    """

    event: str
    patches: tuple[FloorPatch, ...]
    boxes: tuple[Box, ...]
    bars: tuple[Bar, ...]
    anchors: dict[str, np.ndarray] = field(default_factory=dict)
    camera_target: np.ndarray = field(default_factory=lambda: np.zeros(3))
    coverage: tuple[float, float, float] = (3.0, 3.0, 1.5)


_CARPET = (150, 90, 40)
_CARPET_EDGE = (235, 235, 235)
_MAT = (60, 120, 190)
_RUNWAY = (90, 80, 70)
_STEEL = (200, 200, 205)
_WOOD = (90, 150, 200)
_FRAME = (60, 60, 70)
_LEATHER = (70, 90, 130)
_SUEDE = (150, 170, 185)


def _floor_exercise(event: str) -> Apparatus:
    return Apparatus(
        event=event,
        patches=(
            FloorPatch("border", (-6.5, 6.5), (-6.5, 6.5), _CARPET_EDGE),
            FloorPatch("carpet", (-6.0, 6.0), (-6.0, 6.0), _CARPET),
        ),
        boxes=(),
        bars=(),
        anchors={},
        camera_target=np.array([-0.3, 0.0, 1.2]),
        coverage=(1.9, 1.0, 1.3),
    )


def _vault(event: str) -> Apparatus:
    table_height = 1.35 if event == "MVT" else 1.25
    return Apparatus(
        event=event,
        patches=(
            FloorPatch("runway", (-16.0, -1.2), (-0.5, 0.5), _RUNWAY),
            FloorPatch("landing_mat", (0.8, 6.5), (-1.2, 1.2), _MAT),
        ),
        boxes=(
            Box("springboard", (-1.35, 0.0, 0.1), (0.6, 0.6, 0.2), _WOOD),
            Box("table_top", (0.0, 0.0, table_height - 0.1), (1.2, 0.95, 0.2), _LEATHER),
            Box("table_column", (0.0, 0.0, (table_height - 0.2) / 2), (0.3, 0.3, table_height - 0.2), _FRAME),
        ),
        bars=(),
        anchors={
            "table_top": np.array([0.0, 0.0, table_height]),
            "springboard": np.array([-1.35, 0.0, 0.2]),
        },
        camera_target=np.array([-0.5, 0.0, 1.4]),
        coverage=(4.0, 1.0, 1.5),
    )


def _parallel_bars() -> Apparatus:
    height, half_gap, half_length = 1.95, 0.23, 1.75
    bars = tuple(
        Bar(f"rail_{side}", (-half_length, y, height), (half_length, y, height), 0.025, _WOOD)
        for side, y in (("left", half_gap), ("right", -half_gap))
    )
    posts = tuple(
        Box(f"post_{i}", (x, y, height / 2), (0.06, 0.06, height), _FRAME)
        for i, (x, y) in enumerate(
            (x, y) for x in (-1.1, 1.1) for y in (half_gap, -half_gap)
        )
    )
    return Apparatus(
        event="MPB",
        patches=(FloorPatch("mat", (-2.5, 3.5), (-1.5, 1.5), _MAT),),
        boxes=posts,
        bars=bars,
        anchors={
            "rail_left": np.array([0.0, half_gap, height]),
            "rail_right": np.array([0.0, -half_gap, height]),
        },
        camera_target=np.array([0.9, 0.0, 1.9]),
        coverage=(2.7, 1.0, 1.9),
    )


def _bar_posts(x: float, height: float, prefix: str) -> tuple[Box, ...]:
    return tuple(
        Box(f"{prefix}_post_{side}", (x, y, height / 2), (0.06, 0.06, height), _FRAME)
        for side, y in (("left", 1.2), ("right", -1.2))
    )


def _horizontal_bar() -> Apparatus:
    height = 2.8
    return Apparatus(
        event="MHB",
        patches=(FloorPatch("mat", (-3.0, 3.0), (-1.5, 1.5), _MAT),),
        boxes=_bar_posts(0.0, height, "bar"),
        bars=(Bar("bar", (0.0, -1.2, height), (0.0, 1.2, height), 0.014, _STEEL),),
        anchors={"bar": np.array([0.0, 0.0, height])},
        camera_target=np.array([0.5, 0.0, 2.5]),
        coverage=(2.3, 1.2, 2.5),
    )


def _uneven_bars() -> Apparatus:
    low = (-0.9, 1.7)
    high = (0.9, 2.5)
    return Apparatus(
        event="WUB",
        patches=(FloorPatch("mat", (-3.0, 3.5), (-1.5, 1.5), _MAT),),
        boxes=_bar_posts(low[0], low[1], "low") + _bar_posts(high[0], high[1], "high"),
        bars=(
            Bar("low_bar", (low[0], -1.2, low[1]), (low[0], 1.2, low[1]), 0.02, _WOOD),
            Bar("high_bar", (high[0], -1.2, high[1]), (high[0], 1.2, high[1]), 0.02, _WOOD),
        ),
        anchors={
            "low_bar": np.array([low[0], 0.0, low[1]]),
            "high_bar": np.array([high[0], 0.0, high[1]]),
        },
        camera_target=np.array([-0.4, 0.0, 1.6]),
        coverage=(2.1, 1.2, 1.6),
    )


def _balance_beam() -> Apparatus:
    height, half_length = 1.25, 2.5
    return Apparatus(
        event="WBB",
        patches=(FloorPatch("mat", (-3.5, 3.5), (-1.2, 1.2), _MAT),),
        boxes=(
            Box("beam", (0.0, 0.0, height - 0.08), (2 * half_length, 0.10, 0.16), _SUEDE),
            Box("beam_leg_a", (-1.6, 0.0, (height - 0.16) / 2), (0.08, 0.3, height - 0.16), _FRAME),
            Box("beam_leg_b", (1.6, 0.0, (height - 0.16) / 2), (0.08, 0.3, height - 0.16), _FRAME),
        ),
        bars=(),
        anchors={"beam_top": np.array([0.0, 0.0, height])},
        camera_target=np.array([0.0, 0.0, 1.9]),
        coverage=(2.6, 0.9, 1.6),
    )


def apparatus_for(event: str) -> Apparatus:
    """The apparatus of an event code (``MFE`` ... ``WBB``)."""
    builders = {
        "MFE": lambda: _floor_exercise("MFE"),
        "WFE": lambda: _floor_exercise("WFE"),
        "MVT": lambda: _vault("MVT"),
        "WVT": lambda: _vault("WVT"),
        "MPB": _parallel_bars,
        "MHB": _horizontal_bar,
        "WUB": _uneven_bars,
        "WBB": _balance_beam,
    }
    try:
        return builders[event]()
    except KeyError:
        raise ValueError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}") from None
