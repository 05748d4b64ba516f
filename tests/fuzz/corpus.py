"""A seeded corpus of corrupted session files.

``build_corpus(root, count, seed)`` writes small valid base sessions, the
files a corrupted session may point to (:class:`~tests.fuzz.mutations.Outside`),
and ``count`` variants, each a copy of a base with one mutation of
:data:`~tests.fuzz.mutations.MUTATIONS`, in its own folder. The mutations are
taken in turn so every kind is covered; the same ``(count, seed)`` gives the
same files.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import cv2
import h5py
import numpy as np

from analysis.session.writer import write_session
from tests.fuzz.mutations import MUTATIONS, Outside
from tests.helpers import make_session_data

#: Base sessions: (seed, codec) of :func:`tests.helpers.make_session_data`, 2 takes of 6 frames.
BASES = ((0, "png"), (1, "jpg"))
N_FRAMES = 6


@dataclass(frozen=True)
class Variant:
    """One corrupted session.

    Attributes
    ----------
    index : int
    kind : str
        Key of :data:`MUTATIONS`.
    detail : str
        What the mutation did.
    path : Path
        The session file, alone in its folder.
    must_refuse : bool
        The file refers to data outside itself or declares impossible sizes:
        the reader has to refuse it.
    """

    index: int
    kind: str
    detail: str
    path: Path
    must_refuse: bool

    @property
    def name(self) -> str:
        return f"{self.index:05d}-{self.kind}"


@dataclass(frozen=True)
class Corpus:
    """The variants and what they were built from.

    Attributes
    ----------
    root : Path
    exemplars : Path
        A folder holding one valid base session (exemplars for ``score``).
    outside : Outside
    variants : list of Variant
    """

    root: Path
    exemplars: Path
    outside: Outside
    variants: list[Variant]


def write_bases(folder: Path) -> list[Path]:
    """Write the valid base sessions into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return [write_session(folder / f"base{seed}.h5", make_session_data(seed=seed, n_frames=N_FRAMES, codec=codec))
            for seed, codec in BASES]


def write_outside(folder: Path, base: Path) -> Outside:
    """Write the files that corrupted sessions may try to reach into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    video = folder / "outside.avi"
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"MJPG"), 30.0, (160, 90))
    for index in range(N_FRAMES):
        writer.write(np.full((90, 160, 3), 40 * index, np.uint8))
    writer.release()
    raw = folder / "raw.bin"
    np.random.default_rng(0).uniform(0, 100, size=8 * N_FRAMES * 17 * 3).astype(np.float32).tofile(raw)
    session = folder / "other.h5"
    shutil.copyfile(base, session)
    return Outside(video, raw, session)


def make_variant(index: int, kind: str, base: Path, folder: Path, outside: Outside, seed: int) -> Variant:
    """Copy ``base`` into ``folder`` and apply the mutation ``kind`` with its own random generator."""
    mutate, on_hdf5, must_refuse = MUTATIONS[kind]
    rng = np.random.default_rng([seed, index])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "session.h5"
    shutil.copyfile(base, path)
    try:
        if on_hdf5:
            with h5py.File(path, "r+") as handle:
                detail = mutate(rng, handle, outside)
        else:
            detail = mutate(rng, path, outside)
    except (ValueError, KeyError, TypeError, OSError, IndexError) as error:  # h5py refused this random edit
        detail, must_refuse = f"mutation left unfinished ({type(error).__name__}: {error})", False
    return Variant(index, kind, detail, path, must_refuse)


def build_corpus(root: str | Path, count: int, seed: int = 0, kinds: tuple[str, ...] | None = None) -> Corpus:
    """Write ``count`` variants under ``root`` (taking ``kinds``, default all, in turn)."""
    root = Path(root)
    bases = write_bases(root / "bases")
    exemplars = root / "exemplars"
    exemplars.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(bases[0], exemplars / "exemplar.h5")
    outside = write_outside(root / "outside", bases[0])
    kinds = tuple(kinds or MUTATIONS)
    variants = [make_variant(i, kinds[i % len(kinds)], bases[(i // len(kinds)) % len(bases)],
                             root / "variants" / f"{i:05d}", outside, seed)
                for i in range(count)]
    return Corpus(root, exemplars, outside, variants)
