"""Reading a library's scored takes into :class:`models.data.LibraryData`.

The file-reading side of training, fine-tuning and evaluation: the models take
the arrays this builds (numpy in, numpy out) and read no file themselves. A take
whose penalties a coach reviewed (``reviewed_penalties`` in the annotations file
beside its session) is read with the review in place of the file's labels: its
score is 10 minus the deductions kept, its penalty targets and spans the kept items.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.annotations.document import (
    AnnotationsFormatError,
    annotations_path,
    read_annotations,
)
from analysis.annotations.items import ReviewedPenalty
from analysis.penalty_review import reviewed_index, reviewed_penalties
from analysis.session.library import Library
from analysis.session.reader import Session
from app.cli.library_index import scan_library
from models.data import LibraryData
from models.features import JointRoles, take_features


def library_reviews(library: Library) -> dict[tuple[str, str], list[ReviewedPenalty]]:
    """The coach's penalty reviews in a library: (file, take) to its reviewed items, from the annotations
    files beside the sessions (a session without one has none).

    Raises
    ------
    ValueError
        Naming the annotations file that cannot be read, and why.
    """
    reviews: dict[tuple[str, str], list[ReviewedPenalty]] = {}
    for file in sorted(set(library.index["file"])):
        path = annotations_path(library.path_of(file))
        if not path.exists():
            continue
        try:
            items = read_annotations(path).items
        except AnnotationsFormatError as error:
            raise ValueError(f"{error}; fix the file or move it aside to train without its reviews") from None
        for item in items:
            if isinstance(item, ReviewedPenalty):
                reviews.setdefault((file, item.take), []).append(item)
    return reviews


def load_library_data(folder, modality: str, n_steps: int, codes: tuple[str, ...],
                      select: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                      angles: bool = True, use_reviews: bool = True,
                      crops: Callable[[Session, str, int], np.ndarray] | None = None) -> LibraryData:
    """Read the scored takes of a library folder into :class:`LibraryData`.

    ``select``, when given, receives the index of the scored takes (with a
    ``reviewed`` column) and returns the rows to read (e.g. one session's takes and
    the exemplars of their actions). ``modality``, ``n_steps`` and ``angles`` are
    passed to :func:`models.features.take_features` (``pose2d_views`` reads as many
    views as the first take has, and every take must have as many). With
    ``use_reviews``, reviewed takes are read with their review
    (:func:`analysis.penalty_review.reviewed_index`). ``crops``, when given, makes
    each take's video crops ``(S, 3, H, W)`` uint8 from the open session, the take
    id and S (e.g. :class:`analysis.synthetic.athlete_crops.FirstCameraCrops`).

    Raises
    ------
    ValueError
        If the library holds no scored take, its sessions use different skeletons,
        an annotations file cannot be read, or a take lacks the pose the modality
        needs (naming the file and take).
    """
    library = scan_library(folder)
    reviews = library_reviews(library) if use_reviews else {}
    index = reviewed_index(library.index, reviews)
    index = index[np.isfinite(index["score"])]
    index = (index if select is None else select(index)).reset_index(drop=True)
    if index.empty:
        raise ValueError(f"the library {folder} holds no scored take")
    code_position = {code: i for i, code in enumerate(codes)}
    n_takes = len(index)
    features: list = [None] * n_takes
    labels = np.zeros((n_takes, len(codes)), dtype=np.float32)
    spans: list = [None] * n_takes
    clean = np.zeros(n_takes)
    skeleton, roles, n_views = None, None, None
    take_clips: list = [None] * n_takes
    for file, rows in index.groupby("file", sort=False):
        with library.open(file) as session:
            if skeleton is None:
                skeleton, roles = session.skeleton, JointRoles.from_joint_names(session.skeleton.joint_names)
            elif session.skeleton.joint_names != skeleton.joint_names:
                raise ValueError(f"{file} uses skeleton {session.skeleton.name!r}, the library started with {skeleton.name!r}")
            for row in rows.itertuples():
                if crops is not None:
                    take_clips[row.Index] = crops(session, row.take, n_steps)
                pose3d = session.pose3d(row.take) if modality == "pose3d" else None
                pose2d = session.pose2d(row.take) if modality != "pose3d" else None
                if n_views is None:
                    n_views = len(pose2d) if modality == "pose2d_views" else 1
                try:
                    features[row.Index] = take_features(pose3d, pose2d, modality, roles, n_steps, angles, n_views)
                except ValueError as error:
                    raise ValueError(f"{file}: take {row.take}: {error}") from None
                review = reviews.get((row.file, row.take))
                penalties = reviewed_penalties(review) if review else session.penalties(row.take)
                for code in penalties.codes:
                    if code in code_position:
                        labels[row.Index, code_position[code]] = 1.0
                spans[row.Index] = {code: (int(start), int(end))
                                    for code, start, end in zip(penalties.codes, penalties.start, penalties.end)}
                clean[row.Index] = max(0.0, 10.0 - float(np.sum(penalties.values)))
    index = index.assign(sex=index["event"].str[0], clean_score=clean, row=np.arange(n_takes))
    return LibraryData(str(folder), index, np.stack(features), labels, spans, tuple(codes), skeleton,
                       None if crops is None else np.stack(take_clips))
