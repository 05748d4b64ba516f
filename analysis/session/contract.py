"""Constants and checks of the HDF5 session contract (format_version 1).

The contract itself is described in ``docs/format.md``. Everything here works
on open ``h5py`` objects and raises :class:`SessionFormatError` naming the
file, the path inside it and the problem.
"""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np

FORMAT_NAME = "lucid-session"
FORMAT_VERSION = 1
EVENTS = ("MFE", "WFE", "MVT", "WVT", "MPB", "MHB", "WUB", "WBB")
EVENT_NAMES = {
    "MFE": "Men's floor exercise",
    "WFE": "Women's floor exercise",
    "MVT": "Men's vault",
    "WVT": "Women's vault",
    "MPB": "Men's parallel bars",
    "MHB": "Men's horizontal bar",
    "WUB": "Women's uneven bars",
    "WBB": "Women's balance beam",
}
PENALTY_VALUES = (0.1, 0.3, 0.5, 1.0)


class SessionFormatError(Exception):
    """A file that does not follow the session contract.

    Attributes
    ----------
    file : pathlib.Path
    where : str
        Path inside the HDF5 file ("/" for the file as a whole, left out of the message).
    problem : str
    """

    def __init__(self, file: str | Path, where: str, problem: str) -> None:
        self.file = Path(file)
        self.where = where
        self.problem = problem
        super().__init__(f"{self.file}: {problem}" if where == "/" else f"{self.file}: {where}: {problem}")


class ContractChecker:
    """Reads and checks values inside one open session file."""

    def __init__(self, file: str | Path) -> None:
        self.file = Path(file)

    def fail(self, where: str, problem: str) -> SessionFormatError:
        return SessionFormatError(self.file, where, problem)

    def group(self, parent: h5py.Group, name: str) -> h5py.Group:
        where = _join(parent.name, name)
        if name not in parent:
            raise self.fail(where, "missing group")
        node = parent[name]
        if not isinstance(node, h5py.Group):
            raise self.fail(where, "expected a group, found a dataset")
        return node

    def dataset(self, parent: h5py.Group, name: str, optional: bool = False) -> h5py.Dataset | None:
        where = _join(parent.name, name)
        if name not in parent:
            if optional:
                return None
            raise self.fail(where, "missing dataset")
        node = parent[name]
        if not isinstance(node, h5py.Dataset):
            raise self.fail(where, "expected a dataset, found a group")
        return node

    def attr(self, node: h5py.HLObject, name: str, optional: bool = False):
        if name not in node.attrs:
            if optional:
                return None
            raise self.fail(node.name, f"missing attribute {name!r}")
        try:
            return node.attrs[name]
        except (OSError, TypeError, ValueError) as error:
            raise self.fail(node.name, f"attribute {name!r} cannot be read ({error})") from None

    def str_attr(self, node: h5py.HLObject, name: str, optional: bool = False) -> str | None:
        value = self.attr(node, name, optional)
        if value is None:
            return None
        text = as_text(value)
        if text is None:
            raise self.fail(node.name, f"attribute {name!r} must be a string, got {value!r}")
        return text

    def int_attr(self, node: h5py.HLObject, name: str, minimum: int, optional: bool = False) -> int | None:
        value = self.attr(node, name, optional)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < minimum:
            raise self.fail(node.name, f"attribute {name!r} must be an integer >= {minimum}, got {value!r}")
        return int(value)

    def float_attr(self, node: h5py.HLObject, name: str) -> float:
        value = self.attr(node, name)
        try:
            if isinstance(value, (str, bytes, bool, np.bool_)):
                raise TypeError
            return float(np.asarray(value).item())
        except (TypeError, ValueError):
            raise self.fail(node.name, f"attribute {name!r} must be a number, got {value!r}") from None

    def bool_attr(self, node: h5py.HLObject, name: str) -> bool:
        value = self.attr(node, name)
        if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
            return bool(value)
        raise self.fail(node.name, f"attribute {name!r} must be a boolean, got {value!r}")

    def str_list_attr(self, node: h5py.HLObject, name: str) -> tuple[str, ...]:
        value = self.attr(node, name)
        items = np.atleast_1d(np.asarray(value, dtype=object))
        names = tuple(as_text(v) for v in items)
        if items.ndim != 1 or any(n is None or n == "" for n in names):
            raise self.fail(node.name, f"attribute {name!r} must be a list of names, got {value!r}")
        if len(set(names)) != len(names):
            raise self.fail(node.name, f"attribute {name!r} lists a name twice: {list(names)}")
        return names

    def shape(self, dataset: h5py.Dataset, expected: tuple[int | None, ...], what: str) -> tuple[int, ...]:
        """Check a dataset's shape; ``None`` in ``expected`` accepts any length."""
        shape = dataset.shape
        if shape is None or len(shape) != len(expected) or any(
            e is not None and s != e for s, e in zip(shape, expected)
        ):
            wanted = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
            raise self.fail(dataset.name, f"{what} has shape {shape}, expected {wanted}")
        return shape

    def numeric(self, dataset: h5py.Dataset) -> None:
        if dataset.dtype.kind not in "fiu":
            raise self.fail(dataset.name, f"expected numbers, found dtype {dataset.dtype}")

    def read_array(self, dataset: h5py.Dataset, finite: bool = False) -> np.ndarray:
        try:
            array = dataset[()]
        except (OSError, ValueError, TypeError, KeyError) as error:
            raise self.fail(dataset.name, f"cannot be read ({error})") from None
        if finite and not np.all(np.isfinite(array)):
            raise self.fail(dataset.name, "contains NaN or infinite values")
        return array


def as_text(value) -> str | None:
    """A string attribute or element as ``str``; ``None`` if it is not text."""
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, str):
        return value
    return None


def _join(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"
