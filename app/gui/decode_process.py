"""A child process that decodes the video grid's frames, so decoding never waits for the window's interpreter.

Decoding a frame of 8 views in a thread of the window's process spends most of
its time waiting for the interpreter lock while the GUI thread paints (each
view's read, decode and conversion takes and gives it back several times), and
the GUI thread waits for it in turn. Here the child opens the session itself,
decodes one frame at a time into a block of shared memory, and the parent copies
the images out (numpy copies without the interpreter lock): the two run on
their own cores.

The child starts from the reader's fork server (in milliseconds, the reader
already imported), opens the session and says it is ready; until then the
caller decodes in its own process, and when the child dies the caller decides
what follows (:class:`app.gui.frame_prefetch.FramePrefetcher` refuses that
frame and starts another child). A frame larger than the shared block comes
back through the pipe instead. While the grid plays, the child also draws the
pose overlays into the views (:mod:`analysis.render.grid_overlays`): the take's
overlay arrays are sent once, then each request names the layers. This module
imports no Qt.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Sequence
from multiprocessing.shared_memory import SharedMemory

import cv2
import numpy as np

from analysis.render.frame_fit import NOT_SHOWN, fit_bgrx
from analysis.render.grid_overlays import GridOverlays, PoseOverlayData, draw_grid_overlays
from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from analysis.session.video_source import decode_image
from app.gui.compute_process import portable_exception

#: Per view, in camera order, the (width, height) to decode at: None for full size, NOT_SHOWN for none.
Sizes = tuple[tuple[int, int] | None, ...]
ViewImages = list[np.ndarray | None]
#: Where each view's image lies in the shared block: (offset in bytes, shape), or None for no image.
Layout = list[tuple[int, tuple[int, ...]] | None]

#: Seconds :meth:`DecodeProcess.close` waits for the child to end before it is killed.
CLOSE_TIMEOUT_S = 2.0
#: Bytes per pixel of a decoded BGRX frame.
BGRX_BYTES = 4
#: Embedded frames the child reads from the file at once per view (a read's lookups cost more than a frame's bytes).
READ_BLOCK = 8


class DecodeProcessDied(RuntimeError):
    """The decode process ended (killed, crashed, or it could not open the session)."""


def decode_view(session: Session, take_id: str, view: str, frame: int,
                size: tuple[int, int] | None, blocks: EncodedBlocks | None = None) -> np.ndarray | None:
    """One view's frame as BGRX ``(h, w, 4)`` uint8 at ``size`` (width, height; None: full size).

    None for a view without video, a view not shown (``size`` is :data:`NOT_SHOWN`)
    and a frame that cannot be decoded. ``blocks`` reads the embedded frames a block at a time.
    """
    if size == NOT_SHOWN:
        return None
    encoded = (blocks or session).encoded_frame(take_id, view, frame)
    if encoded is not None:
        image = decode_image(encoded, at_least=size)
    elif session.has_video(take_id, view):
        image = session.frame(take_id, view, frame)
    else:
        return None
    return None if image is None else fit_bgrx(image, size)


class EncodedBlocks:
    """The current take's embedded frames, read :data:`READ_BLOCK` at a time per view; the last two blocks
    of each view are kept. Not thread-safe: the decoding process's own reads."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._take: str | None = None
        self._blocks: dict[tuple[str, int], list[np.ndarray] | None] = {}   # (view, block) -> frames

    def encoded_frame(self, take_id: str, view: str, frame: int) -> np.ndarray | None:
        """As :meth:`analysis.session.reader.Session.encoded_frame` (a block that fails is read frame by frame)."""
        if take_id != self._take:
            self._take, self._blocks = take_id, {}
        block = frame // READ_BLOCK
        if (view, block) not in self._blocks:
            start = block * READ_BLOCK
            stop = min(start + READ_BLOCK, self._session.take(take_id).n_frames)
            try:
                self._blocks[view, block] = self._session.encoded_frames(take_id, view, start, stop)
            except SessionFormatError:
                return self._session.encoded_frame(take_id, view, frame)   # names the frame that cannot be read
            if len(self._blocks) > 2 * len(self._session.view_names):
                del self._blocks[next(iter(self._blocks))]
        frames = self._blocks[view, block]
        return None if frames is None else frames[frame - block * READ_BLOCK]


def full_frame_bytes(session: Session) -> int:
    """Bytes of one frame of every view at the cameras' full size, BGRX."""
    return sum(camera.width * camera.height * BGRX_BYTES for camera in session.cameras)


