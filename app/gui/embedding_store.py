"""Exemplar embeddings kept on disk between sessions, per scoring model.

Embedding an exemplar means reading its poses from its session file and a
forward pass; the first take of a session needs K of them. They are kept in the
user cache folder, one small ``.npz`` per exemplar under a folder named after the
model file's SHA-256 (a fine-tuned model gets its own), the file named after the
exemplar's key, which holds its path, take, modality, size and modification time
(:func:`app.cli.scoring.exemplar_key`): a changed exemplar file is embedded again.
Files are written atomically; one that cannot be read is ignored (and rewritten).
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import numpy as np
import platformdirs

from analysis.session.atomic import write_bytes_atomically
from analysis.session.index_cache import APP_NAME


def default_embedding_folder() -> Path:
    """``<user cache>/embeddings``."""
    return platformdirs.user_cache_path(APP_NAME, appauthor=False) / "embeddings"


class EmbeddingStore:
    """Stored exemplar embeddings of the models in ``folder`` (default :func:`default_embedding_folder`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_embedding_folder()
        self._digests: dict[tuple[str, int, int], str] = {}

    def model_digest(self, model_path: Path) -> str:
        """SHA-256 of the checkpoint file (remembered while its size and mtime stay)."""
        status = os.stat(model_path)
        key = (str(Path(model_path).resolve()), status.st_size, status.st_mtime_ns)
        if key not in self._digests:
            self._digests[key] = hashlib.sha256(Path(model_path).read_bytes()).hexdigest()
        return self._digests[key]

    def load(self, model_path: Path, key: str) -> dict[str, np.ndarray] | None:
        """The stored arrays of exemplar ``key`` for this model, or None."""
        try:
            with np.load(self._path(model_path, key), allow_pickle=False) as stored:
                return {name: stored[name] for name in stored.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile):
            return None

    def save(self, model_path: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
        """Store the arrays of exemplar ``key``; a cache that cannot be written is skipped."""
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        try:
            write_bytes_atomically(self._path(model_path, key), buffer.getvalue())
        except OSError:
            pass   # an optimisation only: the next session embeds it again

    def _path(self, model_path: Path, key: str) -> Path:
        name = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
        return self.folder / self.model_digest(model_path)[:32] / f"{name}.npz"
