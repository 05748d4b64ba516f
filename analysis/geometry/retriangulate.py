"""Re-triangulating a session into a new file, optionally without some views.

The input file is never modified: what the session contract holds of it is
copied into a temporary file beside the output
(:func:`analysis.session.contract_copy.copy_session`), its takes' ``pose3d``
replaced there, the copy read back by the reader, and only then renamed into
place. Everything else of the contract (poses 2D, video, scores) is kept;
video paths stored relative to the session are rewritten for the output's folder.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import h5py
import numpy as np

from analysis.geometry.rig import CameraRig, Retriangulation
from analysis.session.atomic import atomic_output
from analysis.session.contract import SessionFormatError, as_text
from analysis.session.contract_copy import copy_session
from analysis.session.reader import Session
from analysis.session.safe_open import validate_session_file


def retriangulate(
    session: Session,
    rig: CameraRig,
    exclude: Sequence[str] = (),
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Retriangulation]:
    """Robust triangulation of every take of an open session.

    Parameters
    ----------
    session : Session
    rig : CameraRig
        The session's cameras with the robust threshold and minimum confidence.
    exclude : sequence of str
        View names whose detections are not used at all.
    progress : callable, optional
        Called with (takes done, takes in all).

    Returns
    -------
    dict of take id to Retriangulation
        In session order.

    Raises
    ------
    ValueError
        For an excluded view the session does not have, or when fewer than two views remain.
    """
    rig.participating(exclude)
    results = {}
    for done, take_id in enumerate(session.take_ids, start=1):
        results[take_id] = rig.retriangulate(session.pose2d(take_id), exclude)
        if progress is not None:
            progress(done, len(session.take_ids))
    return results


def write_retriangulated(source: Path, out: Path, points: dict[str, np.ndarray]) -> Path:
    """Copy the session ``source`` to ``out`` with each take's ``pose3d`` replaced, atomically.

    Parameters
    ----------
    source, out : Path
        Must differ: an input is never modified.
    points : dict of take id to ndarray (T, J, 3)
        Metres.

    Raises
    ------
    ValueError
        When the copy would not pass the reader; nothing is written then.
    """
    source, out = Path(source), Path(out)
    if out.resolve() == source.resolve():
        raise ValueError(f"{out}: the output must be a new file, not the input session")
    with atomic_output(out) as temporary:
        with h5py.File(source, "r", locking=False) as original, h5py.File(temporary, "w") as handle:
            copy_session(original, handle)
            takes = handle["takes"]
            for take_id, array in points.items():
                group = takes[take_id]
                if "pose3d" in group:
                    del group["pose3d"]
                group.create_dataset("pose3d", data=np.asarray(array, dtype=np.float32))
                _rebase_video_paths(group, source.resolve().parent, out.resolve().parent)
        try:
            validate_session_file(temporary)
        except SessionFormatError as error:
            raise ValueError(f"{source}: its re-triangulated copy would not be a valid session "
                             f"({error.where}: {error.problem})") from None
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
