"""Fine-tuning the active scoring model on chosen takes: the work a background worker runs.

Thread-agnostic: progress goes to a callback, cancellation comes from a
:class:`threading.Event` checked after every epoch. The new checkpoint is
written (temporary file, then renamed) only when the training completes, so a
cancelled or failed run leaves no file behind.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

TAKE_FILTERS = ("event", "level", "action", "athlete")


class FinetuneCancelled(Exception):
    """The user cancelled the fine-tuning."""


@dataclass(frozen=True)
class FinetuneRequest:
    """What to fine-tune on, and how.

    Attributes
    ----------
    library : Path
        Library folder the takes come from.
    base_model : Path
        Checkpoint to start from (the active model).
    files : tuple of str, optional
        Only takes of these library files (index ``file`` values), e.g. the current session.
    event, level, action, athlete : optional
        Library filter (None means any).
    reviewed_only : bool
        Only the takes whose penalties a coach reviewed (their review stands for the
        file's labels either way: :mod:`app.cli.training_data`).
    epochs : int
    learning_rate : float
    seed : int
    """

    library: Path
    base_model: Path
    files: tuple[str, ...] | None = None
    event: str | None = None
    level: int | None = None
    action: str | None = None
    athlete: str | None = None
    reviewed_only: bool = False
    epochs: int = 5
    learning_rate: float = 1e-3
    seed: int = 0

    def chosen(self, index: pd.DataFrame) -> pd.DataFrame:
        """The library index rows of the chosen takes (``reviewed_only`` needs a ``reviewed`` column)."""
        mask = pd.Series(True, index=index.index)
        if self.reviewed_only:
            mask &= index["reviewed"]
        if self.files is not None:
            mask &= index["file"].isin(self.files)
        for column in TAKE_FILTERS:
            value = getattr(self, column)
            if value is not None:
                mask &= index[column] == value
        return index[mask]

    def with_exemplars(self, index: pd.DataFrame) -> pd.DataFrame:
        """The chosen takes plus the exemplars of their actions (every pair needs one)."""
        chosen = self.chosen(index)
        exemplars = index["is_exemplar"] & index["action"].isin(set(chosen["action"]))
        return index[index.index.isin(chosen.index) | exemplars]


def run_finetune(request: FinetuneRequest, out_path: Path, on_epoch: Callable[[dict], None],
                 cancelled: threading.Event, device: str | None = None) -> Path:
    """Fine-tune ``request.base_model`` on the chosen takes and write the result to ``out_path``.

    Parameters
    ----------
    on_epoch : callable
        Receives each epoch's entry: ``epoch``, ``epochs``, ``loss``,
        ``validation_spearman``, ``pairs_seen``, ``seconds``.
    cancelled : threading.Event
        Set it to stop after the current epoch; nothing is written then.
    device : str, optional
        ``cpu`` or ``cuda``; default CUDA when available.

    Returns
    -------
    Path
        ``out_path``, written atomically.

    Raises
    ------
    FinetuneCancelled
        If ``cancelled`` was set before the checkpoint was written.
    ValueError
        If no scored take matches, or none has an exemplar of its action.
    """
    from analysis.catalogue.penalties import load_penalty_catalogue
    from app.cli.training_data import load_library_data
    from models.checkpoint import load_checkpoint, save_checkpoint
    from models.train import train

    started = time.perf_counter()
    base = load_checkpoint(request.base_model)
    config = replace(base.config, epochs=request.epochs, learning_rate=request.learning_rate,
                     patience=request.epochs)
    data = load_library_data(request.library, config.modality, config.n_steps, tuple(load_penalty_catalogue()),
                             select=request.with_exemplars, angles=config.angles)
    chosen = request.chosen(data.index)
    if chosen.empty or not (chosen["action"].isin(set(data.index.loc[data.index["is_exemplar"], "action"]))).any():
        raise ValueError("no scored take with an exemplar of its action matches the choice: nothing to fine-tune on")
    if cancelled.is_set():
        raise FinetuneCancelled()

    def report(entry: dict) -> None:
        on_epoch(entry)
        if cancelled.is_set():
            raise FinetuneCancelled()

    model = train(data, config, seed=request.seed, device=device, log=lambda _line: None, on_epoch=report,
                  initial=base)
    if cancelled.is_set():
        raise FinetuneCancelled()
    model.metadata["finetune"] = {
        "base_model": str(request.base_model), "library": str(request.library),
        "files": None if request.files is None else list(request.files),
        "filter": {column: getattr(request, column) for column in TAKE_FILTERS},
        "n_chosen_takes": int(len(chosen)), "n_reviewed_takes": int(chosen["reviewed"].sum()),
        "reviewed_only": request.reviewed_only, "epochs": request.epochs, "learning_rate": request.learning_rate,
        "seed": request.seed, "seconds": time.perf_counter() - started,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    return save_checkpoint(out_path, model)
