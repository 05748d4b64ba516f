"""The library index on the command line: indexed with a progress bar while files are read."""

from __future__ import annotations

from pathlib import Path

from app.cli.command import ProgressBar


def scan_library(folder: str | Path):
    """:meth:`analysis.session.library.Library.scan`, with a progress bar while files are read (only new or
    changed files are; a cached library shows none)."""
    from analysis.session.library import Library

    with ProgressBar("Indexing the library", "file") as progress:
        return Library.scan(folder, progress=progress)
