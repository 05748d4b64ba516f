"""Reading OpenPose-style 2D keypoint JSON: one folder per view, one file per frame.

Each file holds ``{"people": [{"pose_keypoints_2d": [x0, y0, c0, x1, ...]}, ...]}``;
a joint that was not found is written as ``0, 0, 0``. Frames are numbered by
the last integer in the file name (``cam1_000000000042_keypoints.json`` is
frame 42), counted from the smallest number found in any view; a frame with
no file, or no people, is an empty frame. A person without keypoints (``{}``,
an empty list, or fewer keypoints than the folder's other people, as Pose2Sim's
``pose-associated`` folders write for a view where nobody was associated) is no
detection.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.motion.skeleton import BODY25, BODY25B, COCO17, HALPE26, Skeleton

#: Layout names accepted by ``--layout``, with the skeleton each stands for.
LAYOUTS: dict[str, Skeleton] = {"BODY_25": BODY25, "BODY_25B": BODY25B, "COCO-17": COCO17, "HALPE-26": HALPE26}

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """Sort key that orders ``cam2`` before ``cam10``."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _DIGITS.split(text))


def layout_by_name(name: str) -> Skeleton:
    """The skeleton of a layout name (``BODY_25``, ``body25``, ``coco17`` ... are all understood)."""
    wanted = re.sub(r"[^a-z0-9]", "", name.lower())
    for layout, skeleton in LAYOUTS.items():
        if wanted in (re.sub(r"[^a-z0-9]", "", layout.lower()), skeleton.name):
            return skeleton
    raise ValueError(f"unknown keypoint layout {name!r}; use one of {', '.join(LAYOUTS)}")


def detect_layout(n_keypoints: int, layout: str | None = None) -> Skeleton:
    """The skeleton of detections with ``n_keypoints`` joints.

    Parameters
    ----------
    n_keypoints : int
    layout : str, optional
        Name given by the user; required when the count is ambiguous (25
        joints are BODY_25 or BODY_25B).

    Raises
    ------
    ValueError
        For an unknown or ambiguous count, or a layout that does not match it.
    """
    if layout is not None:
        skeleton = layout_by_name(layout)
        if skeleton.n_joints != n_keypoints:
            raise ValueError(f"layout {layout} has {skeleton.n_joints} joints but the keypoint files have {n_keypoints}")
        return skeleton
    matches = [name for name, skeleton in LAYOUTS.items() if skeleton.n_joints == n_keypoints]
    if not matches:
        raise ValueError(f"{n_keypoints} keypoints per person match no known layout ({', '.join(LAYOUTS)})")
    if len(matches) > 1:
        raise ValueError(f"{n_keypoints} keypoints per person could be {' or '.join(matches)}; choose one with --layout")
    return LAYOUTS[matches[0]]


@dataclass(frozen=True)
class KeypointViews:
    """Per-view, per-frame people read from keypoint folders.

    Attributes
    ----------
    view_names : tuple of str, length V
        Folder names, naturally sorted.
    people : list (V) of list (T) of ndarray (P, J, 3)
        x, y in pixels and confidence; NaN x, y and confidence 0 where a joint
        was not found. P may be 0.
    n_keypoints : int
        J.
    first_frame : int
        File frame number of frame 0 (of the first view, when the views are offset).
    view_offsets : tuple of int, length V, or ()
        Set once the views are synchronized (:func:`analysis.geometry.sync.apply_offsets`):
        frame ``i`` of view ``v`` is its file frame ``first_frame + i + view_offsets[v]``.
        Empty: no offsets.
    """

    view_names: tuple[str, ...]
    people: list[list[np.ndarray]]
    n_keypoints: int
    first_frame: int
    view_offsets: tuple[int, ...] = ()

    @property
    def n_frames(self) -> int:
        return len(self.people[0]) if self.people else 0

    def file_frame(self, view: str) -> int:
        """The view's own frame number (in its files and its video) of frame 0."""
        index = self.view_names.index(view)
        return self.first_frame + (self.view_offsets[index] if self.view_offsets else 0)


def _read_people(path: Path) -> list[np.ndarray]:
    """The ``pose_keypoints_2d`` list of every person in one file, flat; people without one are left out."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        people = document.get("people") or []
        arrays = [np.asarray(person.get("pose_keypoints_2d") or [], dtype=np.float64) for person in people]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not an OpenPose keypoint file ({error})") from None
    for array in arrays:
        if array.ndim != 1:
            raise ValueError(f"{path}: pose_keypoints_2d must be a flat list of numbers")
    return [array for array in arrays if array.size]


def _keypoint_count(people_by_file: dict[Path, list[np.ndarray]]) -> int:
    """The number of keypoints per person most people have (people with fewer are no detection).

    Raises
    ------
    ValueError
        Naming the file of a person with more numbers than that, or a count that is not triples.
    """
    sizes = Counter(array.size for people in people_by_file.values() for array in people)
    size = max(sizes, key=lambda s: (sizes[s], s))
    for path, people in people_by_file.items():
        for array in people:
            if array.size > size:
                raise ValueError(f"{path}: {array.size // 3} keypoints per person, other files have {size // 3}")
    if size % 3:
        path = next(path for path, people in people_by_file.items() if any(a.size == size for a in people))
        raise ValueError(f"{path}: pose_keypoints_2d must hold x, y, confidence triples, found {size} numbers")
    return size // 3


def _detections(people: list[np.ndarray], n_keypoints: int) -> np.ndarray:
    """``(P, J, 3)`` keypoints of the people with all ``n_keypoints``; NaN x, y and confidence 0 where not found."""
    full = [array.reshape(n_keypoints, 3).copy() for array in people if array.size == 3 * n_keypoints]
    keypoints = np.stack(full) if full else np.zeros((0, n_keypoints, 3))
    keypoints[keypoints[..., 2] <= 0] = (np.nan, np.nan, 0.0)
    return keypoints


def _frame_numbers(files: list[Path]) -> list[int] | None:
    numbers = []
    for path in files:
        found = _DIGITS.findall(path.stem)
        if not found:
            return None
        numbers.append(int(found[-1]))
    return numbers if len(set(numbers)) == len(numbers) else None


def read_keypoint_folders(root: str | Path) -> KeypointViews:
    """Read every view folder under ``root``.

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the folder or file at fault.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: keypoint folder not found")
    folders = sorted((p for p in root.iterdir() if p.is_dir() and any(p.glob("*.json"))), key=lambda p: natural_key(p.name))
    if not folders:
        raise ValueError(f"{root}: no view folders with .json keypoint files")
    per_view = []
    for folder in folders:
        files = sorted(folder.glob("*.json"), key=lambda p: natural_key(p.name))
        numbers = _frame_numbers(files) or list(range(len(files)))
        per_view.append(dict(zip(numbers, files)))
    first = min(min(files) for files in per_view)
    last = max(max(files) for files in per_view)
    read = [{path: _read_people(path) for path in files.values()} for files in per_view]
    if not any(people for by_file in read for people in by_file.values()):
        raise ValueError(f"{root}: no person detected in any keypoint file")
    n_keypoints = _keypoint_count({path: people for by_file in read for path, people in by_file.items()})
    people = [[_detections(by_file[files[number]], n_keypoints) if number in files else np.zeros((0, n_keypoints, 3))
               for number in range(first, last + 1)]
              for files, by_file in zip(per_view, read)]
    return KeypointViews(tuple(f.name for f in folders), people, n_keypoints, first)
