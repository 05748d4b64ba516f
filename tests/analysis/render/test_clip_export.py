"""Annotated clip export: videos, cancel, CSV, snapshots, rendering and the ``export`` command."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import pytest

from analysis.motion.alignment import align_takes
from analysis.motion.kinematics import ANGLE_COLUMNS
from analysis.motion.skeleton import LEFT, RIGHT
from analysis.render.clip_export import (
    ExportCancelled,
    OverlayOptions,
    clip_overlays,
    export_clip,
    export_snapshot_png,
    export_take_csv,
)
from analysis.render.clip_render import INFO_BAND_HEIGHT
from analysis.render.drawing import SIDE_BGR
from analysis.render.layouts import NO_VIDEO_BACKGROUND
from analysis.render.overlays import PenaltyTrack
from analysis.render.penalty_strip import (
    CURSOR_COLOUR,
    PENALTY_ROW_HEIGHT,
    ROW_BACKGROUND,
    SEVERITY_COLOURS,
    STRIP_PADDING,
    PenaltyStrip,
)
from analysis.session.reader import Session
from analysis.session.writer import write_session
from app.cli.main import main
from tests.helpers import exemplar_session_data, make_session_data, video_codec_name

# make_session_data: 160x90 views, frame i of take k is a flat grey of value 40 k + i, two penalties on take2.
STRIP_HEIGHT = INFO_BAND_HEIGHT + 2 * STRIP_PADDING + 2 * PENALTY_ROW_HEIGHT


def _read_video(path: Path) -> tuple[int, int, int, list[np.ndarray]]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, image = capture.read()
        if not ok:
            break
        frames.append(image)
    width, height = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)), int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
    capture.release()
    return len(frames), width, height, frames


def _grey(image: np.ndarray) -> float:
    return float(np.median(image))


def _read_png(path: Path) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert image is not None
    return image


@pytest.fixture
def long_session(tmp_path) -> Path:
    return write_session(tmp_path / "session.h5", make_session_data(n_frames=40))


def test_single_view_export_has_the_range_and_size(session_file, tmp_path):
    out = tmp_path / "clip.mp4"
    calls = []
    assert export_clip(session_file, "take2", out, "single", "cam2", start=3, end=10,
                       progress=lambda done, total: calls.append((done, total))) == out
    count, width, height, frames = _read_video(out)
    assert (count, width, height) == (8, 640, 360 + STRIP_HEIGHT)
    assert calls == [(k, 8) for k in range(1, 9)]
    # the video area shows frames 3..10 of take2 (grey 43..50; lossy video shifts dark greys a little)
    greys = [_grey(frame[:360]) for frame in frames]
    assert greys == sorted(greys) and greys[-1] - greys[0] == pytest.approx(7, abs=1.5)
    assert greys[0] == pytest.approx(43, abs=6)


def test_mosaic_export_tiles_the_eight_views_with_a_thread_pool(session_file, tmp_path):
    out = tmp_path / "mosaic.mp4"
    with ThreadPoolExecutor(2) as pool:
        export_clip(session_file, "take2", out, "mosaic", executor=pool)
    count, width, height, frames = _read_video(out)
    assert (count, width, height) == (12, 1920, 540 + STRIP_HEIGHT)
    tiles = [frames[6][r * 270:(r + 1) * 270, c * 480:(c + 1) * 480] for r in range(2) for c in range(4)]
    greys = [_grey(tile) for tile in tiles]
    assert max(greys) - min(greys) <= 1 and greys[0] == pytest.approx(46, abs=6)


def test_compare_shows_the_exemplar_at_its_time_aligned_frame(long_session, tmp_path):
    with Session.open(long_session) as session:
        aligned = align_takes(session.pose3d("take2"), session.pose3d("take1"), session.skeleton).exemplar_frame_for
    out = tmp_path / "compare.mp4"
    export_clip(long_session, "take2", out, "compare", "cam3", start=5, end=24, exemplar=(long_session, "take1"))
    count, width, height, _ = _read_video(out)
    assert (count, width, height) == (20, 1280, 360 + STRIP_HEIGHT)
    for frame in (5, 20, 39):
        png = export_snapshot_png(long_session, "take2", frame, tmp_path / f"c{frame}.png", "compare", "cam3",
                                  exemplar=(long_session, "take1"))
        image = _read_png(png)
        assert _grey(image[:360, :640]) == 40 + frame  # trainee: take2, frame itself
        assert _grey(image[:360, 640:]) == aligned[frame]  # exemplar: take1 at the DTW-matched frame


def test_compare_defaults_to_the_best_exemplar_found_in_the_folder(tmp_path, capsys):
    # The take's own session has an exemplar with footage but a lower score; another has none.
    data = make_session_data()
    own_exemplar = replace(data.takes[0], score=9.9, judge_scores=np.full(5, 9.9, np.float32))
    trainee = write_session(tmp_path / "session.h5", replace(data, takes=[own_exemplar, data.takes[1]]))
    write_session(tmp_path / "a_no_video.h5", exemplar_session_data(seed=3, athlete="A02", score=10.0))
    write_session(tmp_path / "best.h5", exemplar_session_data(seed=4, athlete="A03", score=10.0, video_grey=200))
    out = tmp_path / "compare.mp4"
    export_clip(trainee, "take2", out, "compare")
    count, width, height, frames = _read_video(out)
    assert (count, width, height) == (12, 1280, 360 + STRIP_HEIGHT)
    # the exemplar pane plays best.h5's footage (grey 200), not the take's own session's (grey 0..11)
    assert [_grey(frame[:360, 640:]) for frame in frames] == pytest.approx([200] * 12, abs=6)
    snapshot = tmp_path / "compare.png"
    assert main(["export", str(trainee), "--take", "take2", "--layout", "compare", "--snapshot", str(snapshot),
                 "--frame", "5"]) == 0
    assert "exemplar: best.h5#take1\n" in capsys.readouterr().out
    assert _grey(_read_png(snapshot)[:360, 640:]) == 200


@pytest.mark.parametrize("threads", [0, 2])
def test_a_cancelled_export_leaves_no_file(long_session, tmp_path, threads):
    out = tmp_path / "out" / "clip.mp4"
    out.parent.mkdir()
    polls = []

    def cancelled() -> bool:
        polls.append(1)
        return len(polls) > 5

    with ThreadPoolExecutor(max(threads, 1)) as pool, pytest.raises(ExportCancelled):
        export_clip(long_session, "take2", out, "mosaic", progress=None, cancelled=cancelled,
                    executor=pool if threads else None)
    assert len(polls) == 6
    assert list(out.parent.iterdir()) == []


def test_a_cancelled_export_keeps_the_previous_file(session_file, tmp_path):
    out = tmp_path / "clip.mp4"
    out.write_bytes(b"previous clip")
    with pytest.raises(ExportCancelled):
        export_clip(session_file, "take2", out, cancelled=lambda: True)
    assert out.read_bytes() == b"previous clip"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4", "session.h5"]


def test_a_failing_export_leaves_no_file_and_says_so_in_one_message(session_file, tmp_path, capfd):
    out = tmp_path / "clip.mp4"
    with pytest.raises(ValueError, match="clip.mp4: unknown video codec 'NONE'; expected one of h264, mp4v"):
        export_clip(session_file, "take2", out, codec="NONE")

    def failing(done: int, _total: int) -> None:
        if done == 4:
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        export_clip(session_file, "take2", out, progress=failing)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.h5"]
    assert "FFMPEG" not in capfd.readouterr().err


def test_bad_range_and_view_are_refused_naming_them(session_file, tmp_path):
    with pytest.raises(ValueError, match=r"frames 5\.\.12 are outside take 'take2' \(0\.\.11\)"):
        export_clip(session_file, "take2", tmp_path / "a.mp4", start=5, end=12)
    with pytest.raises(ValueError, match="no view 'cam9'"):
        export_clip(session_file, "take2", tmp_path / "a.mp4", view="cam9")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["session.h5"]


def test_take_csv_has_one_row_per_frame_with_kinematics_score_and_penalties(session_file, tmp_path):
    out = export_take_csv(session_file, "take2", tmp_path / "take2.csv")
    table = pd.read_csv(out)
    assert len(table) == 12 and list(table["frame"]) == list(range(12))
    assert set(ANGLE_COLUMNS) <= set(table.columns) and "com_height_m" in table.columns
    assert table["left_knee_flexion_deg"].notna().all()
    assert list(table["score"]) == pytest.approx([9.6] * 12) and set(table["take"]) == {"take2"}
    assert list(table["penalty_BENT_KNEES"]) == pytest.approx([0.3] * 12)
    assert list(np.flatnonzero(table["penalty_BENT_KNEES_active"])) == [2, 3, 4, 5]
    assert list(np.flatnonzero(table["penalty_LEGS_APART_active"])) == [5, 6, 7, 8]


def test_views_without_video_show_the_coloured_skeleton_on_a_neutral_background(tmp_path):
    path = write_session(tmp_path / "novideo.h5", make_session_data(video_views=0))
    image = _read_png(export_snapshot_png(path, "take1", 3, tmp_path / "snap.png", "single", "cam1"))
    video = image[40:320].reshape(-1, 3).astype(int)  # below the title, above the "no video" note

    def share(colour) -> float:
        return float(np.mean(np.abs(video - colour).sum(axis=1) <= 6))

    assert share(NO_VIDEO_BACKGROUND) > 0.8
    assert share(SIDE_BGR[LEFT]) > 0.0005 and share(SIDE_BGR[RIGHT]) > 0.0005
    bare = _read_png(export_snapshot_png(path, "take1", 3, tmp_path / "bare.png", "single", "cam1",
                                         OverlayOptions(skeleton="none", angle_joints=())))
    assert np.abs(bare[40:320].reshape(-1, 3).astype(int) - NO_VIDEO_BACKGROUND).sum(axis=1).max() <= 6


def test_penalty_strip_bars_cover_the_span_and_the_cursor_moves():
    activity = np.zeros(100)
    activity[20:40] = 1.0
    strip = PenaltyStrip((PenaltyTrack("Bent knees", 0.3, activity),), width=1000, first=0, last=99)
    target = np.empty_like(strip.background)
    strip.draw(target, 70)
    row_middle = STRIP_PADDING + PENALTY_ROW_HEIGHT // 2
    assert tuple(target[row_middle, int(strip.x_of(30))]) == SEVERITY_COLOURS[0.3]
    assert tuple(target[row_middle, int(strip.x_of(10))]) == ROW_BACKGROUND
    assert tuple(target[row_middle, int(strip.x_of(50))]) == ROW_BACKGROUND
    cursor_at_70 = int(round(strip.x_of(70)))
    assert np.abs(target[row_middle, cursor_at_70].astype(int) - CURSOR_COLOUR).sum() <= 12
    strip.draw(target, 90)
    assert tuple(target[row_middle, cursor_at_70]) == ROW_BACKGROUND


class _Prediction:
    score = 7.25
    penalty_codes = ("KNEES", "ARMS")

    def __init__(self, n_frames: int) -> None:
        self.heatmap = np.zeros((2, n_frames))
        self.heatmap[1, 4:8] = 0.9


def test_a_prediction_replaces_the_annotated_score_and_penalties(session_file):
    with Session.open(session_file) as session:
        annotated = clip_overlays(session, "take2", OverlayOptions())
        predicted = clip_overlays(session, "take2", OverlayOptions(), _Prediction(12))
    assert (annotated.score, annotated.score_source) == (pytest.approx(9.6), "annotated")
    assert [t.name for t in annotated.penalties] == ["BENT_KNEES", "LEGS_APART"]
    assert (predicted.score, predicted.score_source) == (7.25, "predicted")
    assert [t.name for t in predicted.penalties] == ["Bent knees", "Bent arms"]
    assert list(np.flatnonzero(predicted.penalties[1].activity)) == [4, 5, 6, 7]


def test_mosaic_of_the_synthetic_session_at_640x360(synthetic_session_file, tmp_path):
    out = tmp_path / "mosaic.mp4"
    with Session.open(synthetic_session_file) as session:
        take = session.take_ids[0]
        n_penalties = max(1, session.take(take).n_penalties)
    with ThreadPoolExecutor(2) as pool:
        export_clip(synthetic_session_file, take, out, "mosaic", start=10, end=19, executor=pool,
                    overlays=OverlayOptions(angle_joints=("left_knee", "right_hip")))
    count, width, height, frames = _read_video(out)
    strip = INFO_BAND_HEIGHT + 2 * STRIP_PADDING + n_penalties * PENALTY_ROW_HEIGHT
    assert (count, width, height) == (10, 1920, 540 + strip + strip % 2)
    assert all(frame[:540].std() > 10 for frame in frames)  # rendered scenes, not blank tiles


# -------------------------------------------------------------------- CLI
def test_cli_exports_a_clip_a_csv_and_a_snapshot(session_file, tmp_path, capsys):
    out, csv, png = tmp_path / "clip.mp4", tmp_path / "take.csv", tmp_path / "frame.png"
    code = main(["export", str(session_file), "--take", "take2", "--out", str(out), "--layout", "mosaic",
                 "--start", "2", "--end", "7", "--csv", str(csv), "--snapshot", str(png), "--frame", "4"])
    assert code == 0
    assert _read_video(out)[:3] == (6, 1920, 540 + STRIP_HEIGHT)
    assert len(pd.read_csv(csv)) == 12
    assert _read_png(png).shape == (540 + STRIP_HEIGHT, 1920, 3)
    assert f"wrote {out} (codec h264)" in capsys.readouterr().out
    assert video_codec_name(out) == "h264"


def test_cli_compare_with_an_explicit_exemplar(session_file, tmp_path, capsys):
    out = tmp_path / "compare.mp4"
    code = main(["export", str(session_file), "--take", "take2", "--out", str(out), "--layout", "compare",
                 "--view", "cam4", "--exemplar", f"{session_file}:take1"])
    assert code == 0 and _read_video(out)[:3] == (12, 1280, 360 + STRIP_HEIGHT)
    assert "exemplar: session.h5#take1\n" in capsys.readouterr().out


def test_cli_bad_file_exits_2_with_one_line_naming_it(tmp_path, capsys):
    bad = tmp_path / "broken.h5"
    bad.write_bytes(b"not a session")
    out = tmp_path / "clip.mp4"
    assert main(["export", str(bad), "--take", "take1", "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: ") and str(bad) in error
    assert not out.exists()


def test_cli_bad_take_and_missing_output_exit_2(session_file, tmp_path, capsys):
    assert main(["export", str(session_file), "--take", "take9", "--out", str(tmp_path / "c.mp4")]) == 2
    assert f"error: {session_file}: /takes: the session has no take 'take9'" in capsys.readouterr().err
    assert main(["export", str(session_file), "--take", "take1"]) == 2
    assert "nothing to export" in capsys.readouterr().err
    assert main(["export", str(session_file), "--take", "take1", "--layout", "compare", "--out",
                 str(tmp_path / "c.mp4"), "--exemplar", "nonsense"]) == 2
    assert "FILE.h5:TAKE" in capsys.readouterr().err
