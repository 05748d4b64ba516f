"""Calibration boards: the ``--board`` spec, the board's corners, and finding them in an image.

Board frame (OpenCV's): origin at the outer corner of the board's first square,
x along the columns, y along the rows, z into the board (away from the printed
face), metres. Inner corner ``(i, j)`` lies at ``((i + 1) * square, (j + 1) * square, 0)``
and has id ``j * (cols - 1) + i``, as ChArUco numbers its corners.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

#: ``--board`` spec grammar, for messages.
SPEC_FORMS = "charuco:COLSxROWS:SQUARE_M:MARKER_M:DICT or checkerboard:COLSxROWS:SQUARE_M"

#: Fewest corners a view must show to be used (and not lie on one line).
MIN_CORNERS = 6

_SIZE = re.compile(r"^(\d+)x(\d+)$")


@dataclass(frozen=True)
class BoardSpec:
    """A printed calibration board.

    Attributes
    ----------
    kind : {"charuco", "checkerboard"}
    cols, rows : int
        Squares along x and y (not inner corners).
    square_m : float
        Side of a square, metres.
    marker_m : float
        Side of an ArUco marker, metres (ChArUco only; 0 for a checkerboard).
    dictionary : str
        OpenCV ArUco dictionary name, e.g. ``"DICT_4X4_100"`` (ChArUco only).
    """

    kind: str
    cols: int
    rows: int
    square_m: float
    marker_m: float = 0.0
    dictionary: str = ""

    @property
    def n_corners(self) -> int:
        """Number of inner corners, ``(cols - 1) * (rows - 1)``."""
        return (self.cols - 1) * (self.rows - 1)

    @cached_property
    def corners(self) -> np.ndarray:
        """Inner corners in the board frame, shape (n_corners, 3), metres, in id order."""
        j, i = np.mgrid[1:self.rows, 1:self.cols]
        points = np.stack([i.ravel(), j.ravel(), np.zeros(i.size)], axis=1)
        return points * self.square_m

    @cached_property
    def charuco_board(self) -> cv2.aruco.CharucoBoard:
        """OpenCV's board object (ChArUco only)."""
        dictionary = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, self.dictionary))
        return cv2.aruco.CharucoBoard((self.cols, self.rows), self.square_m, self.marker_m, dictionary)

    def __str__(self) -> str:
        text = f"{self.kind}:{self.cols}x{self.rows}:{self.square_m:g}"
        return text + (f":{self.marker_m:g}:{self.dictionary}" if self.kind == "charuco" else "")


def parse_board_spec(text: str) -> BoardSpec:
    """Parse ``charuco:COLSxROWS:SQUARE_M:MARKER_M:DICT`` or ``checkerboard:COLSxROWS:SQUARE_M``.

    COLS and ROWS count squares for both kinds. A checkerboard needs one odd and
    one even count: otherwise it looks the same turned by 180 degrees and two
    cameras could number its corners differently.

    Raises
    ------
    ValueError
        One line naming the spec and what is wrong with it.
    """
    parts = text.split(":")
    kind = parts[0].lower()
    expected = {"charuco": 5, "checkerboard": 3}
    if kind not in expected or len(parts) != expected[kind]:
        raise ValueError(f"board spec {text!r}: expected {SPEC_FORMS}")
    size = _SIZE.match(parts[1])
    if size is None:
        raise ValueError(f"board spec {text!r}: size {parts[1]!r} is not COLSxROWS (e.g. 10x7)")
    cols, rows = int(size[1]), int(size[2])
    if min(cols, rows) < 3:
        raise ValueError(f"board spec {text!r}: a board needs at least 3x3 squares")
    lengths = [_length(text, part) for part in parts[2:4 if kind == "charuco" else 3]]
    if kind == "checkerboard":
        if (cols + rows) % 2 == 0:
            raise ValueError(f"board spec {text!r}: a {cols}x{rows} checkerboard looks the same turned by 180 "
                             "degrees; use one odd and one even number of squares (e.g. 9x6)")
        return BoardSpec("checkerboard", cols, rows, lengths[0])
    square, marker = lengths
    if marker >= square:
        raise ValueError(f"board spec {text!r}: the marker ({marker:g} m) must be smaller than "
                         f"the square ({square:g} m)")
    dictionary = parts[4].upper()
    if not dictionary.startswith("DICT_") or not hasattr(cv2.aruco, dictionary):
        raise ValueError(f"board spec {text!r}: unknown ArUco dictionary {parts[4]!r} (e.g. DICT_4X4_100)")
    capacity = cv2.aruco.getPredefinedDictionary(getattr(cv2.aruco, dictionary)).bytesList.shape[0]
    if capacity < cols * rows // 2:
        raise ValueError(f"board spec {text!r}: {dictionary} has {capacity} markers, "
                         f"a {cols}x{rows} board needs {cols * rows // 2}")
    return BoardSpec("charuco", cols, rows, square, marker, dictionary)


