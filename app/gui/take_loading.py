"""Reading a session file's take for the window, in whichever thread asks (a worker, usually).

Everything here runs before the window switches to the take: the file read in a child
process first (:func:`analysis.session.safe_open.open_session`), opened, and the take's
bundle loaded. What goes wrong becomes an :class:`OpenFailed` naming the file, with the
title of the dialog to show, and whatever was opened for it is closed again. No Qt, so a
worker of :class:`app.gui.workers.WorkerRunner` can run it while the window stays live.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from analysis.motion.kinematics import take_kinematics
from analysis.session.safe_open import open_session
from app.gui.compute_process import ComputeProcess, shared_compute_process
from viewer.model.take_bundle import TakeBundle, load_take_bundle

#: What reading a take of a session that opened may still raise, on data the contract cannot rule out.
TAKE_ERRORS = (SessionFormatError, KeyError, ValueError, IndexError, MemoryError)


class OpenFailed(Exception):
    """A file or take that cannot be shown: the dialog's title and a message naming the file."""

    def __init__(self, title: str, message: str) -> None:
        super().__init__(message)
        self.title = title
        self.message = message


@dataclass(frozen=True, eq=False)
class LoadedTake:
    """A take ready to be shown.

    Attributes
    ----------
    session : Session
        Its session: opened for it when ``opened`` (the window then switches session and
        owns closing it), else the session already shown.
    bundle : TakeBundle
    opened : bool
    """

    session: Session
    bundle: TakeBundle
    opened: bool

    def release(self) -> None:
        """Close the session opened for this take (a load that is no longer wanted)."""
        if self.opened:
            self.session.close()


def load_file(path: Path, take_id: str | None, video_root: Path | None, with_kinematics: bool) -> LoadedTake:
    """Open the session file ``path`` (its camera files looked for in ``video_root``) and load ``take_id``.

    Without ``take_id`` (or when the file has no such take), the first take with video is
    loaded, else the first. ``with_kinematics`` computes the take's kinematics too.

    Raises
    ------
    OpenFailed
        The file is refused, has no takes, or its take cannot be read.
    """
    try:
        session = open_session(path, video_root=video_root, start_method="forkserver")
    except SessionFormatError as error:
        raise OpenFailed("Cannot open session", str(error)) from error
    if not session.takes:
        session.close()
        raise OpenFailed("Cannot open session", f"{path}: the session has no takes")
    if take_id not in session.takes:
        with_video = [take.take_id for take in session.takes.values() if take.video_views]
        take_id = (with_video or list(session.takes))[0]
    try:
        bundle = load_bundle(session, take_id, "Cannot open session", with_kinematics)
    except OpenFailed:
        session.close()
        raise
    return LoadedTake(session, bundle, opened=True)


def load_take(session: Session, take_id: str, with_kinematics: bool) -> LoadedTake:
    """Load ``take_id`` of the open ``session`` (see :func:`load_file`); raises :class:`OpenFailed`."""
    return LoadedTake(session, load_bundle(session, take_id, "Cannot open take", with_kinematics), opened=False)


def load_bundle(session: Session, take_id: str, title: str, with_kinematics: bool) -> TakeBundle:
    """The take's bundle (with its kinematics if asked); :class:`OpenFailed` with ``title`` when it cannot be read."""
    try:
        bundle = load_take_bundle(session, take_id)
        if with_kinematics:
            compute_kinematics(bundle)
        return bundle
    except TAKE_ERRORS as error:
        message = str(error.args[0] if isinstance(error, KeyError) and error.args else error) or type(error).__name__
        raise OpenFailed(title, message if str(session.path) in message else f"{session.path}: {message}") from error


def compute_kinematics(bundle: TakeBundle, compute: ComputeProcess | None = None) -> TakeBundle:
    """Compute ``bundle``'s kinematics in ``compute`` (default: the application's compute process, where
    scipy.signal lives) and keep them in it (see :attr:`TakeBundle.kinematics`); returns the bundle."""
    if not bundle.kinematics_ready:
        bundle.keep_kinematics((compute or shared_compute_process()).run(
            take_kinematics, bundle.pose, bundle.skeleton, bundle.fps, bundle.event))
    return bundle
