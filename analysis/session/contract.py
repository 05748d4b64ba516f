"""Constants and checks of the HDF5 session contract (format_version 1).

The contract itself is described in ``docs/format.md``. Everything here works
on open ``h5py`` objects and raises :class:`SessionFormatError` naming the
file, the path inside it and the problem.
"""

from __future__ import annotations

import math
from pathlib import Path

import h5py
import numpy as np

from analysis.geometry.cameras import VALID_DIST_LENGTHS

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
#: Frame rates the reader accepts, frames per second.
FPS_RANGE = (0.01, 100_000.0)

#: Largest dataset the reader accepts: its declared shape times its item size, bytes.
MAX_DATASET_BYTES = 2 << 30
#: A compressed dataset that declares more than this and expands more than
#: :data:`MAX_EXPANSION` times is refused as a decompression bomb.
BOMB_MIN_BYTES = 64 << 20
MAX_EXPANSION = 500
#: Largest integer attribute the reader accepts (frame counts, levels, offsets), and largest image side, pixels.
MAX_COUNT = 1 << 31
MAX_IMAGE_SIDE = 1 << 15
#: Farthest a camera may be from the world origin, metres; largest intrinsic value, pixels.
MAX_CAMERA_DISTANCE_M = 1000.0
MAX_INTRINSIC_PX = 1e6
#: Characters of a value quoted in an error message.
_QUOTED = 60


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
        problem_text = _shortened(problem, 400)
        super().__init__(f"{self.file}: {problem_text}" if where == "/"
                         else f"{self.file}: {_shortened(where, 120)}: {problem_text}")


