"""How a predicted score's interval reads for people, wherever it is shown (panel, report, ``score``)."""

from __future__ import annotations


def interval_text(interval: tuple[float, float] | None, coverage: float | None) -> str:
    """A score interval, e.g. ``8.51–8.95 (90 % interval)``; '' without one.

    Parameters
    ----------
    interval : (float, float) or None
        Low and high ends, points.
    coverage : float or None
        Its nominal coverage in (0, 1).
    """
    if interval is None or coverage is None:
        return ""
    return f"{interval[0]:.2f}–{interval[1]:.2f} ({100 * coverage:.0f} % interval)"
