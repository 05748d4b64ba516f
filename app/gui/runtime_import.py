"""One lock for the worker threads that import the scoring runtime (torch, models.scorer).

The window starts without torch; the first scoring or progress job imports it in its
worker thread. Two threads importing torch's package tree at once can meet a module the
other has only half initialised, so those imports take this lock: the second waits in its
worker, never on the GUI thread.
"""

from __future__ import annotations

import threading

RUNTIME_IMPORT_LOCK = threading.Lock()
