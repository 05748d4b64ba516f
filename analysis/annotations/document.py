"""The annotations file ``SESSION.annotations.json``: reading and writing it, nothing else.

The file sits beside the session file and holds everything a coach adds to the
session's takes (:mod:`analysis.annotations.items`); the session file itself is
never modified. Its layout is documented in ``docs/format.md``. Reading checks
every item and refuses a file that is not valid, or that a newer version wrote,
with an :class:`AnnotationsFormatError` naming the file, where in it, and the
problem. Writing is atomic (a temporary file renamed into place).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from analysis.annotations.items import ITEM_TYPES, AnnotationItem
from analysis.session.atomic import write_text_atomically

FORMAT_NAME = "lucid-annotations"
FORMAT_VERSION = 1
SUFFIX = ".annotations.json"
SECTIONS: dict[str, type] = {kind.SECTION: kind for kind in ITEM_TYPES}


class AnnotationsFormatError(Exception):
    """An annotations file that cannot be read.

    Attributes
    ----------
    file : pathlib.Path
    where : str
        Where in the file (``"takes/t1/drawings/2"``; ``""`` for the file as a whole).
    problem : str
    """

    def __init__(self, file: str | Path, where: str, problem: str) -> None:
        self.file, self.where, self.problem = Path(file), where, problem
        super().__init__(f"{self.file}: {where + ': ' if where else ''}{problem}")


@dataclass(frozen=True)
class AnnotationsDocument:
    """Every annotation of one session, in the order they were made (per section)."""

    items: tuple[AnnotationItem, ...] = ()

    def of_take(self, take: str) -> tuple[AnnotationItem, ...]:
        return tuple(item for item in self.items if item.take == take)


def annotations_path(session_path: str | Path) -> Path:
    """Where the annotations of the session file ``session_path`` live: ``NAME.annotations.json`` beside it."""
    session_path = Path(session_path)
    return session_path.with_name(session_path.stem + SUFFIX)


def item_json(item: AnnotationItem) -> dict:
    """One item as it is stored in its section (everything but its take)."""
    data = {f.name: getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "take"}
    for name, value in data.items():
        if isinstance(value, tuple):
            data[name] = [list(v) if isinstance(v, tuple) else v for v in value]
    return {"id": data.pop("id"), **data}


def document_json(document: AnnotationsDocument, session_name: str) -> dict:
    """The whole file's JSON object; ``session_name`` is the session file's name (for people reading it)."""
    takes: dict[str, dict[str, list]] = {}
    for item in document.items:
        takes.setdefault(item.take, {section: [] for section in SECTIONS})[item.SECTION].append(item_json(item))
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, "session": session_name, "takes": takes}


def write_annotations(path: str | Path, document: AnnotationsDocument, session_name: str) -> Path:
    """Write ``document`` to ``path`` atomically (UTF-8 JSON, one item per line) and return the path."""
    return write_text_atomically(path, document_text(document_json(document, session_name)))


def document_text(data: dict) -> str:
    """The file's JSON object as text: indented down to the sections, each item on one line."""
    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False)

    head = [f" {dump(key)}: {dump(value)}," for key, value in data.items() if key != "takes"]
    takes = []
    for take, sections in data["takes"].items():
        blocks = []
        for section, entries in sections.items():
            rows = ",\n".join(f"    {dump(entry)}" for entry in entries)
            blocks.append(f"   {dump(section)}: [\n{rows}\n   ]" if entries else f"   {dump(section)}: []")
        takes.append(f"  {dump(take)}: {{\n" + ",\n".join(blocks) + "\n  }")
    body = "{\n" + ",\n".join(takes) + "\n }" if takes else "{}"
    return "{\n" + "\n".join(head) + f"\n \"takes\": {body}\n}}\n"


