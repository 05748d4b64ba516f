"""What a recording folder holds: camera videos, calibration files, keypoint folders, a board recording.

Understands the layouts Pose2Sim and this workstation write, and a flat
folder of videos::

    recording/                      recording/
      videos/cam1.mp4 ...             cam1.mp4 cam2.mp4 ...
      calibration/Calib.toml          calibration.toml
      calibration/board/cam1.mp4 ...  board/cam1.mp4 ...
      pose-associated/cam1_json/      keypoints/cam1/ ...
      pose/cam1_json/ ...

Nothing is read but names: the files are looked at by later steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.geometry.calibration_io import calibration_format
from analysis.geometry.keypoints_io import natural_key
from analysis.geometry.recording_import import VIDEO_SUFFIXES, camera_key

#: Keypoint folders in the order they are preferred (Pose2Sim's associated detections first).
KEYPOINT_FOLDERS = ("pose-associated", "pose-sync", "pose", "keypoints")
#: Names of the folders a board recording is looked for in.
BOARD_FOLDERS = ("board", "calibration", "calib", "extrinsics", "intrinsics")
#: How deep under the recording folder files are looked for.
_DEPTH = 3


@dataclass(frozen=True)
class RecordingFolder:
    """The parts of a recording found in its folder.

    Attributes
    ----------
    folder : Path
    videos : list of Path
        The camera videos (``videos/`` if there is one, else the folder's own), in natural order.
    calibrations : list of Path
        Calibration files (toml, Qualisys ``.qca.txt``, EasyMocap folders).
    keypoints : list of Path
        Folders holding one folder of JSON keypoint files per view, preferred first.
    board : Path or None
        A folder of board recordings (one video per camera).
    """

    folder: Path
    videos: list[Path]
    calibrations: list[Path]
    keypoints: list[Path]
    board: Path | None


def video_files(folder: Path) -> list[Path]:
    """The video files directly in ``folder``, in natural order."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES),
                  key=lambda p: natural_key(p.name))


def video_camera_name(path: Path) -> str:
    """The camera a video file is named after (``cam1.mp4`` -> ``cam1``)."""
    return camera_key(path.stem)


def _folders(root: Path, depth: int) -> list[Path]:
    found, level = [], [root]
    for _ in range(depth):
        level = sorted((child for folder in level for child in folder.iterdir()
                        if child.is_dir() and not child.name.startswith(".")), key=lambda p: natural_key(str(p)))
        found += level
    return found


def _is_calibration(path: Path) -> bool:
    try:
        calibration_format(path)
    except ValueError:
        return False
    return path.is_dir() or path.name.lower() not in ("intri.yml", "extri.yml")


def _holds_keypoints(folder: Path) -> bool:
    return any(child.is_dir() and any(child.glob("*.json")) for child in folder.iterdir())


def scan_recording_folder(folder: str | Path) -> RecordingFolder:
    """Look through ``folder`` (names only).

    Raises
    ------
    FileNotFoundError
        When the folder does not exist.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: recording folder not found")
    folders = _folders(folder, _DEPTH)
    videos = video_files(folder / "videos") or video_files(folder)
    files = [path for place in [folder, *folders] for path in sorted(place.iterdir()) if path.is_file()]
    calibrations = [path for path in files + folders if _is_calibration(path)]
    keypoints = [path for path in folders if _holds_keypoints(path)]
    keypoints.sort(key=lambda p: (KEYPOINT_FOLDERS.index(p.name) if p.name in KEYPOINT_FOLDERS
                                  else len(KEYPOINT_FOLDERS), natural_key(str(p))))
    boards = [path for path in folders if path.name.lower() in BOARD_FOLDERS and video_files(path)
              and path != folder / "videos"]
    return RecordingFolder(folder, videos, calibrations, keypoints, boards[0] if boards else None)
