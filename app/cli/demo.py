"""The built-in demo library: where it lives and how it is made on first use."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_data_dir

from analysis.session.library import Library
from analysis.synthetic.library_builder import generate_library

APP_NAME = "lucid-workstation"
_COMPLETE_MARKER = ".complete"


def default_demo_dir() -> Path:
    """The demo library folder in the user's data directory."""
    return Path(user_data_dir(APP_NAME, appauthor=False)) / "demo-library"


def demo_is_complete(folder: Path) -> bool:
    """True when a generation of ``folder`` ran to the end."""
    return (folder / _COMPLETE_MARKER).is_file()


def ensure_demo(folder: Path | None = None, progress: Callable[[int, int], None] | None = None,
                seed: int = 0) -> Path:
    """Generate the demo library into ``folder`` unless a complete one is there.

    An interrupted earlier generation is discarded and started again.
    """
    folder = folder or default_demo_dir()
    if demo_is_complete(folder):
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    generate_library(folder, seed=seed, progress=progress)
    (folder / _COMPLETE_MARKER).write_text(f"seed={seed}\n")
    return folder


def showcase_session(folder: Path) -> Path:
    """The trainee session of the demo library that carries video (the one opened first)."""
    index = Library.scan(folder).index
    with_video = index[index["has_video"] & ~index["is_exemplar"]]
    if with_video.empty:
        raise FileNotFoundError(f"no session with video in {folder}")
    return folder / with_video["file"].iloc[0]
