"""The scoring models the user can choose from: the shipped default and their fine-tuned ones.

Fine-tuned checkpoints live in ``<user data dir>/models`` as
``finetuned-YYYYmmdd-HHMMSS-vN.pt`` (N counts up); the shipped default is never
written. Which model is active is remembered in the settings (``scoring/active_model``);
a remembered file that has disappeared falls back to the default.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs
from psygnal import Signal

from app.gui.settings import APPLICATION, ORGANIZATION, AppSettings
from models.shipped import default_model_path

ACTIVE_KEY = "scoring/active_model"
FINETUNED_PATTERN = re.compile(r"^finetuned-(\d{8}-\d{6})-v(\d+)\.pt$")


def default_models_folder() -> Path:
    """``<user data dir>/models`` (platformdirs), where fine-tuned checkpoints are written."""
    return platformdirs.user_data_path(APPLICATION, ORGANIZATION) / "models"


@dataclass(frozen=True)
class ModelEntry:
    """One selectable scoring model.

    Attributes
    ----------
    path : Path
        Its checkpoint file.
    name : str
        ``default`` for the shipped model, else the file's stem.
    version : str
        ``shipped`` or ``vN`` for the N-th fine-tuned model.
    """

    path: Path
    name: str
    version: str

    @property
    def is_default(self) -> bool:
        return self.version == "shipped"

    @property
    def label(self) -> str:
        """Text for menus and the model combo."""
        if self.is_default:
            return "Default model (shipped)"
        stamp = FINETUNED_PATTERN.match(self.path.name).group(1)
        return f"Fine-tuned {self.version} ({stamp[:4]}-{stamp[4:6]}-{stamp[6:8]} {stamp[9:11]}:{stamp[11:13]})"


class ModelRegistry:
    """Lists the models, names new checkpoints and remembers the active one.

    Parameters
    ----------
    settings : AppSettings
    folder : Path, optional
        Where fine-tuned checkpoints go (default :func:`default_models_folder`).
    default_path : Path, optional
        The shipped checkpoint (default :func:`models.shipped.default_model_path`).

    Signals
    -------
    active_changed(ModelEntry)
    models_changed()
        A model was added.
    """

    active_changed = Signal(object)
    models_changed = Signal()

    def __init__(self, settings: AppSettings, folder: Path | None = None, default_path: Path | None = None) -> None:
        self.settings = settings
        self.folder = Path(folder) if folder is not None else default_models_folder()
        self.default = ModelEntry(Path(default_path) if default_path is not None else default_model_path(),
                                  "default", "shipped")

    def models(self) -> list[ModelEntry]:
        """The default model, then the fine-tuned ones, oldest first."""
        found = []
        if self.folder.is_dir():
            for path in self.folder.iterdir():
                match = FINETUNED_PATTERN.match(path.name)
                if match and path.is_file():
                    found.append((int(match.group(2)), ModelEntry(path, path.stem, f"v{match.group(2)}")))
        return [self.default] + [entry for _, entry in sorted(found, key=lambda item: item[0])]

    def active(self) -> ModelEntry:
        """The remembered active model, or the default when none is remembered or its file is gone."""
        remembered = self.settings.value(ACTIVE_KEY, "", str)
        for entry in self.models():
            if remembered and entry.path == Path(remembered):
                return entry
        return self.default

    def set_active(self, path: str | Path) -> ModelEntry:
        """Make the listed model at ``path`` the active one.

        Raises
        ------
        KeyError
            If no listed model has that file.
        """
        path = Path(path)
        entry = next((e for e in self.models() if e.path == path), None)
        if entry is None:
            raise KeyError(f"no scoring model {path} in {self.folder} (or the shipped default)")
        changed = entry != self.active()
        self.settings.set_value(ACTIVE_KEY, str(entry.path))
        if changed:
            self.active_changed.emit(entry)
        return entry

    def next_path(self) -> Path:
        """Path for a new fine-tuned checkpoint: ``finetuned-<now>-v<N+1>.pt``."""
        versions = [int(e.version[1:]) for e in self.models() if not e.is_default]
        number = max(versions, default=0) + 1
        return self.folder / f"finetuned-{time.strftime('%Y%m%d-%H%M%S')}-v{number}.pt"

    def register(self, path: Path) -> ModelEntry:
        """Announce a checkpoint just written at ``path`` (from :meth:`next_path`)."""
        entry = next((e for e in self.models() if e.path == Path(path)), None)
        if entry is None:
            raise KeyError(f"{path} is not a fine-tuned checkpoint in {self.folder}")
        self.models_changed.emit()
        return entry
