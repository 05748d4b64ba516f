"""Reading OpenPose-style 2D keypoint JSON: one folder per view, one file per frame.

Each file holds ``{"people": [{"pose_keypoints_2d": [x0, y0, c0, x1, ...]}, ...]}``;
a joint that was not found is written as ``0, 0, 0``. Frames are numbered by
the last integer in the file name (``cam1_000000000042_keypoints.json`` is
frame 42), counted from the smallest number found in any view; a frame with
no file, or no people, is an empty frame.
"""

from __future__ import annotations

import json
import re
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
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        people = document.get("people", [])
        arrays = [np.asarray(person["pose_keypoints_2d"], dtype=np.float64) for person in people]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, AttributeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not an OpenPose keypoint file ({error})") from None
    out = []
    for array in arrays:
        if array.size == 0:
            continue
        if array.ndim != 1 or array.size % 3:
            raise ValueError(f"{path}: pose_keypoints_2d must hold x, y, confidence triples, found {array.size} numbers")
        keypoints = array.reshape(-1, 3).copy()
        missing = keypoints[:, 2] <= 0
        keypoints[missing] = (np.nan, np.nan, 0.0)
        out.append(keypoints)
    return out


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
    n_keypoints = None
    people: list[list[np.ndarray]] = []
    for files in per_view:
        frames = []
        for number in range(first, last + 1):
            found = _read_people(files[number]) if number in files else []
            for person in found:
                if n_keypoints is None:
                    n_keypoints = person.shape[0]
                elif person.shape[0] != n_keypoints:
                    raise ValueError(f"{files[number]}: {person.shape[0]} keypoints per person, other files have {n_keypoints}")
            frames.append(np.stack(found) if found else np.zeros((0, n_keypoints or 0, 3)))
        people.append(frames)
    if n_keypoints is None:
        raise ValueError(f"{root}: no person detected in any keypoint file")
    for frames in people:
        for index, array in enumerate(frames):
            if array.shape[0] == 0:
                frames[index] = np.zeros((0, n_keypoints, 3))
    return KeypointViews(tuple(f.name for f in folders), people, n_keypoints, first)