class ContractChecker:
    """Reads and checks values inside one open session file."""

    def __init__(self, file: str | Path) -> None:
        self.file = Path(file)
        self._file_size: int | None = None

    def fail(self, where: str, problem: str) -> SessionFormatError:
        return SessionFormatError(self.file, where, problem)

    def node(self, parent: h5py.Group, name: str) -> h5py.Group | h5py.Dataset | None:
        """The object ``name`` in ``parent`` (None if there is none), never through a link to another file.

        A dataset is also refused when its data lives outside the file
        (external raw storage, a virtual dataset) or when its declared size is
        impossible (see :meth:`check_size`).
        """
        where = _join(parent.name, name)
        encoded = name.encode("utf-8", "surrogateescape")
        try:
            if not parent.id.links.exists(encoded):
                return None
            link_type = parent.id.links.get_info(encoded).type
        except (OSError, KeyError, ValueError, RuntimeError) as error:
            raise self.fail(where, f"cannot be read ({_shortened(error)})") from None
        if link_type == h5py.h5l.TYPE_EXTERNAL:
            link = parent.get(name, getlink=True)
            raise self.fail(where, f"is a link into another file ({_quoted(link.filename)}); "
                                   "a session may not refer to other files")
        if link_type not in (h5py.h5l.TYPE_HARD, h5py.h5l.TYPE_SOFT):
            raise self.fail(where, "is a user-defined link; a session may not refer to other files")
        try:
            node = parent[name]
        except (OSError, KeyError, ValueError, RuntimeError) as error:
            raise self.fail(where, f"cannot be opened ({_shortened(error)})") from None
        if isinstance(node, h5py.Dataset):
            self._check_storage(node)
        return node

    def group(self, parent: h5py.Group, name: str, optional: bool = False,
              missing: str = "missing group") -> h5py.Group | None:
        """The group ``name`` in ``parent``; when there is none, None if ``optional``, else a failure saying ``missing``."""
        node = self.node(parent, name)
        if node is None:
            if optional:
                return None
            raise self.fail(_join(parent.name, name), missing)
        if not isinstance(node, h5py.Group):
            raise self.fail(_join(parent.name, name), "expected a group, found a dataset")
        return node

    def dataset(self, parent: h5py.Group, name: str, optional: bool = False) -> h5py.Dataset | None:
        node = self.node(parent, name)
        if node is None:
            if optional:
                return None
            raise self.fail(_join(parent.name, name), "missing dataset")
        if not isinstance(node, h5py.Dataset):
            raise self.fail(_join(parent.name, name), "expected a dataset, found a group")
        return node

    def _check_storage(self, dataset: h5py.Dataset) -> None:
        try:
            virtual, external = dataset.is_virtual, dataset.external
        except (OSError, ValueError, RuntimeError) as error:
            raise self.fail(dataset.name, f"its storage cannot be read ({_shortened(error)})") from None
        if virtual:
            raise self.fail(dataset.name, "is a virtual dataset, its data lives in other files; "
                                          "a session may not refer to other files")
        if external:
            raise self.fail(dataset.name, f"its data is stored outside the file (in {_quoted(external[0][0])}); "
                                          "a session may not refer to other files")
        self.check_size(dataset)

    def check_size(self, dataset: h5py.Dataset) -> None:
        """Refuse a dataset whose declared size is beyond :data:`MAX_DATASET_BYTES`, beyond the file's
        size when stored uncompressed, or a decompression bomb, before anything is allocated."""
        declared = math.prod(dataset.shape or ()) * dataset.dtype.itemsize
        if declared <= min(BOMB_MIN_BYTES, self.file_size):
            return   # within the file and too small to be a bomb: nothing below can refuse it
        if declared > MAX_DATASET_BYTES:
            raise self.fail(dataset.name, f"declares shape {dataset.shape} ({_size(declared)}), more than the "
                                          f"{_size(MAX_DATASET_BYTES)} the workstation reads into memory")
        try:
            stored = dataset.id.get_storage_size()
            filtered = dataset.id.get_create_plist().get_nfilters() > 0
        except (OSError, ValueError, RuntimeError) as error:
            raise self.fail(dataset.name, f"its storage cannot be read ({_shortened(error)})") from None
        if not filtered and declared > self.file_size:
            raise self.fail(dataset.name, f"declares {_size(declared)} of uncompressed data in a file of "
                                          f"{_size(self.file_size)}; it is truncated or corrupt")
        if filtered and declared > BOMB_MIN_BYTES and declared > MAX_EXPANSION * max(stored, 1):
            raise self.fail(dataset.name, f"declares {_size(declared)} compressed into {_size(stored)}; "
                                          "refused as a decompression bomb")

    @property
    def file_size(self) -> int:
        if self._file_size is None:
            self._file_size = self.file.stat().st_size
        return self._file_size

    def attr(self, node: h5py.HLObject, name: str, optional: bool = False):
        try:
            return node.attrs[name]
        except KeyError as error:
            if name in node.attrs:
                raise self.fail(node.name, f"attribute {name!r} cannot be read ({_shortened(error)})") from None
            if optional:
                return None
            raise self.fail(node.name, f"missing attribute {name!r}") from None
        except (OSError, TypeError, ValueError) as error:
            raise self.fail(node.name, f"attribute {name!r} cannot be read ({_shortened(error)})") from None

    def str_attr(self, node: h5py.HLObject, name: str, optional: bool = False) -> str | None:
        value = self.attr(node, name, optional)
        if value is None:
            return None
        text = as_text(value)
        if text is None:
            raise self.fail(node.name, f"attribute {name!r} must be UTF-8 text, got {_quoted(value)}")
        return text

    def int_attr(self, node: h5py.HLObject, name: str, minimum: int, optional: bool = False,
                 maximum: int = MAX_COUNT) -> int | None:
        value = self.attr(node, name, optional)
        if value is None:
            return None
        if isinstance(value, np.ndarray) and value.shape == ():
            value = value.item()
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or not (
                minimum <= value <= maximum):
            raise self.fail(node.name, f"attribute {name!r} must be an integer from {minimum} to {maximum}, "
                                       f"got {_quoted(value)}")
        return int(value)

    def float_attr(self, node: h5py.HLObject, name: str) -> float:
        value = self.attr(node, name)
        try:
            if isinstance(value, (str, bytes, bool, np.bool_)):
                raise TypeError
            return float(np.asarray(value).item())
        except (TypeError, ValueError):
            raise self.fail(node.name, f"attribute {name!r} must be a number, got {_quoted(value)}") from None

    def bool_attr(self, node: h5py.HLObject, name: str) -> bool:
        value = self.attr(node, name)
        if isinstance(value, (bool, np.bool_)) or (isinstance(value, (int, np.integer)) and value in (0, 1)):
            return bool(value)
        raise self.fail(node.name, f"attribute {name!r} must be a boolean, got {_quoted(value)}")

    def str_list_attr(self, node: h5py.HLObject, name: str) -> tuple[str, ...]:
        value = self.attr(node, name)
        items = np.atleast_1d(np.asarray(value, dtype=object))
        names = tuple(as_text(v) for v in items.ravel())
        if items.ndim != 1 or any(n is None or n == "" for n in names):
            raise self.fail(node.name, f"attribute {name!r} must be a list of names (UTF-8 text), got {_quoted(value)}")
        if any("/" in n or n in (".", "..") for n in names):
            raise self.fail(node.name, f"attribute {name!r}: names may not contain '/' or be '.' or '..', "
                                       f"got {_quoted(list(names))}")
        if len(set(names)) != len(names):
            raise self.fail(node.name, f"attribute {name!r} lists a name twice: {_quoted(list(names))}")
        return names

    def shape(self, dataset: h5py.Dataset, expected: tuple[int | None, ...], what: str) -> tuple[int, ...]:
        """Check a dataset's shape; ``None`` in ``expected`` accepts any length."""
        shape = dataset.shape
        if shape is None or len(shape) != len(expected) or any(
            e is not None and s != e for s, e in zip(shape, expected)
        ):
            wanted = "(" + ", ".join("any" if e is None else str(e) for e in expected) + ")"
            raise self.fail(dataset.name, f"{what} has shape {_shortened(shape)}, expected {wanted}")
        return shape

    def numeric(self, dataset: h5py.Dataset) -> None:
        if dataset.dtype.kind not in "fiu":
            raise self.fail(dataset.name, f"expected numbers, found dtype {_shortened(dataset.dtype)}")

    def integer(self, dataset: h5py.Dataset) -> None:
        if dataset.dtype.kind not in "iu":
            raise self.fail(dataset.name, f"expected integers, found dtype {_shortened(dataset.dtype)}")

    def text(self, dataset: h5py.Dataset) -> None:
        if h5py.check_string_dtype(dataset.dtype) is None:
            raise self.fail(dataset.name, f"expected strings, found dtype {_shortened(dataset.dtype)}")

    def read_array(self, dataset: h5py.Dataset, finite: bool = False) -> np.ndarray:
        """The whole dataset (size-checked before anything is allocated)."""
        self.check_size(dataset)
        try:
            array = dataset[()]
        except (OSError, ValueError, TypeError, KeyError, RuntimeError) as error:
            raise self.fail(dataset.name, f"cannot be read ({_shortened(error)})") from None
        except MemoryError:
            raise self.fail(dataset.name, "too large to read into memory") from None
        if finite and not np.all(np.isfinite(array)):
            raise self.fail(dataset.name, "contains NaN or infinite values")
        return array


