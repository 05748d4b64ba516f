"""Progress bars on the terminal for jobs that report ``progress(stage, done, total)``."""

from __future__ import annotations


class StageBars:
    """A tqdm bar per stage of a ``progress(stage, done, total)`` callback; total 0 means unknown.

    Parameters
    ----------
    units : dict of stage to str, optional
        What each stage counts (``"frame"``, ``"camera"`` ...); ``"step"`` otherwise.
    """

    def __init__(self, units: dict[str, str] | None = None) -> None:
        self._units = dict(units or {})
        self._bar = None
        self._stage = None

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if stage != self._stage:
            if self._bar is not None:
                self._bar.close()
            self._bar = tqdm(desc=stage.capitalize(), unit=self._units.get(stage, "step"))
            self._stage = stage
        self._bar.total = total or None
        self._bar.n = done
        self._bar.refresh()
