"""A library: a folder of session files, indexed one row per take.

The index is built from attributes only (no poses or frames are read). What was
read from each file is cached on disk (:mod:`analysis.session.index_cache`),
keyed by the file's path, size and modification time, so a scan reads only new
and changed files; those are read in worker processes
(:mod:`analysis.session.library_scan`), where a file that crashes the HDF5
library cannot take the application with it. Files that are not valid sessions
are listed in :attr:`Library.problems` instead of stopping the scan.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path

import pandas as pd

from analysis.session.index_cache import (
    CachedFile,
    load_cache,
    save_cache,
    session_files,
)
from analysis.session.library_scan import (
    FILE_TIMEOUT_S,
    INDEX_COLUMNS,
    INDEX_SCHEMA,
    RowReader,
    scan_files,
    session_rows,
)
from analysis.session.reader import Session

#: Order of the index rows.
INDEX_ORDER = ["event", "level", "action", "athlete", "file", "position"]
_DTYPES = {str: "object", int: "int64", float: "float64", bool: "bool"}


class Library:
    """Index of the takes in a folder of session files.

    Attributes
    ----------
    root : pathlib.Path
    index : pandas.DataFrame
        One row per take with columns :data:`INDEX_COLUMNS`; ``file`` is the
        path relative to ``root``. Sorted by event, level, action, athlete, file
        and the take's position in its session.
    problems : list of str
        One message per file that could not be read, naming the file.
    """

    def __init__(self, root: Path, index: pd.DataFrame, problems: list[str]) -> None:
        self.root = root
        self.index = index
        self.problems = problems

    @classmethod
    def scan(cls, folder: str | Path, progress: Callable[[int, int], None] | None = None) -> "Library":
        """Index every ``*.h5`` file below ``folder`` (recursively), reading only files the cache does not know.

        ``progress(files read, files to read)`` is called after each file read.
        """
        scanning = cls.scanning(folder)
        while True:
            try:
                step = next(scanning)
            except StopIteration as done:
                return done.value
            if progress is not None:
                progress(*step)

    @classmethod
    def scanning(cls, folder: str | Path, read: RowReader = session_rows, workers: int | None = None,
                 timeout_s: float = FILE_TIMEOUT_S) -> Generator[tuple[int, int], None, "Library"]:
        """:meth:`scan`, one file at a time: yields ``(files read, files to read)`` and returns the Library.

        Files whose size and mtime match the cache are not read (nothing is yielded
        when no file is new or changed). The cache is then updated, also when a
        background worker stops the scan between two files.

        Parameters
        ----------
        read : callable
            ``read(path, file) -> rows`` of one file, run in the worker processes.
        workers : int, optional
            Worker processes (see :func:`analysis.session.library_scan.scan_files`).
        timeout_s : float
            A file still being read after this long is skipped with a problem.

        Raises
        ------
        FileNotFoundError
            If ``folder`` is not a folder.
        """
        root = Path(folder)
        if not root.is_dir():
            raise FileNotFoundError(f"library folder not found: {root}")
        current = session_files(root)
        cached = load_cache(root, INDEX_SCHEMA)
        entries = {file: cached[file] for file, stat in current.items()
                   if file in cached and cached[file].stat == stat}
        unread = [file for file in current if file not in entries]
        try:
            for done, result in enumerate(scan_files(root, unread, read, workers, timeout_s), start=1):
                entries[result.file] = CachedFile(current[result.file], result.rows, result.problem)
                yield done, len(unread)
        finally:   # also when the scan is stopped: what was read is kept for the next one
            save_cache(root, INDEX_SCHEMA, entries)
        return cls.from_entries(root, entries)

    @classmethod
    def from_entries(cls, root: Path, entries: dict[str, CachedFile]) -> "Library":
        """The library of what was read from each file."""
        rows = [row for file in sorted(entries) for row in entries[file].rows]
        index = pd.DataFrame.from_records(rows, columns=list(INDEX_COLUMNS)) if rows else \
            pd.DataFrame(columns=list(INDEX_COLUMNS))
        index = index.astype({column: _DTYPES[kind] for column, kind in INDEX_SCHEMA.items()})
        index = index.sort_values(INDEX_ORDER, ignore_index=True)
        problems = [entries[file].problem for file in sorted(entries) if entries[file].problem is not None]
        return cls(root, index, problems)

    def query(
        self,
        event: str | None = None,
        level: int | None = None,
        action: str | None = None,
        athlete: str | None = None,
    ) -> pd.DataFrame:
        """Rows matching every criterion given (None means any)."""
        mask = pd.Series(True, index=self.index.index)
        for column, value in (("event", event), ("level", level), ("action", action), ("athlete", athlete)):
            if value is not None:
                mask &= self.index[column] == value
        return self.index[mask]

    def exemplars(self, action: str) -> pd.DataFrame:
        """The exemplar takes of an action code."""
        rows = self.query(action=action)
        return rows[rows["is_exemplar"]]

    def path_of(self, file: str) -> Path:
        """Absolute path of a ``file`` value from the index."""
        return self.root / file

    def file_of(self, path: str | Path) -> str | None:
        """The ``file`` value of a session path in this library, or None when it lies outside ``root``."""
        return library_file(self.root, path)

    def open(self, file: str) -> Session:
        """Open the session file of an index row."""
        return Session.open(self.path_of(file))


def library_file(root: str | Path, path: str | Path) -> str | None:
    """The index ``file`` value of session ``path`` in the library at ``root``, or None when it lies outside."""
    path, root = Path(path).resolve(), Path(root).resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else None
