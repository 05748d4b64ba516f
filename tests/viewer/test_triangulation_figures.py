"""The inspector's figures match `main.py triangulate`; joints left empty; readout; joint names on the heatmap."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QImage, QPainter

from analysis.catalogue.apparatus import apparatus_for
from analysis.geometry.cameras import project_all
from analysis.motion.skeleton import BODY25
from analysis.session.data import SessionData, TakeData
from analysis.session.reader import Session
from analysis.session.writer import write_session
from analysis.synthetic.rig import make_rig
from app.cli.main import main
from tests.helpers import make_session_data
from viewer.model.state import ViewerState
from viewer.model.take_bundle import load_take_bundle
from viewer.model.take_bundle_ops import retriangulated_bundle
from viewer.widgets.joint_axis import LABEL_POINT_SIZE
from viewer.widgets.triangulation_inspector import HOVER_HINT, TriangulationInspector

THRESHOLD_PX = 15.0


def full_hd_session(seed: int, n_frames: int) -> SessionData:
    """:func:`make_session_data` with one take seen by full-size cameras, 1 px detection noise."""
    data = make_session_data(seed=seed, n_takes=1, n_frames=n_frames, video_views=0)
    rng = np.random.default_rng(seed)
    cameras = make_rig(apparatus_for(data.event), rng)
    take = data.takes[0]
    pixels = project_all(cameras, take.pose3d) + rng.normal(0.0, 1.0, size=take.pose2d.shape[:-1] + (2,))
    take.pose2d[..., :2] = pixels
    return replace(data, cameras=cameras)


@pytest.fixture
def recording_file(tmp_path: Path) -> Path:
    """One take like a real recording: a drifting camera, swapped joints, low-confidence guesses, a stale 3D."""
    data = full_hd_session(seed=4, n_frames=20)
    take = data.takes[0]
    rng = np.random.default_rng(2)
    take.pose2d[2, ..., :2] += 9.0                                # cam3 drifts by 13 px
    swapped = rng.random(take.pose2d.shape[:2]) < 0.1             # left/right swaps in 10 % of frames
    for left, right in data.skeleton.pairs:
        pair = take.pose2d[:, :, [left, right]]
        take.pose2d[:, :, [left, right]] = np.where(swapped[..., None, None], pair[:, :, ::-1], pair)
    guesses = rng.random(take.pose2d.shape[:3]) < 0.1             # far-off guesses below the confidence minimum
    take.pose2d[guesses] = (300.0, 200.0, 0.05)
    take.pose3d = take.pose3d + np.float32(0.05)                  # a 3D from another tool, 5 cm off
    return write_session(tmp_path / "recording.h5", data)


def _cli_report(source: Path, out: Path, *extra: str) -> dict:
    report = out.with_suffix(".json")
    assert main(["triangulate", str(source), "--out", str(out), "--threshold", str(THRESHOLD_PX),
                 "--json", str(report), *extra]) == 0
    return json.loads(report.read_text())


def _inspector_on(qtbot, bundle) -> tuple[TriangulationInspector, ViewerState]:
    state = ViewerState()
    state.set_take(bundle)
    inspector = TriangulationInspector(state)
    qtbot.addWidget(inspector)
    inspector.resize(1100, 420)
    return inspector, state


def _assert_same_figures(inspector: TriangulationInspector, report: dict) -> None:
    shown = inspector.reprojection_means_px()
    assert shown["kept"] == pytest.approx(report["mean_reprojection_px"], abs=1e-4)
    assert shown["all"] == pytest.approx(report["mean_reprojection_all_px"], abs=1e-4)
    assert f"kept {shown['kept']:.2f} px · all {shown['all']:.2f} px" in inspector.summary_text()


def test_the_inspector_shows_the_figures_of_main_py_triangulate(qtbot, recording_file, tmp_path):
    report = _cli_report(recording_file, tmp_path / "out.h5")
    assert report["mean_reprojection_all_px"] > 1.5 * report["mean_reprojection_px"]   # two different figures

    with Session.open(tmp_path / "out.h5") as session:
        inspector, _ = _inspector_on(qtbot, load_take_bundle(session, "take1"))
        _assert_same_figures(inspector, report)

        with Session.open(recording_file) as original:   # the stale 3D of the input reads worse
            inspector.deleteLater()
            stale, _ = _inspector_on(qtbot, load_take_bundle(original, "take1"))
            assert stale.reprojection_means_px()["all"] > report["mean_reprojection_all_px"] + 2.0


def test_re_triangulating_without_a_view_in_the_app_matches_the_command_line(qtbot, recording_file, tmp_path):
    report = _cli_report(recording_file, tmp_path / "out.h5", "--exclude", "cam3")

    with Session.open(recording_file) as session:
        inspector, state = _inspector_on(qtbot, load_take_bundle(session, "take1"))
        state.set_take(retriangulated_bundle(state.take, ("cam3",), inspector.retriangulation_threshold_px()))
        _assert_same_figures(inspector, report)
        written = Session.open(tmp_path / "out.h5")
        with written:
            np.testing.assert_array_equal(state.take.pose3d, written.pose3d("take1"))


def test_joints_seen_by_fewer_than_two_views_after_an_exclusion_are_left_empty_and_reported(qtbot, tmp_path):
    data = make_session_data(seed=5, n_takes=1, n_frames=6, video_views=0)
    pose2d = data.takes[0].pose2d
    pose2d[2:, :, 0] = (np.nan, np.nan, 0.0)        # the nose: only cam1 and cam2 see it, in every frame
    pose2d[2:, :3, 3] = (np.nan, np.nan, 0.0)       # the left ear: the same, in frames 0-2
    path = write_session(tmp_path / "s.h5", data)

    with Session.open(path) as session:
        inspector, state = _inspector_on(qtbot, load_take_bundle(session, "take1"))
        assert "left empty" not in inspector.summary_text()
        state.set_take(retriangulated_bundle(state.take, ("cam2",)))

    assert np.isnan(state.take.pose3d[:, 0]).all() and np.isnan(state.take.pose3d[:3, 3]).all()
    assert np.isfinite(state.take.pose3d[3:, 3]).all() and np.isfinite(state.take.pose3d[:, 5:]).all()
    assert ("2 joints × 6 frames (9 joint-frames) have fewer than 2 views agreeing within 15 px "
            "and were left empty") in inspector.summary_text()
    joints = inspector.table_rows("joint")
    assert joints.loc["nose", "triangulated_pct"] == 0.0 and joints.loc["left_ear", "triangulated_pct"] == 50.0


def test_the_readout_is_cleared_when_the_take_changes(qtbot, tmp_path):
    path = write_session(tmp_path / "s.h5", make_session_data(seed=6, n_takes=2, n_frames=12, video_views=0))
    with Session.open(path) as session:
        inspector, state = _inspector_on(qtbot, load_take_bundle(session, "take1"))
        inspector.heatmap_view.scene().sigMouseMoved.emit(inspector.cell_to_scene(7, 5))
        assert inspector.readout_text().startswith("left_elbow, frame 5 (0.17 s): ")

        state.set_take(load_take_bundle(session, "take2"))

    assert inspector.readout_text() == HOVER_HINT


def body25_session(path: Path) -> Path:
    """A one-take session with OpenPose's 25 joints."""
    cameras = make_session_data(n_takes=0, video_views=0).cameras
    truth = np.random.default_rng(0).uniform([-0.3, -0.2, 0.1], [0.3, 0.2, 1.7], size=(1, 25, 3)).repeat(30, axis=0)
    pixels = project_all(cameras, truth)
    pose2d = np.concatenate([pixels, np.full(pixels.shape[:-1] + (1,), 0.9)], axis=-1).astype(np.float32)
    take = TakeData(take_id="take1", action="MFE-1-01", action_name="Straight jump", pose2d=pose2d,
                    score=float("nan"), is_exemplar=False, pose3d=truth.astype(np.float32))
    return write_session(path, SessionData(event="MFE", level=1, athlete="A01", fps=30.0, skeleton=BODY25,
                                           cameras=cameras, takes=[take]))


