"""Remembered settings: recent files, last session and take, window layout, moved videos (QSettings)."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "Lucid"
APPLICATION = "Lucid Workstation"
MAX_RECENT = 10


class AppSettings:
    """Typed access to the QSettings store.

    Parameters
    ----------
    settings : QSettings, optional
        Defaults to the user's native store; tests pass an INI file in a temp folder.
    """

    def __init__(self, settings: QSettings | None = None) -> None:
        self._settings = settings or QSettings(ORGANIZATION, APPLICATION)

    def recent_files(self) -> list[Path]:
        values = self._settings.value("recent_files", [], list) or []
        return [Path(v) for v in values if Path(v).is_file()]

    def add_recent_file(self, path: Path) -> None:
        path = Path(path).resolve()
        recent = [p for p in self.recent_files() if p.resolve() != path]
        self._settings.setValue("recent_files", [str(p) for p in ([path] + recent)[:MAX_RECENT]])

    def last_session(self) -> tuple[Path | None, str | None]:
        path = self._settings.value("last_session", "", str)
        take = self._settings.value("last_take", "", str)
        return (Path(path) if path and Path(path).is_file() else None), (take or None)

    def set_last_session(self, path: Path, take_id: str | None) -> None:
        self._settings.setValue("last_session", str(Path(path).resolve()))
        self._settings.setValue("last_take", take_id or "")

    def video_root(self, session_path: Path) -> Path | None:
        """The folder the user found a session's moved camera files in (None if none, or it is gone)."""
        roots = self._video_roots()
        root = roots.get(str(Path(session_path).resolve()))
        return Path(root) if root and Path(root).is_dir() else None

    def set_video_root(self, session_path: Path, folder: Path) -> None:
        """Remember where a session's camera files are: the session opens with them from now on."""
        roots = self._video_roots()
        roots[str(Path(session_path).resolve())] = str(Path(folder).resolve())
        self._settings.setValue("video_roots", json.dumps(roots))

    def _video_roots(self) -> dict[str, str]:
        try:
            roots = json.loads(self._settings.value("video_roots", "{}", str) or "{}")
        except json.JSONDecodeError:
            return {}
        return roots if isinstance(roots, dict) else {}

    def window_layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        return self._settings.value("window_geometry", None), self._settings.value("window_state", None)

    def set_window_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self._settings.setValue("window_geometry", geometry)
        self._settings.setValue("window_state", state)

    def value(self, key: str, default, kind=str):
        return self._settings.value(key, default, kind)

    def set_value(self, key: str, value) -> None:
        self._settings.setValue(key, value)

    def sync(self) -> None:
        self._settings.sync()
