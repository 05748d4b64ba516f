"""Progress bars of the command line: tqdm behind the ``progress(done, total)`` callbacks of long jobs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tqdm import tqdm

from analysis.session.library import Library

#: Percent, bar, time spent and time left: the jobs count work units, not things worth naming.
PERCENT_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}<{remaining}]"


@contextmanager
def progress_bar(description: str, unit: str | None = None) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback drawing a tqdm bar (made on the first call, closed on exit).

    With ``unit`` the bar counts ``done/total unit``; without, it shows the percentage.
    """
    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=description, unit=unit or "it",
                       bar_format=None if unit else PERCENT_FORMAT)
        bar.total = total
        bar.update(done - bar.n)

    try:
        yield update
    finally:
        if bar is not None:
            bar.close()


def scan_library(folder: str | Path) -> Library:
    """:meth:`Library.scan`, with a progress bar while files are read (only new or changed ones are)."""
    with progress_bar("Indexing the library", "file") as update:
        return Library.scan(folder, progress=update)
