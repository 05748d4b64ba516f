"""The fuzz worker: a long-lived process that runs one job at a time for :mod:`tests.fuzz.harness`.

It imports the application once, caps its own memory, then reads one JSON
request per line on stdin and answers one JSON line on the file descriptor
given as its argument. A job runs a command of ``main.py`` (as the command
line would: a traceback and exit code 1 for an exception that escapes), or
reads a session file through the reader. The job's stdout and stderr (file
descriptors 1 and 2, so output written by C libraries is caught too) go to
the files the request names.

Run as ``python -m tests.fuzz.worker REPLY_FD MEMORY_BYTES``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def _redirected(stdout: str, stderr: str):
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_cli(argv: list[str]) -> dict:
    """Run ``main.py ARGV`` and return its exit code as the interpreter would set it."""
    from app.cli.main import main

    try:
        code = main(argv)
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    except BaseException:  # what escapes main() is what a user would see as a traceback
        traceback.print_exc()
        code = 1
    return {"rc": code}


def read_session(path: str) -> dict:
    """Open a session as the applications do and read every array (and the first and last frames).

    Returns the exit code 0 (read), 2 (refused with SessionFormatError, its
    message on stderr) or 1 (another exception, its traceback on stderr), and
    how many frames decoded, per view path.
    """
    from analysis.session.contract import SessionFormatError
    from analysis.session.safe_open import open_session, read_everything

    decoded: dict[str, int] = {}
    try:
        with open_session(Path(path)) as session:
            read_everything(session)
            for take_id, take in session.takes.items():
                for view in take.video_views:
                    for index in {0, take.n_frames - 1}:
                        if session.frame(take_id, view, index) is not None:
                            key = f"/takes/{take_id}/video/{view}"
                            decoded[key] = decoded.get(key, 0) + 1
    except SessionFormatError as error:
        print(f"error: {error}", file=sys.stderr)
        return {"rc": 2, "decoded": decoded}
    except BaseException:
        traceback.print_exc()
        return {"rc": 1, "decoded": decoded}
    return {"rc": 0, "decoded": decoded}


def serve(reply_fd: int, memory_bytes: int) -> None:
    import torch

    import app.cli.export  # noqa: F401  (imported once, before the cap and the jobs)
    import app.cli.main  # noqa: F401
    import models.scorer  # noqa: F401

    torch.set_num_threads(1)

    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    with os.fdopen(reply_fd, "w", buffering=1) as replies:
        replies.write(json.dumps({"ready": os.getpid()}) + "\n")
        for line in sys.stdin:
            request = json.loads(line)
            with _redirected(request["stdout"], request["stderr"]):
                if request["target"] == "cli":
                    reply = run_cli(request["argv"])
                else:
                    reply = read_session(request["path"])
            replies.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]))
