"""A recording's camera files: one frame rate for all of them, and the frames they all cover.

A session has one frame rate, and frame ``i`` of a take is frame ``i`` of
every view: camera files at different rates cannot be paired frame by frame,
so they are refused with a message naming each file and its rate. Files of
different lengths are fine: the session keeps the frames every view covers,
and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.session.video_file import VideoInfo, VideoUnreadable, probe_video

#: Frame rates closer than this (relative) are the same rate.
RATE_TOLERANCE = 1e-3


def probe_videos(videos: dict[str, Path]) -> dict[str, VideoInfo]:
    """The header of every camera file (camera name -> info).

    Raises
    ------
    ValueError
        Naming a file that cannot be read as video.
    """
    infos = {}
    for camera, path in videos.items():
        try:
            infos[camera] = probe_video(path)
        except VideoUnreadable as error:
            raise ValueError(f"{path}: cannot be read as video ({error})") from None
    return infos


def _rates_text(videos: dict[str, Path], infos: dict[str, VideoInfo]) -> str:
    return ", ".join(f"{videos[camera].name} {info.frame_rate:g} fps" for camera, info in infos.items())


def common_frame_rate(videos: dict[str, Path], infos: dict[str, VideoInfo], fps: float | None = None) -> float:
    """The one frame rate of the camera files (checked against ``fps`` when given).

    Parameters
    ----------
    videos : dict of camera name to Path
    infos : dict of camera name to VideoInfo
        :func:`probe_videos` of ``videos``.
    fps : float, optional
        The rate the user gave; without camera files it is the rate.

    Raises
    ------
    ValueError
        When the files run at different rates, at another rate than ``fps``,
        or none says its rate and ``fps`` is not given; or without files and ``fps``.
    """
    if fps is not None and not (np.isfinite(fps) and fps > 0):
        raise ValueError(f"the frame rate must be a positive number, got {fps}")
    known = {camera: info for camera, info in infos.items() if np.isfinite(info.frame_rate) and info.frame_rate > 0}
    if not known:
        if fps is None:
            unknown = ", ".join(path.name for path in videos.values())
            raise ValueError("give the frame rate (--fps): " + (f"{unknown} do not say theirs" if unknown
                                                                  else "there are no video files to read it from"))
        return float(fps)
    rates = np.array([info.frame_rate for info in known.values()])
    if np.ptp(rates) > RATE_TOLERANCE * rates.max():
        raise ValueError(f"the videos run at different frame rates ({_rates_text(videos, known)}); a session "
                         f"pairs its views frame by frame, so convert them to one rate first")
    rate = float(np.median(rates))
    if fps is not None and abs(fps - rate) > RATE_TOLERANCE * rate:
        raise ValueError(f"the frame rate given, {fps:g} fps, is not the videos' ({_rates_text(videos, known)})")
    return float(fps) if fps is not None else rate


@dataclass(frozen=True)
class CommonRange:
    """How many frames every view covers, and what the user should be told about it.

    Attributes
    ----------
    n_frames : int
    note : str or None
        Set when some camera file ends before the keypoints do.
    """

    n_frames: int
    note: str | None


def common_range(videos: dict[str, Path], infos: dict[str, VideoInfo], first_frames: dict[str, int],
                 n_frames: int) -> CommonRange:
    """The frames of a take that every camera file holds.

    Parameters
    ----------
    videos, infos : dicts of camera name
        The files and their headers.
    first_frames : dict of camera name to int
        The file frame each camera's take frame 0 is.
    n_frames : int
        Frames the keypoints span.

    Raises
    ------
    ValueError
        When some file ends before the take would start.
    """
    available = {camera: info.frame_count - first_frames[camera] for camera, info in infos.items()}
    if not available or min(available.values()) >= n_frames:
        return CommonRange(n_frames, None)
    shortest = min(available, key=available.get)
    if available[shortest] <= 0:
        raise ValueError(f"{videos[shortest]} has {infos[shortest].frame_count} frames, but the take starts at its "
                         f"frame {first_frames[shortest]}")
    kept = available[shortest]
    lengths = ", ".join(f"{videos[camera].name} {info.frame_count}" for camera, info in infos.items())
    return CommonRange(kept, f"the camera files differ in length ({lengths} frames): the session keeps the "
                             f"{kept} frames every view covers (of {n_frames} with keypoints)")
