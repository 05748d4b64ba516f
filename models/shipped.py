"""Where the shipped scoring model lives (no torch here, so the GUI can ask cheaply)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def default_model_path() -> Path:
    """The checkpoint shipped in ``resources/default_model.pt`` (read-only for the app)."""
    return Path(str(files("resources").joinpath("default_model.pt")))
