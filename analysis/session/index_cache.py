"""The library index's persistent cache: what was read from each file, keyed by its path, size and mtime.

One JSON file per library folder: ``.lucid-index.json`` in the folder itself when
it is writable, else a file named after the folder in the user's cache folder
(platformdirs). An entry is used only while its file still has the recorded size
and modification time (nanoseconds); any other file is read again. Saving
reads the cache again, merges what another window wrote meanwhile (entries
still matching their files) and replaces the file atomically, so two windows
never corrupt it and no lock is needed. A cache that cannot be read or does not
have the expected shape is ignored (and rebuilt by the next save). JSON, not
pickle: a cache file found in a shared folder can hold only data.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from analysis.session.atomic import write_text_atomically

CACHE_NAME = ".lucid-index.json"
CACHE_FORMAT = "lucid-library-index"
CACHE_VERSION = 1
#: The user cache folder's application name (shared with the demo library's data folder).
APP_NAME = "lucid-workstation"


@dataclass(frozen=True)
class FileStat:
    """Size (bytes) and modification time (ns) of a file: what says it changed."""

    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: str | Path) -> "FileStat":
        status = os.stat(path)
        return cls(status.st_size, status.st_mtime_ns)


@dataclass(frozen=True)
class CachedFile:
    """What was read from one file when it had ``stat``: its index rows, or why it is not a session."""

    stat: FileStat
    rows: tuple[tuple, ...]
    problem: str | None = None


def session_files(root: Path) -> dict[str, FileStat]:
    """Every ``*.h5`` file below ``root`` (relative ``/``-separated path -> stat), sorted by path."""
    found = {}
    for folder, _folders, names in os.walk(root):
        for name in names:
            if name.endswith(".h5"):
                path = os.path.join(folder, name)
                try:
                    found[Path(path).relative_to(root).as_posix()] = FileStat.of(path)
                except OSError:
                    continue   # removed while listing
    return dict(sorted(found.items()))


def cache_locations(root: Path) -> tuple[Path, Path]:
    """The cache file in the library folder and the one in the user cache folder."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode("utf-8")).hexdigest()[:24]
    return Path(root) / CACHE_NAME, user_cache_folder() / "library-index" / f"{digest}.json"


def user_cache_folder() -> Path:
    """Where caches go when a library folder is not writable."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def load_cache(root: Path, schema: dict[str, type]) -> dict[str, CachedFile]:
    """The cached entries of ``root`` from both locations (the folder's first); unreadable caches count as empty.

    ``schema`` maps each index column to the type of its values; an entry whose rows
    do not match it is left out (its file is then read again).
    """
    entries: dict[str, CachedFile] = {}
    for location in reversed(cache_locations(root)):
        entries.update(_read(location, schema))
    return entries


def save_cache(root: Path, schema: dict[str, type], entries: dict[str, CachedFile]) -> Path | None:
    """Merge ``entries`` into the cache of ``root`` and write it atomically; None when it could not be written.

    ``entries`` wins for its files; an entry already on disk for another file is
    kept while that file still has the entry's size and mtime. Nothing is written
    when the result equals what is on disk.
    """
    folder_cache, user_cache = cache_locations(root)
    target = folder_cache if os.access(root, os.W_OK) else user_cache
    on_disk = _read(target, schema)
    merged = {file: entry for file, entry in on_disk.items() if file not in entries and _unchanged(root, file, entry)}
    merged.update(entries)
    merged = dict(sorted(merged.items()))
    if merged == on_disk:
        return target
    document = {
        "format": CACHE_FORMAT, "version": CACHE_VERSION, "columns": list(schema),
        "files": {file: {"size": e.stat.size, "mtime_ns": e.stat.mtime_ns, "rows": [list(r) for r in e.rows],
                         "problem": e.problem} for file, e in merged.items()},
    }
    try:
        return write_text_atomically(target, json.dumps(document, separators=(",", ":")))
    except OSError:
        return None   # a cache is an optimisation: a read-only or full disk only costs the next scan time


def _unchanged(root: Path, file: str, entry: CachedFile) -> bool:
    try:
        return FileStat.of(Path(root) / file) == entry.stat
    except OSError:
        return False


def _read(location: Path, schema: dict[str, type]) -> dict[str, CachedFile]:
    try:
        document = json.loads(location.read_bytes())
    except (OSError, ValueError):
        return {}
    if not (isinstance(document, dict) and document.get("format") == CACHE_FORMAT
            and document.get("version") == CACHE_VERSION and document.get("columns") == list(schema)
            and isinstance(document.get("files"), dict)):
        return {}
    types = tuple(schema.values())
    entries = {}
    for file, entry in document["files"].items():
        cached = _entry(file, entry, types)
        if cached is not None:
            entries[file] = cached
    return entries


def _entry(file: str, entry, types: tuple[type, ...]) -> CachedFile | None:
    """A well-formed cache entry, or None (then the file is read again)."""
    if not isinstance(entry, dict):
        return None
    size, mtime_ns, rows, problem = (entry.get(key) for key in ("size", "mtime_ns", "rows", "problem"))
    if not (_is_int(size) and _is_int(mtime_ns) and isinstance(rows, list)
            and (problem is None or isinstance(problem, str))):
        return None
    for row in rows:
        if not (isinstance(row, list) and len(row) == len(types) and row[0] == file
                and all(type(value) is kind for value, kind in zip(row, types))):
            return None
    return CachedFile(FileStat(size, mtime_ns), tuple(tuple(row) for row in rows), problem)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
