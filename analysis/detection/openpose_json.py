"""The detection output: one OpenPose-style JSON file per view and frame, written atomically.

``<out>/<view>/<view>_<frame, 12 digits>_keypoints.json`` holds
``{"version": 1.3, "people": [{"person_id": [track id], "pose_keypoints_2d":
[x0, y0, c0, x1, ...], ...}]}`` with x, y in pixels and c the keypoint's
confidence in [0, 1]; a keypoint not found is ``0, 0, 0``. The frame number
is the video's frame index, so :mod:`analysis.geometry.keypoints_io` (what
``main.py import`` reads) and Pose2Sim read the folders as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from analysis.session.atomic import write_text_atomically

_FRAME_NUMBER = re.compile(r"_(\d{12})_keypoints\.json$")


def frame_path(folder: Path, view: str, frame: int) -> Path:
    """The file of ``frame`` of ``view`` in ``folder``."""
    return Path(folder) / f"{view}_{frame:012d}_keypoints.json"


def written_frames(folder: Path, view: str) -> dict[int, Path]:
    """Frame number -> file, for the frames of ``view`` already in ``folder``."""
    if not Path(folder).is_dir():
        return {}
    found = {}
    for path in Path(folder).glob(f"{view}_*_keypoints.json"):
        match = _FRAME_NUMBER.search(path.name)
        if match and path.name == frame_path(folder, view, int(match.group(1))).name:
            found[int(match.group(1))] = path
    return found


def write_frame(path: Path, people: np.ndarray, ids: np.ndarray) -> None:
    """Write the people (P, J, 3) of one frame with their track ids (P,), atomically."""
    records = []
    for keypoints, track_id in zip(people, np.asarray(ids).tolist()):
        values = np.where(np.isfinite(keypoints), keypoints, 0.0)
        values[values[:, 2] <= 0] = 0.0
        flat = np.column_stack([values[:, :2].round(2), values[:, 2].round(4)]).reshape(-1).tolist()
        records.append({"person_id": [int(track_id)], "pose_keypoints_2d": flat, "face_keypoints_2d": [],
                        "hand_left_keypoints_2d": [], "hand_right_keypoints_2d": []})
    write_text_atomically(path, json.dumps({"version": 1.3, "people": records}, separators=(",", ":")))


def read_frame(path: Path, n_keypoints: int) -> tuple[np.ndarray, np.ndarray]:
    """People (P, J, 3) and track ids (P,) of a file :func:`write_frame` wrote.

    Keypoints not found come back as NaN x, y and confidence 0.

    Raises
    ------
    ValueError
        Naming the file when it is unreadable or holds another number of keypoints.
    """
    try:
        people = json.loads(Path(path).read_text(encoding="utf-8"))["people"]
        ids = np.array([int(person["person_id"][0]) for person in people], dtype=np.int64)
        flat = [np.asarray(person["pose_keypoints_2d"], dtype=np.float64) for person in people]
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, IndexError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a keypoint file of this detection ({error}); "
                         f"delete it to detect that frame again") from None
    for values in flat:
        if values.shape != (n_keypoints * 3,):
            raise ValueError(f"{path}: holds {values.size // 3} keypoints per person but the model gives "
                             f"{n_keypoints}; write to another --out folder")
    keypoints = np.stack(flat).reshape(-1, n_keypoints, 3) if flat else np.zeros((0, n_keypoints, 3))
    keypoints[keypoints[..., 2] <= 0] = (np.nan, np.nan, 0.0)
    return keypoints, ids