def camera_problem(K: np.ndarray, R: np.ndarray, t: np.ndarray, dist: np.ndarray) -> tuple[str, str] | None:
    """The first implausible calibration array of a camera as (dataset name, problem); None if all are fine.

    Parameters
    ----------
    K : ndarray (3, 3)
    R : ndarray (3, 3)
    t : ndarray (3,)
        Metres.
    dist : ndarray (k,)
        All finite.
    """
    if dist.size not in VALID_DIST_LENGTHS:
        return "dist", f"{dist.size} coefficients; OpenCV takes {VALID_DIST_LENGTHS}"
    if K[0, 0] <= 0 or K[1, 1] <= 0:
        return "K", "focal lengths must be positive"
    if np.abs(K).max() > MAX_INTRINSIC_PX:
        return "K", f"values beyond {MAX_INTRINSIC_PX:g} pixels"
    if np.abs(R).max() > 1.001 or not np.allclose(R @ R.T, np.eye(3), atol=1e-5) or np.linalg.det(R) < 0:
        return "R", "not a rotation matrix (R Rᵀ ≠ I or det R < 0)"
    with np.errstate(over="ignore", invalid="ignore"):   # a translation of 1e300 m is refused below, silently
        distance = float(np.linalg.norm(R.T @ t))
    if not distance <= MAX_CAMERA_DISTANCE_M:
        return "t", (f"puts the camera {distance:.3g} m from the origin; translations are metres "
                     f"(at most {MAX_CAMERA_DISTANCE_M:g} m)")
    return None


def as_text(value) -> str | None:
    """A string attribute or element as ``str``; ``None`` if it is not valid UTF-8 text.

    (h5py hands undecodable bytes of a UTF-8 string over as lone surrogates:
    those are refused here too.)
    """
    if isinstance(value, np.ndarray) and value.shape == ():
        value = value.item()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return None
        return value
    return None


def _quoted(value) -> str:
    """``repr`` of a value for an error message: one line of at most about :data:`_QUOTED` characters."""
    return _shortened(repr(value))


def _shortened(value, limit: int = _QUOTED) -> str:
    """``str`` of a value (an exception, a dtype) on one line of at most about ``limit`` characters."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _size(n_bytes: float) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.1f} {unit}"
    return f"{int(n_bytes)} bytes"


def _join(parent: str, name: str) -> str:
    return f"{parent.rstrip('/')}/{name}"
