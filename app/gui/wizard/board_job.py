"""The wizard's board calibration job (no Qt): find the board, draw what was found, calibrate the rig.

It runs in the step runner's worker thread; the page shows its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.geometry.board import BoardSpec
from analysis.geometry.board_calibration import RigCalibration, calibrate_rig
from analysis.geometry.board_recording import (
    CameraSource,
    CameraViews,
    CancelCheck,
    Progress,
    default_every,
    detect_boards,
    find_sources,
)
from analysis.geometry.recording_folder import video_files
from analysis.render.board_preview import (
    best_frame,
    coverage_counts,
    coverage_fraction,
    draw_coverage,
    draw_detection,
)

#: Width of the pictures the page shows, pixels.
PICTURE_WIDTH = 200


@dataclass(frozen=True)
class CameraPictures:
    """What one camera saw of the board.

    Attributes
    ----------
    name : str
    frame : int
        The frame shown: the one with the most corners.
    detection : ndarray, shape (h, PICTURE_WIDTH, 3), uint8
        That frame, BGR, its corners ringed.
    coverage : ndarray, shape (h, PICTURE_WIDTH, 3), uint8
        Where the corners fell over the recording (:func:`analysis.render.board_preview.draw_coverage`).
    covered : float
        Share of the image's coverage cells the board reached, 0 to 1.
    """

    name: str
    frame: int
    detection: np.ndarray
    coverage: np.ndarray
    covered: float


@dataclass(frozen=True)
class BoardCalibration:
    """The job's result.

    Attributes
    ----------
    folder : Path
        The board recording.
    spec : BoardSpec
    every : int
        The frame step used.
    pictures : list of CameraPictures
        One per camera, in the recording's order.
    rig : RigCalibration or None
        None when the cameras could not be calibrated; ``problem`` says why.
    problem : str
        One line naming the camera's file, or the cameras that share no view ("" with a rig).
    """

    folder: Path
    spec: BoardSpec
    every: int
    pictures: list[CameraPictures]
    rig: RigCalibration | None
    problem: str = ""


def board_sources(folder: Path) -> list[CameraSource]:
    """The cameras of a board recording: its video files if it holds any, else its image folders.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`analysis.geometry.board_recording.find_sources`.
    """
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder}: board recording folder not found")
    return find_sources(folder, videos=bool(video_files(folder)))


def camera_pictures(source: CameraSource, camera: CameraViews) -> CameraPictures:
    """The pictures of one camera's detections (its best frame is read again)."""
    frame = best_frame(camera.views)
    counts = coverage_counts(camera.size, camera.views.values())
    return CameraPictures(camera.name, frame, draw_detection(source.frame(frame), camera.views[frame], PICTURE_WIDTH),
                          draw_coverage(counts, PICTURE_WIDTH), coverage_fraction(counts))


def calibrate_board_recording(folder: Path, spec: BoardSpec, origin: str, progress: Progress,
                              cancel: CancelCheck) -> BoardCalibration:
    """Find ``spec`` in every camera of ``folder``, draw what was found, then calibrate the rig.

    Parameters
    ----------
    folder : Path
        One video file or one image folder per camera.
    spec : BoardSpec
    origin : {"camera", "board"}
        The world frame (:func:`analysis.geometry.board_calibration.calibrate_rig`).
    progress, cancel : callable
        As :func:`analysis.geometry.board_recording.detect_boards` takes them; stages
        ``"detecting"``, ``"pictures"``, ``"intrinsics"``, ``"bundle adjustment"``.

    Raises
    ------
    FileNotFoundError, ValueError
        When the folder holds no cameras, or a camera never shows the board (naming its file).
    CalibrationCancelled
        When ``cancel`` turned true.
    """
    sources = board_sources(folder)
    every = default_every(sources)
    recording = detect_boards(sources, spec, every, progress, cancel)
    pictures = []
    for index, (source, camera) in enumerate(zip(sources, recording, strict=True)):
        pictures.append(camera_pictures(source, camera))
        progress("pictures", index + 1, len(sources))
    try:
        rig = calibrate_rig(recording, spec, origin, progress, cancel)
    except ValueError as error:
        return BoardCalibration(folder, spec, every, pictures, None, str(error))
    return BoardCalibration(folder, spec, every, pictures, rig)