def read_annotations(path: str | Path) -> AnnotationsDocument:
    """Read an annotations file; a file that does not exist is an empty document.

    Raises
    ------
    AnnotationsFormatError
        The file is not JSON, not an annotations file, from a newer format version,
        or an item in it is not valid.
    """
    path = Path(path)
    if not path.exists():
        return AnnotationsDocument()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise AnnotationsFormatError(path, "", "not a text file") from None
    except json.JSONDecodeError as error:
        raise AnnotationsFormatError(path, "", f"not valid JSON (line {error.lineno}, column {error.colno}: "
                                               f"{error.msg})") from None
    except OSError as error:
        raise AnnotationsFormatError(path, "", f"cannot be read ({error.strerror})") from None
    return parse_document(data, path)


def parse_document(data: object, path: str | Path) -> AnnotationsDocument:
    """Check the file's JSON object ``data`` (read from ``path``) and build its document."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise AnnotationsFormatError(path, "", f"not an annotations file (no \"format\": \"{FORMAT_NAME}\")")
    version = data.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise AnnotationsFormatError(path, "format_version", f"must be a positive integer, got {version!r}")
    if version > FORMAT_VERSION:
        raise AnnotationsFormatError(path, "", f"written by a newer version of the workstation (format_version "
                                               f"{version}; this one reads up to {FORMAT_VERSION})")
    takes = data.get("takes", {})
    if not isinstance(takes, dict):
        raise AnnotationsFormatError(path, "takes", "must be an object of takes")
    items: list[AnnotationItem] = []
    for take, sections in takes.items():
        items.extend(_parse_take(path, take, sections))
    _check_unique_ids(path, items)
    return AnnotationsDocument(tuple(items))


def _parse_take(path: str | Path, take: str, sections: object) -> Iterable[AnnotationItem]:
    if not isinstance(sections, dict):
        raise AnnotationsFormatError(path, f"takes/{take}", "must be an object of sections")
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise AnnotationsFormatError(path, f"takes/{take}", f"unknown section(s) {', '.join(unknown)}; "
                                                            f"known: {', '.join(SECTIONS)}")
    for section, kind in SECTIONS.items():
        entries = sections.get(section, [])
        if not isinstance(entries, list):
            raise AnnotationsFormatError(path, f"takes/{take}/{section}", "must be a list")
        for index, entry in enumerate(entries):
            yield _parse_item(path, f"takes/{take}/{section}/{index}", kind, take, entry)


def _parse_item(path: str | Path, where: str, kind: type, take: str, entry: object) -> AnnotationItem:
    if not isinstance(entry, dict):
        raise AnnotationsFormatError(path, where, "must be an object")
    names = {f.name for f in dataclasses.fields(kind)} - {"take"}
    unknown = sorted(set(entry) - names)
    if unknown:
        raise AnnotationsFormatError(path, where, f"unknown field(s) {', '.join(unknown)}")
    try:
        return kind(take=take, **entry)
    except TypeError as error:   # a required field is missing, or a value has the wrong type
        missing = sorted(names - set(entry) - {f.name for f in dataclasses.fields(kind) if _has_default(f)})
        problem = f"missing field(s) {', '.join(missing)}" if missing else str(error)
        raise AnnotationsFormatError(path, where, problem) from None
    except ValueError as error:
        raise AnnotationsFormatError(path, where, str(error)) from None


def _has_default(field: dataclasses.Field) -> bool:
    return field.default is not dataclasses.MISSING or field.default_factory is not dataclasses.MISSING


def _check_unique_ids(path: str | Path, items: list[AnnotationItem]) -> None:
    seen: set[str] = set()
    for item in items:
        if not isinstance(item.id, str) or not item.id:
            raise AnnotationsFormatError(path, f"takes/{item.take}/{item.SECTION}", f"id must be text, got {item.id!r}")
        if item.id in seen:
            raise AnnotationsFormatError(path, f"takes/{item.take}/{item.SECTION}", f"id {item.id!r} is used twice")
        seen.add(item.id)