def _length(spec: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or not np.isfinite(value):
        raise ValueError(f"board spec {spec!r}: {text!r} is not a positive length in metres")
    return value


@dataclass(frozen=True)
class BoardView:
    """The board's inner corners found in one image.

    Attributes
    ----------
    ids : ndarray, shape (N,), int
        Corner ids (see the module docstring), ascending.
    pixels : ndarray, shape (N, 2), float64
        Their positions in the image, pixels (as seen, with lens distortion).
    """

    ids: np.ndarray
    pixels: np.ndarray


class BoardDetector:
    """Finds one board in grayscale images; create once, call :meth:`detect` per image."""

    def __init__(self, spec: BoardSpec) -> None:
        self.spec = spec
        self._charuco = cv2.aruco.CharucoDetector(spec.charuco_board) if spec.kind == "charuco" else None

    def detect(self, gray: np.ndarray) -> BoardView | None:
        """The board in ``gray`` (H, W) uint8, or None when too few corners are found."""
        view = self._detect_charuco(gray) if self._charuco is not None else self._detect_checkerboard(gray)
        if view is None or view.ids.size < MIN_CORNERS or _collinear(self.spec.corners[view.ids]):
            return None
        return view

    def _detect_charuco(self, gray: np.ndarray) -> BoardView | None:
        corners, ids, _, _ = self._charuco.detectBoard(gray)
        if ids is None:
            return None
        ids = ids.reshape(-1).astype(np.int64)
        order = np.argsort(ids)
        return BoardView(ids[order], corners.reshape(-1, 2)[order].astype(np.float64))

    def _detect_checkerboard(self, gray: np.ndarray) -> BoardView | None:
        spec = self.spec
        found, corners = cv2.findChessboardCornersSB(gray, (spec.cols - 1, spec.rows - 1))
        if not found:
            return None
        grid = _canonical_grid(gray, corners.reshape(spec.rows - 1, spec.cols - 1, 2).astype(np.float64))
        return BoardView(np.arange(spec.n_corners), grid.reshape(-1, 2))


def _canonical_grid(gray: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Reorder a detected corner grid (rows-1, cols-1, 2) into the board's numbering.

    The detector may start at any of the four outer corners. The board frame is
    the one in which the camera sees the printed face (x then y turn the way the
    image's x then y do) and the first square is the dark one.
    """
    if _cross(grid[0, 1] - grid[0, 0], grid[1, 0] - grid[0, 0]) < 0:
        grid = grid[::-1]
    if _brightness(gray, _square_centre(grid, 0, 0)) > _brightness(gray, _square_centre(grid, 1, 0)):
        grid = grid[::-1, ::-1]
    return np.ascontiguousarray(grid)


def _square_centre(grid: np.ndarray, i: int, j: int) -> np.ndarray:
    """Image position of the centre of square (i, j) in {0, 1}, from the corners around (0, 0)."""
    step_x = grid[0, 1] - grid[0, 0]
    step_y = grid[1, 0] - grid[0, 0]
    return grid[0, 0] + (i - 0.5) * step_x + (j - 0.5) * step_y


def _brightness(gray: np.ndarray, centre: np.ndarray) -> float:
    return float(cv2.getRectSubPix(gray, (3, 3), (float(centre[0]), float(centre[1]))).mean())


def _cross(a: np.ndarray, b: np.ndarray) -> float:
    return float(a[0] * b[1] - a[1] * b[0])


def _collinear(points: np.ndarray) -> bool:
    """Whether board points (N, 3) lie on one line (their spread has one direction only)."""
    singular = np.linalg.svd(points[:, :2] - points[:, :2].mean(axis=0), compute_uv=False)
    return bool(singular[1] < 1e-6 * max(singular[0], 1e-12))
