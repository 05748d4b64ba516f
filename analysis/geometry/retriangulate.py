"""Re-triangulating a session into a new file, optionally without some views.

The input file is never modified: it is copied to a temporary file beside
the output, its takes' ``pose3d`` replaced there, and the copy renamed into
place. Everything else (poses 2D, video, scores) is kept; video paths stored
relative to the session are rewritten for the output's folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import h5py
import numpy as np

from analysis.geometry.robust_triangulation import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_THRESHOLD_PX,
    Triangulation,
    triangulate_robust,
)
from analysis.session.atomic import atomic_output
from analysis.session.contract import as_text
from analysis.session.reader import Session


def retriangulate(
    session: Session,
    exclude: Sequence[str] = (),
    threshold_px: float = DEFAULT_THRESHOLD_PX,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Triangulation]:
    """Robust triangulation of every take of an open session.

    Parameters
    ----------
    session : Session
    exclude : sequence of str
        View names whose detections are not used at all.
    threshold_px, min_confidence : float
        See :func:`analysis.geometry.robust_triangulation.triangulate_robust`.
    progress : callable, optional
        Called with (takes done, takes in all).

    Returns
    -------
    dict of take id to Triangulation
        In session order. Excluded views count as not detected.

    Raises
    ------
    ValueError
        For an excluded view the session does not have, or when fewer than two views remain.
    """
    views = list(session.view_names)
    unknown = [name for name in exclude if name not in views]
    if unknown:
        raise ValueError(f"{session.path}: no view named {', '.join(map(repr, unknown))}; views are {', '.join(views)}")
    keep = np.array([name not in exclude for name in views])
    if keep.sum() < 2:
        raise ValueError(f"{session.path}: excluding {', '.join(exclude)} leaves fewer than two views")
    results = {}
    for done, take_id in enumerate(session.take_ids, start=1):
        pose2d = session.pose2d(take_id).astype(np.float64)
        pose2d[~keep] = (np.nan, np.nan, 0.0)
        results[take_id] = triangulate_robust(session.cameras, pose2d[..., :2], pose2d[..., 2],
                                              min_confidence, threshold_px)
        if progress is not None:
            progress(done, len(session.take_ids))
    return results


def write_retriangulated(source: Path, out: Path, points: dict[str, np.ndarray]) -> Path:
    """Copy ``source`` to ``out`` with each take's ``pose3d`` replaced, atomically.

    Parameters
    ----------
    source, out : Path
        Must differ: an input is never modified.
    points : dict of take id to ndarray (T, J, 3)
        Metres.
    """
    source, out = Path(source), Path(out)
    if out.resolve() == source.resolve():
        raise ValueError(f"{out}: the output must be a new file, not the input session")
    with atomic_output(out) as temporary:
        shutil.copyfile(source, temporary)
        with h5py.File(temporary, "r+") as handle:
            takes = handle["takes"]
            for take_id, array in points.items():
                group = takes[take_id]
                if "pose3d" in group:
                    del group["pose3d"]
                group.create_dataset("pose3d", data=np.asarray(array, dtype=np.float32))
                _rebase_video_paths(group, source.resolve().parent, out.resolve().parent)
    return out


def _rebase_video_paths(take: h5py.Group, old_folder: Path, new_folder: Path) -> None:
    if "video" not in take or old_folder == new_folder:
        return
    for view, dataset in list(take["video"].items()):
        if dataset.shape != ():
            continue
        relative = os.path.relpath(old_folder / as_text(dataset[()]), new_folder)
        attrs = dict(dataset.attrs)
        del take["video"][view]
        rebased = take["video"].create_dataset(view, data=Path(relative).as_posix(), dtype=h5py.string_dtype())
        for key, value in attrs.items():
            rebased.attrs[key] = value
