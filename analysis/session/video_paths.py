"""Where a session's referenced camera file is, without ever leaving the allowed folder.

A session names its video files by paths relative to its own folder. Those
paths come from whoever wrote the file, so they are treated as untrusted: a
path may only lead to a regular file inside the session's folder tree (or,
when the user chose one, inside that folder). Absolute paths, ``..``
components, symbolic links that lead out of the folder, and devices, pipes or
folders are refused, so a session cannot make the program read
``/etc/passwd``, ``/proc/self/environ`` or ``../outside.avi``.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

_SEPARATORS = re.compile(r"[\\/]")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:")


class VideoPathRefused(ValueError):
    """A referenced video path that may not be read; the message says why."""


class VideoFileMissing(FileNotFoundError):
    """A permitted video path with no file behind it; ``looked_for`` is where it was sought."""

    def __init__(self, looked_for: Path) -> None:
        super().__init__(f"video file not found: {looked_for}")
        self.looked_for = looked_for


def path_parts(relative: str) -> list[str]:
    """The components of a stored relative path (``/`` or ``\\`` separated).

    Raises
    ------
    VideoPathRefused
        If the path is empty, absolute, has a drive letter, holds a NUL
        character or a ``..`` component.
    """
    if "\x00" in relative:
        raise VideoPathRefused("the path holds a NUL character")
    if relative.startswith(("/", "\\")) or _WINDOWS_DRIVE.match(relative):
        raise VideoPathRefused("absolute paths are not allowed; paths are relative to the session's folder")
    parts = [part for part in _SEPARATORS.split(relative) if part not in ("", ".")]
    if ".." in parts:
        raise VideoPathRefused("'..' would leave the session's folder")
    if not parts:
        raise VideoPathRefused("the path is empty")
    return parts


def resolve_inside(folder: Path, parts: list[str]) -> Path:
    """The real path of ``folder/parts...``, which must be a regular file inside ``folder``.

    Raises
    ------
    VideoFileMissing
        If nothing is there (a dangling symbolic link counts as nothing).
    VideoPathRefused
        If a symbolic link leads outside ``folder``, or the file is a device,
        a pipe, a socket or a folder.
    """
    candidate = folder.joinpath(*parts)
    if not candidate.exists():
        raise VideoFileMissing(candidate)
    try:
        real = candidate.resolve(strict=True)
        inside = real.is_relative_to(folder.resolve(strict=True))
        mode = real.stat().st_mode
    except (OSError, RuntimeError) as error:
        raise VideoPathRefused(f"the path cannot be resolved ({error})") from None
    if not inside:
        raise VideoPathRefused(f"a symbolic link leads outside {folder}")
    if not stat.S_ISREG(mode):
        raise VideoPathRefused("not a regular file (a device, a pipe or a folder)")
    return real


def locate_video(relative: str, session_folder: Path, video_root: Path | None = None) -> Path:
    """The real path of a referenced video file.

    Parameters
    ----------
    relative : str
        The path stored in the session (``video/<view>``).
    session_folder : Path
        The folder of the ``.h5`` file; paths resolve inside it.
    video_root : Path, optional
        A folder the user chose instead (the videos were moved): the path
        resolves inside it, and failing that the file's name alone does, so a
        folder holding the files directly works too. Only the file name of an
        absolute or ``..`` path is looked for there.

    Raises
    ------
    VideoPathRefused, VideoFileMissing
    """
    if video_root is None:
        return resolve_inside(session_folder, path_parts(relative))
    try:
        parts = path_parts(relative)
    except VideoPathRefused:
        parts = path_parts(_SEPARATORS.split(relative)[-1])
    try:
        return resolve_inside(video_root, parts)
    except VideoFileMissing:
        if len(parts) == 1:
            raise
    try:
        return resolve_inside(video_root, parts[-1:])
    except VideoFileMissing:
        raise VideoFileMissing(video_root.joinpath(*parts)) from None