def _drawn_joint_labels(inspector: TriangulationInspector) -> list[tuple[float, str]]:
    """Centre height (px) and text of every joint name the heatmap's left axis draws."""
    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = inspector.heatmap_view.joint_axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return sorted((rect.center().y(), text) for rect, _, text in texts if text)


@pytest.mark.parametrize("height, every_name", [(300, False), (900, True)])
def test_joint_names_never_overlap_and_every_joint_can_be_named(qtbot, tmp_path, height, every_name):
    with Session.open(body25_session(tmp_path / "b25.h5")) as session:
        inspector, _ = _inspector_on(qtbot, load_take_bundle(session, "take1"))
    inspector.resize(1100, height)
    inspector.show()
    qtbot.waitExposed(inspector)
    axis = inspector.heatmap_view.joint_axis

    labels = _drawn_joint_labels(inspector)

    assert axis.style["tickFont"].pointSizeF() == LABEL_POINT_SIZE >= 7.5
    gaps = np.diff([y for y, _ in labels])
    assert len(labels) >= 6 and gaps.min() >= axis.line_height_px() - 0.5   # no two names overlap
    assert (len(labels) == 25) == every_name
    for joint in range(25):                                                 # the rest are named on hover
        position = QPointF(axis.sceneBoundingRect().center().x(), inspector.cell_to_scene(joint, 0).y())
        inspector.heatmap_view.scene().sigMouseMoved.emit(position)
        assert inspector.readout_text() == f"{BODY25.joint_names[joint]} (row {joint + 1} of 25)"
