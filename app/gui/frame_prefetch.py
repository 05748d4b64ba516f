"""Decode-ahead for the video grid: a bounded frame cache filled by background threads.

The grid asks :meth:`FramePrefetcher.frames` for the frame it is about to
paint; playback names the frames it will show next with
:meth:`FramePrefetcher.decode_ahead`, so they are decoded when their turn
comes, and moves on only to frames for which :meth:`FramePrefetcher.frame_ready`
is true. Decoding runs in a child process (:mod:`app.gui.decode_process`), so it
does not compete with the GUI thread for the interpreter; until the child is
ready a thread pool of this process decodes, and a child that dies is replaced
(the frame it died on is refused). The cache is a least-recently-used map
bounded by bytes, so looped playback of a long take keeps memory flat.

Frames come out as BGRX ``(H, W, 4)`` uint8 (the fourth byte 255): on a
little-endian machine that is the memory layout of ``QImage.Format_RGB32``,
which Qt paints (scaled or not) several times faster than 24-bit BGR. They come
out at the size the grid shows each view at (:func:`analysis.render.frame_fit.fit_bgrx`),
so the GUI thread copies them unscaled; the conversion and the scaling run
here, on the decode threads. While the grid plays it also names the pose
overlays it wants (:class:`analysis.render.grid_overlays.GridOverlays`): they are
drawn into the frames where they are decoded, and are part of a frame's key.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from analysis.render.grid_overlays import GridOverlays, draw_grid_overlays
from analysis.session.contract import SessionFormatError
from analysis.session.reader import Session
from app.gui.decode_process import DecodeProcess, DecodeProcessDied, Sizes, ViewImages, decode_view

log = logging.getLogger(__name__)

#: (take_id, frame, sizes, overlays drawn in or None)
FrameKey = tuple[str, int, Sizes | None, GridOverlays | None]

#: How many times a decoding process that died is replaced; after that, frames are decoded in this process.
MAX_CHILD_RESTARTS = 3
#: Fraction of the cache that decode-ahead may fill, so prefetched frames do not evict each other.
PREFETCH_SHARE = 0.75


class FrameCache:
    """Least-recently-used map ``(take_id, frame, sizes, overlays) -> images``, bounded by total image bytes and frames.

    Parameters
    ----------
    max_bytes : int
        Upper bound of the summed ``nbytes`` of all cached images. A frame larger
        than the whole bound is not cached.
    max_frames : int, optional
        Upper bound of the number of frames held (none by default).
    """

    def __init__(self, max_bytes: int, max_frames: int | None = None) -> None:
        if max_bytes <= 0 or (max_frames is not None and max_frames <= 0):
            raise ValueError(f"the frame cache needs a positive size, got {max_bytes} bytes, {max_frames} frames")
        self.max_bytes = int(max_bytes)
        self.max_frames = max_frames
        self._entries: OrderedDict[FrameKey, tuple[ViewImages, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        """Bytes of image data held now."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: FrameKey) -> bool:
        with self._lock:
            return key in self._entries

    def get(self, key: FrameKey) -> ViewImages | None:
        """The cached images of ``key`` (marked as just used), or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            self._entries.move_to_end(key)
            return entry[0]

    def put(self, key: FrameKey, images: ViewImages) -> None:
        """Store ``images``, evicting the least recently used frames to stay within the bound."""
        size = sum(image.nbytes for image in images if image is not None)
        if size > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous[1]
            self._entries[key] = (images, size)
            self._bytes += size
            while self._bytes > self.max_bytes or (self.max_frames is not None and len(self._entries) > self.max_frames):
                _, (_, evicted) = self._entries.popitem(last=False)
                self._bytes -= evicted

    def drop_other_takes(self, take_id: str) -> None:
        """Forget every frame that does not belong to ``take_id``."""
        with self._lock:
            for key in [key for key in self._entries if key[0] != take_id]:
                self._bytes -= self._entries.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


class FramePrefetcher:
    """Decoded frames of a session's takes, with decode-ahead in the background.

    Parameters
    ----------
    session : Session
        The open session; close the prefetcher before closing the session.
    max_bytes : int
        Bound of the decoded-frame cache (default 300 MB: about 40 frames of
        8 views at 640x360).
    max_frames : int
        Bound of the frames it holds, so frames decoded small for the grid's
        tiles do not fill the bytes over minutes of looped playback.
    decode_threads : int
        Threads of this process that decode views while the child process is
        not ready (or after it died).
    decode_in_child : bool
        Decode in a child process once it is ready (the default); False decodes
        in this process only.

    Notes
    -----
    Thread-safe. :meth:`frames` blocks until the frame is decoded;
    :meth:`decode_ahead` only records what is wanted and returns at once. A
    background planner thread decodes the wanted frames one after another,
    each through the decode pool. A new :meth:`decode_ahead` call replaces the
    wanted list, so work for a frame the user seeked away from is never started,
    and frames decoded for a take that is no longer current are discarded.
    """

    def __init__(self, session: Session, max_bytes: int = 300_000_000, max_frames: int = 64,
                 decode_threads: int = 1, decode_in_child: bool = True) -> None:
        self._session = session
        self._views = tuple(session.view_names)
        self._cache = FrameCache(max_bytes, max_frames)
        self._pool = ThreadPoolExecutor(max_workers=decode_threads, thread_name_prefix="frame-decode")
        self._condition = threading.Condition()
        self._wanted: list[FrameKey] = []
        self._current_take: str | None = None
        self._sizes: Sizes | None = None          # the sizes the grid last asked for: decode-ahead's
        self._overlays: GridOverlays | None = None   # and the overlays it last asked for
        self._in_flight: dict[FrameKey, Future] = {}
        self._frame_bytes = 0
        self._closed = False
        self._child_lock = threading.Lock()
        self._child_restarts = 0
        self._child = self._start_child() if decode_in_child else None
        self._planner = threading.Thread(target=self._plan_loop, name="frame-prefetch", daemon=True)
        self._planner.start()

    # ------------------------------------------------------------------ API
    @property
    def cache(self) -> FrameCache:
        """The decoded-frame cache (read its ``nbytes`` and length to watch memory)."""
        return self._cache

    @property
    def decoding_in_child(self) -> bool:
        """Whether frames are decoded in the child process now (it has started and is alive)."""
        return self._child is not None and self._child.ready

    def frames(self, take_id: str, frame: int, sizes: Sizes | None = None,
               overlays: GridOverlays | None = None) -> ViewImages:
        """Frame ``frame`` of every view of ``take_id``, BGRX uint8 ``(h, w, 4)``, in camera order.

        None stands for a view without video. Returns the cached images when the
        frame was decoded ahead, waits for it when it is being decoded right now,
        and decodes it at once otherwise.

        Parameters
        ----------
        take_id : str
        frame : int
        sizes : tuple, optional
            Per view, the (width, height) device pixels to decode it at
            (:func:`analysis.render.frame_fit.display_size`), None for full size,
            :data:`NOT_SHOWN` for a view not shown. Given, they are also the
            sizes frames are decoded ahead at from now on. Without it, full size.
        overlays : GridOverlays, optional
            Pose overlays drawn into the views asked at a tile's size; with
            ``sizes``, also those of the frames decoded ahead from now on.
        """
        if sizes is not None:
            with self._condition:
                self._sizes = sizes = tuple(sizes)
                self._overlays = overlays
        key = (take_id, int(frame), sizes, overlays)
        images = self._cache.get(key)
        if images is not None:
            return images
        with self._condition:
            pending = self._in_flight.get(key)
        if pending is not None:
            images = pending.result()
        else:
            images = self._decode(key)
        self._cache.put(key, images)
        return images

    def frame_ready(self, take_id: str, frame: int) -> bool:
        """Whether ``frame`` of ``take_id`` is decoded, so :meth:`frames` returns it without waiting."""
        return (take_id, int(frame), self._sizes, self._overlays) in self._cache

    def decode_ahead(self, take_id: str, frames: Sequence[int]) -> None:
        """Decode ``frames`` of ``take_id`` in the background, in this order; returns at once.

        Replaces the frames still wanted from an earlier call. The list is cut
        so the frames fit in a share of the cache once the size of one frame is
        known; frames of other takes are dropped from the cache.
        """
        wanted = [(take_id, int(frame), self._sizes, self._overlays) for frame in dict.fromkeys(frames)]
        wanted = wanted[: int(self._cache.max_frames * PREFETCH_SHARE)]
        if self._frame_bytes:
            wanted = wanted[: int(self._cache.max_bytes * PREFETCH_SHARE) // self._frame_bytes]
        with self._condition:
            if take_id != self._current_take:
                self._current_take = take_id
                self._cache.drop_other_takes(take_id)
            self._wanted = wanted
            self._condition.notify()

    def clear(self) -> None:
        """Forget every decoded frame and all wanted work."""
        with self._condition:
            self._wanted = []
            self._cache.clear()

    def close(self) -> None:
        """Stop the background threads (waits for the frame being decoded)."""
        with self._condition:
            self._closed = True
            self._wanted = []
            self._condition.notify()
        self._planner.join()
        self._pool.shutdown(wait=True)
        if self._child is not None:
            self._child.close()
        self._cache.clear()

    # -------------------------------------------------------------- workers
    def _start_child(self) -> DecodeProcess | None:
        try:
            return DecodeProcess(self._session)
        except (OSError, ValueError) as error:   # no shared memory, no fork server
            log.warning("frames are decoded in the window's process: %s", error)
            return None

    def _decode(self, key: FrameKey) -> ViewImages:
        """Decode all views of one frame, in the child process when it is ready, else in the pool."""
        take_id, frame, sizes, overlays = key
        child = self._child
        images = self._decode_in_child(child, key) if child is not None and child.ready else None
        if images is None:
            futures = [self._pool.submit(decode_view, self._session, take_id, view, frame, size)
                       for view, size in zip(self._views, sizes or (None,) * len(self._views))]
            images = [future.result() for future in futures]
            if overlays is not None:
                images = draw_grid_overlays(images, sizes, frame, overlays)
        size = sum(image.nbytes for image in images if image is not None)
        if size:
            self._frame_bytes = size
        return images

    def _decode_in_child(self, child: DecodeProcess, key: FrameKey) -> ViewImages:
        """The frame from ``child``, the decoding process.

        Raises
        ------
        SessionFormatError
            The child died decoding it (the frame may be what killed it, so it is not decoded here).
            The child is replaced, at most :data:`MAX_CHILD_RESTARTS` times; then frames are decoded here.
        """
        try:
            return child.decode(*key)
        except DecodeProcessDied as died:
            self._replace_child(child, died)
            take_id, frame = key[:2]
            raise SessionFormatError(self._session.path, f"/takes/{take_id}/video",
                                     f"frame {frame} could not be decoded: {died}") from None

    def _replace_child(self, dead: DecodeProcess, died: DecodeProcessDied) -> None:
        with self._child_lock:
            if self._child is not dead:
                return   # another thread replaced it already
            dead.close()
            if self._child_restarts < MAX_CHILD_RESTARTS:
                self._child_restarts += 1
                self._child = self._start_child()
            else:
                log.warning("frames are decoded in the window's process from now on: %s", died)
                self._child = None

    def _next_wanted(self) -> FrameKey | None:
        """Pop the next wanted frame that is not cached yet; None once closed. Call under the condition."""
        while not self._closed:
            while self._wanted:
                key = self._wanted.pop(0)
                if key not in self._cache:
                    return key
            self._condition.wait()
        return None

    def _plan_loop(self) -> None:
        while True:
            with self._condition:
                key = self._next_wanted()
                if key is None:
                    return
                result: Future = Future()
                self._in_flight[key] = result
            try:
                images = self._decode(key)
            except Exception as error:  # noqa: BLE001 - handed to a waiting frames() call, and logged
                log.warning("decode-ahead of frame %d of take %r failed: %s", key[1], key[0], error)
                result.set_exception(error)
                with self._condition:
                    self._in_flight.pop(key, None)
                    self._wanted = []
                continue
            with self._condition:
                self._in_flight.pop(key, None)
                if key[0] == self._current_take:
                    self._cache.put(key, images)
            result.set_result(images)
