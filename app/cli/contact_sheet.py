"""The ``contact-sheet`` command: the 8 views of one frame tiled into a PNG."""

from __future__ import annotations

from pathlib import Path

import cv2

from analysis.render.contact_sheet import contact_sheet
from analysis.session.atomic import write_bytes_atomically
from analysis.session.reader import Session


def write_contact_sheet(path: Path, out: Path, take_id: str | None = None, frame: int | None = None) -> Path:
    """Tile every view of ``frame`` of ``take_id`` into a PNG at ``out``.

    Defaults to the first take with video and its middle frame. Views without
    video are left out; a frame that does not decode shows as a grey tile.
    """
    with Session.open(path) as session:
        if take_id is None:
            with_video = [t for t in session.takes.values() if t.video_views]
            if not with_video:
                raise ValueError(f"{path}: no take has video")
            take_id = with_video[0].take_id
        take = session.take(take_id)
        if not take.video_views:
            raise ValueError(f"{path}: take {take_id!r} has no video")
        index = take.n_frames // 2 if frame is None else frame
        images = [session.frame(take_id, view, index) for view in take.video_views]
        labels = [f"{view}  {take_id}  frame {index}" for view in take.video_views]
    if all(image is None for image in images):
        raise ValueError(f"{path}: /takes/{take_id}/video: no view of frame {index} can be decoded")
    ok, encoded = cv2.imencode(".png", contact_sheet(images, labels))
    if not ok:
        raise ValueError(f"cannot encode the contact sheet for {path}")
    return write_bytes_atomically(out, encoded.tobytes())
