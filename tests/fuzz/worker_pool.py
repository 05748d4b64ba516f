"""A restartable worker process (:mod:`tests.fuzz.worker`) with a timeout per job."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Seconds a fresh worker may take to import the application.
STARTUP_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class JobResult:
    """What became of one job.

    Attributes
    ----------
    rc : int or None
        Exit code of the job; None when the worker died or timed out.
    death : str or None
        ``"timeout"`` or the signal that killed the worker.
    stdout, stderr : str
    reply : dict
        The worker's answer (empty when it died).
    """

    rc: int | None
    death: str | None
    stdout: str
    stderr: str
    reply: dict


class Worker:
    """One worker process; it is started on first use and restarted after a crash or a timeout.

    Parameters
    ----------
    scratch : Path
        Folder for the jobs' stdout and stderr files.
    memory_bytes : int
        Address-space cap of the worker (``resource.RLIMIT_AS``); 0 for none.
    """

    def __init__(self, scratch: Path, memory_bytes: int) -> None:
        self.scratch = scratch
        self.memory_bytes = memory_bytes
        self.restarts = 0
        self._process: subprocess.Popen | None = None
        self._replies = -1
        self._buffer = b""
        self._closed_pipe = False

    def _start(self) -> None:
        read_end, write_end = os.pipe()
        env = dict(os.environ, TQDM_DISABLE="1")   # progress bars would add lines to every refusal
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.worker", str(write_end), str(self.memory_bytes)],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,),
            cwd=REPO_ROOT, env=env, start_new_session=True)
        os.close(write_end)
        self._replies, self._buffer, self._closed_pipe = read_end, b"", False
        if self._read_reply(STARTUP_TIMEOUT_S) is None:
            raise RuntimeError(f"the fuzz worker did not start (exit code {self._process.poll()})")

    def _read_reply(self, timeout_s: float) -> dict | None:
        deadline = time.monotonic() + timeout_s
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._replies], [], [], left)[0]:
                return None
            chunk = os.read(self._replies, 65536)
            if not chunk:
                self._closed_pipe = True
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def run(self, request: dict, timeout_s: float) -> JobResult:
        """Run one request (see :mod:`tests.fuzz.worker`) and collect its outcome."""
        if self._process is None or self._process.poll() is not None:
            self._start()
        name = f"job{os.getpid()}_{id(self)}"
        stdout, stderr = self.scratch / f"{name}.out", self.scratch / f"{name}.err"
        self._process.stdin.write((json.dumps({**request, "stdout": str(stdout), "stderr": str(stderr)}) + "\n")
                                  .encode())
        self._process.stdin.flush()
        reply = self._read_reply(timeout_s)
        death = None
        if reply is None:
            death = self._stop(timed_out=self._process.poll() is None and not self._closed_pipe)
        texts = [path.read_text(errors="replace") if path.exists() else "" for path in (stdout, stderr)]
        return JobResult(None if reply is None else reply["rc"], death, texts[0], texts[1], reply or {})

    def _stop(self, timed_out: bool) -> str:
        """Kill the worker (and anything it started); name how it ended."""
        process = self._process
        if timed_out:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            death = "timeout"
        else:
            code = process.wait()
            death = signal.Signals(-code).name if code < 0 else f"exit {code}"
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        process.stdin.close()
        os.close(self._replies)
        self._process = None
        self.restarts += 1
        return death

    def close(self) -> None:
        if self._process is not None:
            self._process.stdin.close()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait()
            os.close(self._replies)
            self._process = None
