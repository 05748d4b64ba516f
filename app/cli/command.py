"""What every command shares: how it joins the main parser, its exit codes, progress bars, JSON reports.

A command module adds its subcommands with :func:`add_command`, which records
the function that runs each one; ``main.py`` calls that function. Modules import
their heavy dependencies inside those functions, so that building the parser
(``main.py --help``) imports no model runtime, no torch and no video decoder.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from analysis.session.atomic import write_text_atomically

#: Exit status of a command given bad input (a bad file, option or value); it prints one line.
EXIT_BAD_INPUT = 2
#: Exit status of a command stopped with Ctrl+C.
EXIT_INTERRUPTED = 130

Run = Callable[[argparse.Namespace], int]


def add_command(commands: argparse._SubParsersAction, name: str, run: Run, **options) -> argparse.ArgumentParser:
    """Add the subcommand ``name``, run by ``run(args)`` (its exit status); ``options`` go to ``add_parser``."""
    parser = commands.add_parser(name, **options)
    parser.set_defaults(run=run)
    return parser


def add_json_option(parser: argparse.ArgumentParser, what: str) -> None:
    """``--json OUT``: also write ``what`` (e.g. "the summary") as JSON; see :func:`write_json_report`."""
    parser.add_argument("--json", type=Path, default=None, metavar="OUT", help=f"also write {what} as JSON")


def write_json_report(path: Path, report: dict) -> None:
    """Write ``report`` to ``path`` as indented JSON (atomically; NaN and infinities as null) and say so."""
    def clean(value):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(item) for item in value]
        return value

    write_text_atomically(path, json.dumps(clean(report), indent=2) + "\n")
    print(f"wrote {path}")


class ProgressBar:
    """A tqdm bar (rate, ETA) fed by ``(done, total)`` progress callbacks.

    The bar appears on the first call, so a job that reports nothing shows
    nothing; use it as a context manager to close it.

    Parameters
    ----------
    description : str
    unit : str
    **options
        More tqdm options (``unit_scale``, ``unit_divisor``).
    """

    def __init__(self, description: str, unit: str, **options) -> None:
        self._options = dict(desc=description, unit=unit, **options)
        self._bar: tqdm | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if self._bar is None:
            self._bar = tqdm(total=total, **self._options)
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class StageBars:
    """A :class:`ProgressBar` per stage of a ``progress(stage, done, total)`` callback; total 0 means unknown.

    Parameters
    ----------
    units : dict of stage to str, optional
        What each stage counts (``"frame"``, ``"camera"`` ...); ``"step"`` otherwise.
    titles : dict of stage to str, optional
        The bar's words for each stage; the stage's name, capitalised, otherwise.
    """

    def __init__(self, units: dict[str, str] | None = None, titles: dict[str, str] | None = None) -> None:
        self._units = dict(units or {})
        self._titles = dict(titles or {})
        self._bar: ProgressBar | None = None
        self._stage: str | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._bar = ProgressBar(self._titles.get(stage, stage.capitalize()), self._units.get(stage, "step"))
            self._stage = stage
        self._bar(done, total or None)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> StageBars:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
