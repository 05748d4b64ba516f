"""Jobs for the compute process tests (module-level, so the child can import them by name)."""

from __future__ import annotations

import os
import time

import numpy as np


def column_sums(array: np.ndarray) -> np.ndarray:
    return array.sum(axis=0)


def count_to(n: int, pause_s: float = 0.0):
    for i in range(n):
        time.sleep(pause_s)
        yield i
    return f"counted to {n}"


def refuse(path: str):
    raise ValueError(f"{path}: not a session file")


class _Unpicklable(Exception):
    def __init__(self, message: str, handle) -> None:
        super().__init__(message)
        self.handle = handle


def refuse_oddly():
    raise _Unpicklable("odd failure", lambda: None)


def die():
    os.kill(os.getpid(), 9)


def own_pid() -> int:
    return os.getpid()
