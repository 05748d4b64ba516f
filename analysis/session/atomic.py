"""Write outputs to a temporary file in the destination folder, then rename into place.

Temporary files are named ``.NAME.PID.RANDOM.tmp`` (plus any suffix a writer
adds), ``PID`` being the writing process. An interrupted write removes its
own; one killed outright (SIGKILL) cannot, so the first write of a process
into a folder removes the temporary files of ``NAME`` left there by
processes that no longer run.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_cleaned: set[tuple[Path, str]] = set()


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On any exception (including KeyboardInterrupt) the temporary file is removed
    and an existing ``path`` is left untouched. The result gets the permissions
    a newly created file would get (the temporary file starts private). A
    missing folder is created.

    Raises
    ------
    OSError
        When ``path`` cannot be written (a folder, a read-only place, a full
        disk): its ``filename`` is ``path`` and its message never names the
        temporary file.
    """
    path = Path(path)
    check_output_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(path)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp",
                                                 dir=path.parent)
    except OSError as error:
        raise _naming(error, path, None) from None
    os.close(descriptor)
    try:
        yield Path(temporary)
        os.chmod(temporary, 0o666 & ~_current_umask())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        if _mentions(error, Path(temporary)):
            raise _naming(error, path, Path(temporary)) from None
        raise
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def check_output_path(path: str | Path) -> None:
    """Refuse, before any work, an output path that names a folder or lies below a file.

    Raises
    ------
    IsADirectoryError, NotADirectoryError
        With ``filename`` the path.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))
    blocking = next((parent for parent in path.parents if parent.exists() and not parent.is_dir()), None)
    if blocking is not None:
        raise NotADirectoryError(errno.ENOTDIR, f"{blocking} is a file, not a folder", str(path))


def remove_stale_temporaries(path: str | Path) -> list[Path]:
    """Remove the temporary files of :func:`atomic_output` for ``path`` whose writer is gone.

    Done once per folder and name in a process. Returns the removed files.
    """
    path = Path(path)
    key = (path.parent.resolve(), path.name)
    if key in _cleaned:
        return []
    _cleaned.add(key)
    pattern = re.compile(re.escape(f".{path.name}.") + r"(\d+)\..+\.tmp")
    removed = []
    for entry in os.scandir(path.parent):
        match = pattern.match(entry.name)
        if match and not _running(int(match.group(1))):
            Path(entry.path).unlink(missing_ok=True)
            removed.append(Path(entry.path))
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mentions(error: OSError, temporary: Path) -> bool:
    return error.filename == str(temporary) or temporary.name in str(error)


def _naming(error: OSError, path: Path, temporary: Path | None) -> OSError:
    """An error of the same kind that names ``path`` instead of the temporary file."""
    reason = error.strerror or str(error)
    if temporary is not None:
        reason = reason.replace(str(temporary), str(path)).replace(temporary.name, path.name)
    if isinstance(error, PermissionError):
        reason = f"cannot write here ({reason})"
    return OSError(error.errno or errno.EIO, reason, str(path))


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_bytes_atomically(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_output(path) as temporary:
        temporary.write_bytes(data)
    return Path(path)


def write_text_atomically(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically and return the path."""
    return write_bytes_atomically(path, text.encode("utf-8"))
