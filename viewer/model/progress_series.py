"""An athlete's scores on one action over their takes: what the progress panel plots."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True, eq=False)
class ProgressSeries:
    """The takes of ``athlete`` doing ``action``, in the order they were performed.

    Attributes
    ----------
    athlete, action, action_name : str
    points : DataFrame
        :func:`analysis.progress.progress_table`: ``file``, ``take``, ``session``,
        ``created``, ``order``, ``annotated``, ``predicted`` (NaN where unknown).
    model : str
        The model whose predictions ``predicted`` holds ('' when none).
    """

    athlete: str
    action: str
    action_name: str
    points: pd.DataFrame
    model: str = ""