class DecodeProcess:
    """The child process, its pipe and the shared block; thread-safe (one frame decoded at a time).

    Parameters
    ----------
    session : Session
        The open session; the child opens the same file (and camera folder) read-only.
    block_bytes : int, optional
        Size of the shared block (default: one frame of every view at full size).
    """

    def __init__(self, session: Session, block_bytes: int | None = None) -> None:
        self._lock = threading.Lock()
        self._ready = False
        self._failed: str | None = None
        self._sent_overlay_data: PoseOverlayData | None = None
        self._memory = SharedMemory(create=True, size=max(1, block_bytes or full_frame_bytes(session)))
        context = multiprocessing.get_context("forkserver")
        self._connection, there = context.Pipe()
        video_root = None if session.video_root is None else str(session.video_root)
        self._process = context.Process(target=serve, name="lucid-decode", daemon=True,
                                        args=(there, str(session.path), video_root, self._memory.name))
        self._process.start()
        there.close()

    @property
    def ready(self) -> bool:
        """Whether the child has opened the session and takes frames (never blocks)."""
        if self._ready or self._failed is not None:
            return self._ready
        with self._lock:
            try:
                if not self._ready and self._failed is None and self._connection.poll():
                    kind, value = self._connection.recv()
                    self._ready = kind == "ready"
                    if not self._ready:
                        self._failed = str(value)
            except (OSError, EOFError):
                self._failed = "the decoding process ended while starting"
        return self._ready

    def decode(self, take_id: str, frame: int, sizes: Sizes | None,
               overlays: GridOverlays | None = None) -> ViewImages:
        """Frame ``frame`` of every view, BGRX ``(h, w, 4)`` uint8 at ``sizes`` (None: full size), in camera order.

        With ``overlays``, they are drawn into the views decoded at a tile's size
        (:func:`analysis.render.grid_overlays.draw_grid_overlays`). Call only once
        :attr:`ready`. An error the child met reading the frame is raised here.

        Raises
        ------
        DecodeProcessDied
            The child ended; it is not restarted.
        """
        with self._lock:
            if not self._ready:
                raise DecodeProcessDied(self._failed or "the decoding process is not ready")
            try:
                layers = None
                if overlays is not None:
                    if overlays.data is not self._sent_overlay_data:
                        self._connection.send(("overlay-data", overlays.data))
                        self._sent_overlay_data = overlays.data
                    layers = (overlays.bones, overlays.detections, overlays.reprojection, overlays.pixel_ratio)
                self._connection.send(("frame", take_id, int(frame), sizes, layers))
                kind, value = self._connection.recv()
            except (OSError, EOFError, ValueError):
                self._ready, self._failed = False, f"the decoding process ended{self._how_it_ended()}"
                raise DecodeProcessDied(self._failed) from None
            if kind == "error":
                raise value
            if kind == "inline":
                return value
            return [None if place is None else self._copy_out(*place) for place in value]

    def _how_it_ended(self) -> str:
        self._process.join(CLOSE_TIMEOUT_S)   # its end shows on the pipe first: wait to read its exit code
        code = self._process.exitcode
        return f" (killed by signal {-code})" if code is not None and code < 0 else ""

    def _copy_out(self, offset: int, shape: Sequence[int]) -> np.ndarray:
        view = np.ndarray(tuple(shape), dtype=np.uint8, buffer=self._memory.buf, offset=offset)
        return view.copy()

    def close(self) -> None:
        """Tell the child to end and free the shared block; returns at once.

        A thread waits for the child to end and kills it after :data:`CLOSE_TIMEOUT_S`
        (waiting here would hold up the window while it switches to another session).
        """
        with self._lock:
            if self._connection.closed:
                return
            self._ready, self._failed = False, self._failed or "closed"
            try:
                self._connection.send(None)
            except (OSError, ValueError):
                pass
            self._connection.close()
            self._memory.close()
            self._memory.unlink()   # the child's mapping lasts until it ends
        threading.Thread(target=_reap, args=(self._process,), name="decode-reaper", daemon=True).start()


def _reap(process) -> None:
    """Wait for ``process`` to end; kill it after :data:`CLOSE_TIMEOUT_S`."""
    process.join(CLOSE_TIMEOUT_S)
    if process.is_alive():
        process.kill()
        process.join()


# ------------------------------------------------------------------ the child
def serve(connection, session_path: str, video_root: str | None, memory_name: str) -> None:
    """The child's loop: open the session, say ``"ready"``, then decode the frames asked until told ``None``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl+C in a terminal is the window's to handle
    cv2.setNumThreads(1)   # one core decodes; OpenCV's own pool would spin on the window's core
    try:
        memory = SharedMemory(name=memory_name)
    except FileNotFoundError:
        return   # the parent closed before this child started
    try:
        session = Session.open(session_path, video_root=video_root)
    except Exception as error:  # noqa: BLE001 - the parent decodes in its own process instead
        memory.close()
        _reply(connection, ("failed", f"{type(error).__name__}: {error}"))
        return
    _reply(connection, ("ready", None))
    overlay_data: PoseOverlayData | None = None
    blocks = EncodedBlocks(session)
    try:
        while True:
            try:
                request = connection.recv()
            except (EOFError, OSError):
                return
            if request is None:
                return
            if request[0] == "overlay-data":
                overlay_data = request[1]
                continue
            _kind, take_id, frame, sizes, layers = request
            overlays = None if layers is None or overlay_data is None else GridOverlays(overlay_data, *layers)
            _reply(connection, _decode_request(session, blocks, memory, take_id, frame, sizes, overlays))
    finally:
        memory.close()
        session.close()


def _decode_request(session: Session, blocks: EncodedBlocks, memory: SharedMemory, take_id: str, frame: int,
                    sizes: Sizes | None, overlays: GridOverlays | None) -> tuple[str, object]:
    """Decode one frame of every view into ``memory``: ``("ok", layout)``, ``("inline", images)`` or ``("error", e)``."""
    views = session.view_names
    try:
        images = [decode_view(session, take_id, view, frame, size, blocks)
                  for view, size in zip(views, sizes or (None,) * len(views))]
        if overlays is not None:
            images = draw_grid_overlays(images, sizes, frame, overlays)
    except Exception as error:  # noqa: BLE001 - raised again in the parent, as if it had decoded the frame
        return "error", portable_exception(error)
    if sum(image.nbytes for image in images if image is not None) > memory.size:
        return "inline", images
    layout: Layout = []
    offset = 0
    for image in images:
        if image is None:
            layout.append(None)
            continue
        np.ndarray(image.shape, np.uint8, buffer=memory.buf, offset=offset)[...] = image
        layout.append((offset, image.shape))
        offset += image.nbytes
    return "ok", layout


def _reply(connection, message: tuple[str, object]) -> None:
    try:
        connection.send(message)
    except (OSError, EOFError):
        pass   # the parent went away: the next recv ends the loop

