"""The coach's drawings and markers burned into exported clips and snapshots (``--annotations``)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.annotations.document import (
    AnnotationsDocument,
    annotations_path,
    write_annotations,
)
from analysis.annotations.items import Drawing, Marker
from analysis.render.clip_export import export_clip, export_snapshot_png
from analysis.render.drawings import MARKER_CAPTION_SECONDS, active_marker
from analysis.render.overlays import OverlayOptions
from app.cli.main import main
from tests.helpers import read_video

# make_session_data: 160 x 90 views exported 640 pixels wide (4 output pixels per image pixel), 30 fps, 12 frames.
SCALE = 4
RED, GREEN, BLUE = "#ff2020", "#20ff20", "#2080ff"
BARE = OverlayOptions(skeleton="none", angle_joints=(), score=False, penalties=True, timestamp=False,
                      annotations=True)


def _items() -> tuple:
    return (
        Drawing("take2", "cam1", "line", ((20, 20), (140, 20)), 2, 5, colour=RED),
        Drawing("take2", "cam1", "circle", ((80, 55), (80, 70)), 0, 11, colour=GREEN),
        Drawing("take2", "cam2", "arrow", ((20, 80), (140, 80)), 0, 11, colour=RED),
        Drawing("take2", "cam1", "angle", ((20, 85), (40, 85), (40, 65)), 0, 11, colour=BLUE),
        Marker("take2", 6, "knees bend"),
    )


def _fraction_near(image: np.ndarray, colour: str, tolerance: int = 60) -> np.ndarray:
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return (np.abs(image.astype(int) - (blue, green, red)).sum(axis=-1) < tolerance)


def _snapshot(session_file, tmp_path, frame: int, view: str = "cam1", **kwargs) -> np.ndarray:
    path = export_snapshot_png(session_file, "take2", frame, tmp_path / f"f{frame}{view}.png", "single", view,
                               overlays=BARE, **kwargs)
    return cv2.imread(str(path))


def test_drawings_show_on_their_view_and_frames_at_their_image_position(session_file, tmp_path):
    write_annotations(annotations_path(session_file), AnnotationsDocument(_items()), session_file.name)
    shown = _snapshot(session_file, tmp_path, 3)
    line = _fraction_near(shown[20 * SCALE - 6:20 * SCALE + 7, 30 * SCALE:130 * SCALE], RED)
    assert line.any(axis=0).mean() > 0.95                         # the line runs the whole way along y = 20
    rim = _fraction_near(shown, GREEN)
    ys, xs = np.nonzero(rim)
    radius = np.hypot(xs - 80 * SCALE, ys - 55 * SCALE)
    assert len(xs) > 100 and np.median(radius) == pytest.approx(15 * SCALE, abs=4)
    assert _fraction_near(shown[60 * SCALE:90 * SCALE, 10 * SCALE:50 * SCALE], BLUE).sum() > 100   # the angle
    assert not _fraction_near(shown[75 * SCALE:85 * SCALE], RED).any()    # cam2's arrow is not on cam1
    later = _snapshot(session_file, tmp_path, 8)
    assert not _fraction_near(later[20 * SCALE - 6:20 * SCALE + 7], RED).any()   # the line shows on frames 2..5
    other_view = _snapshot(session_file, tmp_path, 3, "cam2")
    assert _fraction_near(other_view[80 * SCALE - 6:80 * SCALE + 7], RED).any(axis=0).sum() > 90 * SCALE


def test_a_markers_note_shows_from_its_frame_for_a_moment(session_file, tmp_path):
    items = _items()
    marker = items[-1]
    assert active_marker([marker], 5, 30.0) is None
    assert active_marker([marker], 6, 30.0) == (1, marker)
    assert active_marker([marker], 6 + int(MARKER_CAPTION_SECONDS * 30) - 1, 30.0) == (1, marker)
    before = _snapshot(session_file, tmp_path, 5, annotations=items)
    during = _snapshot(session_file, tmp_path, 7, annotations=items)
    caption = slice(360 - 40, 360), slice(0, 200)
    assert not _fraction_near(before[caption], "#c77dff").any()
    assert _fraction_near(during[caption], "#c77dff").sum() > 30
    assert _fraction_near(during[360:], "#c77dff").any()           # its tick on the penalty strip


def test_the_cli_burns_annotations_into_an_h264_clip_and_refuses_a_bad_file(session_file, tmp_path, capsys):
    write_annotations(annotations_path(session_file), AnnotationsDocument(_items()), session_file.name)
    out = tmp_path / "clip.mp4"
    assert main(["export", str(session_file), "--take", "take2", "--out", str(out), "--view", "cam1",
                 "--annotations", "--skeleton", "none", "--angles"]) == 0
    codec, frames = read_video(out)
    assert codec == "h264" and len(frames) == 12
    assert _fraction_near(frames[3][20 * SCALE - 6:20 * SCALE + 7], RED, 90).any(axis=0).mean() > 0.5
    assert not _fraction_near(frames[9][20 * SCALE - 6:20 * SCALE + 7], RED, 90).any(axis=0).mean() > 0.1
    capsys.readouterr()
    annotations_path(session_file).write_text("{ not json", encoding="utf-8")
    assert main(["export", str(session_file), "--take", "take2", "--out", str(tmp_path / "bad.mp4"),
                 "--annotations"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "session.annotations.json" in error and "not valid JSON" in error
    assert not (tmp_path / "bad.mp4").exists()


def test_without_the_option_nothing_is_burned_in(session_file, tmp_path):
    write_annotations(annotations_path(session_file), AnnotationsDocument(_items()), session_file.name)
    out = tmp_path / "plain.mp4"
    export_clip(session_file, "take2", out, view="cam1", overlays=OverlayOptions(skeleton="none", angle_joints=()))
    _, frames = read_video(out)
    assert not _fraction_near(frames[3][20 * SCALE - 6:20 * SCALE + 7], RED, 90).any()
