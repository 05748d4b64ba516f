"""The outcome of synchronizing a recording's views: offsets, the views on one clock, the file.

What the reference view sees at its frame ``n`` another view sees at its
frame ``n + offset``. :func:`apply_offsets` cuts every view to the frames
all of them cover, frame ``i`` of each being the same instant. The file is ``{"offsets": {VIEW: frames}, "reference":
VIEW, "refined_with_calibration": bool, "views": {VIEW: {"offset", "correlation",
"peak_quality", "reprojection_px"}}}``; reading needs only ``offsets``, so a
file written by hand works too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from analysis.geometry.keypoints_io import KeypointViews
from analysis.session.atomic import write_text_atomically

#: Largest offset looked for by default, frames.
DEFAULT_MAX_OFFSET = 120
#: Candidates tried by default on each side of the correlation's offset when the calibration refines it, frames.
DEFAULT_SEARCH = 2
#: Progress stages, in order.
MEASURING, CORRELATING, SELECTING, REFINING = ("measuring motion", "correlating views",
                                              "selecting the athlete", "refining with the calibration")

Progress = Callable[[str, int, int], None]


class SyncCancelled(Exception):
    """The caller's cancel check asked to stop."""


@dataclass(frozen=True)
class ViewSync:
    """One view's estimated offset and how sure of it the estimate is.

    Attributes
    ----------
    offset : int
        Frames: the view's frame ``n + offset`` shows the reference's frame ``n``.
    correlation : float or None
        Correlation of the view's motion with the reference's at that offset
        (None for the reference itself).
    peak_quality : float or None
        How far that pair's correlation peak stands above the next best lag.
    reprojection_px : float or None
        With a calibration: the median distance, pixels, between the view's
        detections and the 3D triangulated from the other views at that offset.
    """

    offset: int
    correlation: float | None = None
    peak_quality: float | None = None
    reprojection_px: float | None = None


@dataclass(frozen=True)
class SyncResult:
    """Offsets of every view against a reference view.

    Attributes
    ----------
    reference : str
    views : dict of view name to ViewSync, in the recording's view order
    refined : bool
        Whether the calibration refined the correlation's offsets.
    """

    reference: str
    views: dict[str, ViewSync]
    refined: bool = False

    @property
    def offsets(self) -> dict[str, int]:
        return {view: sync.offset for view, sync in self.views.items()}

    def to_json(self) -> dict:
        """The file's contents: ``offsets``, ``reference``, ``refined_with_calibration`` and per view ``views``."""
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(float(value), 4)

        return {
            "offsets": self.offsets,
            "reference": self.reference,
            "refined_with_calibration": self.refined,
            "views": {view: {"offset": sync.offset, "correlation": rounded(sync.correlation),
                             "peak_quality": rounded(sync.peak_quality),
                             "reprojection_px": rounded(sync.reprojection_px)}
                      for view, sync in self.views.items()},
        }


def check_cancel(cancelled: Callable[[], bool] | None) -> None:
    """Raise :class:`SyncCancelled` when ``cancelled()`` says so."""
    if cancelled is not None and cancelled():
        raise SyncCancelled("synchronization cancelled")


@dataclass(frozen=True)
class ShiftedPeople:
    """People per view on one common clock: frame ``i`` of every view is the same instant.

    Attributes
    ----------
    people : list (V) of list (T) of ndarray (P, J, 3)
    start : int
        Index, in the reference's unshifted frames, of common frame 0.
    """

    people: list[list[np.ndarray]]
    start: int


def shift_people(people: list[list[np.ndarray]], offsets: Sequence[int]) -> ShiftedPeople:
    """Cut every view to the frames all views cover once shifted by ``offsets``.

    Raises
    ------
    ValueError
        When the offsets leave no frame that every view covers.
    """
    n_frames = len(people[0])
    start = max(0, -min(offsets))
    stop = min(n_frames, n_frames - max(offsets))
    if stop <= start:
        raise ValueError(f"offsets {list(offsets)} leave no frame that every view covers ({n_frames} frames each)")
    return ShiftedPeople([frames[start + offset:stop + offset] for frames, offset in zip(people, offsets)], start)


def apply_offsets(keypoints: KeypointViews, offsets: dict[str, int]) -> KeypointViews:
    """``keypoints`` on one clock: frame ``i`` of every view is the same instant.

    Only the frames every view covers are kept. The result's
    :meth:`KeypointViews.file_frame` gives each view's own frame number of
    frame 0 (where its video starts).

    Raises
    ------
    ValueError
        For a view without an offset, or offsets that leave no common frame.
    """
    missing = [view for view in keypoints.view_names if view not in offsets]
    if missing:
        raise ValueError(f"no offset for view {', '.join(missing)}; offsets are given for {', '.join(offsets)}")
    values = [int(offsets[view]) for view in keypoints.view_names]
    shifted = shift_people(keypoints.people, values)
    return replace(keypoints, people=shifted.people, first_frame=keypoints.first_frame + shifted.start,
                   view_offsets=tuple(values))


def write_sync_file(path: str | Path, result: SyncResult) -> Path:
    """Write :meth:`SyncResult.to_json` atomically."""
    return write_text_atomically(path, json.dumps(result.to_json(), indent=2) + "\n")


def read_sync_file(path: str | Path) -> dict[str, int]:
    """The ``offsets`` of a file :func:`write_sync_file` wrote (or any ``{"offsets": {VIEW: int}}``).

    Raises
    ------
    FileNotFoundError, ValueError
        Naming the file and what is wrong with it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: synchronization file not found")
    try:
        offsets = json.loads(path.read_text(encoding="utf-8"))["offsets"]
        parsed = {str(view): int(value) for view, value in offsets.items()}
        if any(parsed[view] != value for view, value in offsets.items()):
            raise ValueError("offsets must be whole frames")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError,
            AttributeError) as error:
        raise ValueError(f"{path}: not a synchronization file with {{\"offsets\": {{VIEW: frames}}}} "
                         f"({error})") from None
    return parsed
