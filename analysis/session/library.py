"""A library: a folder of session files, indexed one row per take.

The index is built from attributes only (no poses or frames are read), so
scanning hundreds of files takes a moment. Files that are not valid sessions
are listed in :attr:`Library.problems` instead of stopping the scan.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pandas as pd

from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session

INDEX_COLUMNS = (
    "file", "take", "event", "level", "action", "action_name", "athlete",
    "score", "is_exemplar", "n_frames", "has_video",
)


class Library:
    """Index of the takes in a folder of session files.

    Attributes
    ----------
    root : pathlib.Path
    index : pandas.DataFrame
        One row per take with columns :data:`INDEX_COLUMNS`; ``file`` is the
        path relative to ``root``. Sorted by event, level, action, athlete, take.
    problems : list of str
        One message per file that could not be read, naming the file.
    """

    def __init__(self, root: Path, index: pd.DataFrame, problems: list[str]) -> None:
        self.root = root
        self.index = index
        self.problems = problems

    @classmethod
    def scan(cls, folder: str | Path) -> "Library":
        """Index every ``*.h5`` file below ``folder`` (recursively)."""
        scanning = cls.scanning(folder)
        while True:
            try:
                next(scanning)
            except StopIteration as done:
                return done.value

    @classmethod
    def scanning(cls, folder: str | Path) -> Generator[tuple[int, int], None, "Library"]:
        """:meth:`scan`, one file at a time: yields ``(files done, files)`` and returns the Library.

        A background worker can stop it between two files.

        Raises
        ------
        FileNotFoundError
            If ``folder`` is not a folder.
        """
        root = Path(folder)
        if not root.is_dir():
            raise FileNotFoundError(f"library folder not found: {root}")
        paths = sorted(root.rglob("*.h5"))
        rows, problems = [], []
        for done, path in enumerate(paths):
            yield done, len(paths)
            try:
                with Session.open(path) as session:
                    rows.extend(_rows(session, path.relative_to(root).as_posix()))
            except SessionFormatError as error:
                problems.append(str(error))
        index = pd.DataFrame(rows, columns=list(INDEX_COLUMNS))
        index = index.astype({"level": "int64", "score": "float64", "is_exemplar": "bool",
                              "n_frames": "int64", "has_video": "bool"})
        index = index.sort_values(["event", "level", "action", "athlete", "take"], ignore_index=True)
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


def _rows(session: Session, file: str) -> list[dict]:
    return [
        {
            "file": file,
            "take": take.take_id,
            "event": session.event,
            "level": session.level,
            "action": take.action,
            "action_name": take.action_name,
            "athlete": session.athlete,
            "score": take.score,
            "is_exemplar": take.is_exemplar,
            "n_frames": take.n_frames,
            "has_video": bool(take.video_views),
        }
        for take in session.takes.values()
    ]
