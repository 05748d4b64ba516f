"""Exemplar comparison in the workstation: proposal, DTW-matched tiles, 3D ghost, curves, deviations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest

from analysis.session.library import Library

TIMEOUT_MS = 30000


@pytest.fixture(scope="module")
def library_folder(tmp_path_factory):
    from analysis.synthetic.library_builder import generate_library

    folder = tmp_path_factory.mktemp("compare_library")
    generate_library(folder, seed=2, n_athletes=4, video_takes=2, repetitions=2, levels=(1,), workers=1)
    return folder


@pytest.fixture(scope="module")
def trainee(library_folder):
    """(file, take) of a non-exemplar take with video whose action has an exemplar elsewhere."""
    index = Library.scan(library_folder).index
    row = index[~index["is_exemplar"] & index["has_video"]].iloc[0]
    return row["file"], row["take"]


def _open_with_exemplar(window, qtbot, folder, file, take):
    window.docks["compare"].raise_()  # the comparison tab in front, as a coach would click it
    assert window.open_file(folder / file, take)
    qtbot.waitUntil(lambda: window.state.exemplar is not None, timeout=TIMEOUT_MS)
    return window.state.exemplar


def test_the_proposed_exemplar_is_an_exemplar_of_the_same_action_and_not_the_take(window, qtbot, library_folder,
                                                                                   trainee):
    exemplar = _open_with_exemplar(window, qtbot, library_folder, *trainee)
    take = window.state.take
    assert exemplar.take.info.is_exemplar
    assert exemplar.take.info.action == take.info.action
    assert (exemplar.path.resolve(), exemplar.take.take_id) != ((library_folder / trainee[0]).resolve(), trainee[1])
    assert exemplar.trainee_take_id == take.take_id
    index = Library.scan(library_folder).index
    expected = index[(index["action"] == take.info.action) & index["is_exemplar"]]
    assert len(window.compare.candidate_labels()) == len(expected)
    assert exemplar.athlete in window.compare.candidate_labels()[0]


def test_the_compare_tiles_show_both_takes_at_dtw_matched_frames(window, qtbot, library_folder, trainee):
    exemplar = _open_with_exemplar(window, qtbot, library_folder, *trainee)
    matched = exemplar.alignment.exemplar_frame_for
    n_frames = window.state.n_frames
    frames = [0, n_frames // 4, n_frames // 2, 3 * n_frames // 4, n_frames - 1]
    assert any(matched[f] != f for f in frames)  # the takes differ in timing: identity would be wrong
    for frame in frames:
        window.state.seek(frame)
        qtbot.waitUntil(lambda: window.compare.tiles.displayed_frames() == (frame, int(matched[frame])),
                        timeout=5000)
    window.state.set_playing(True)
    qtbot.waitUntil(lambda: window.state.frame > 10, timeout=10000)
    window.state.set_playing(False)
    stopped = window.state.frame
    qtbot.waitUntil(lambda: window.compare.tiles.displayed_frames() == (stopped, int(matched[stopped])),
                    timeout=5000)


def test_the_tiles_show_the_trainee_video_and_the_exemplar_skeleton(window, qtbot, library_folder, trainee):
    _open_with_exemplar(window, qtbot, library_folder, *trainee)
    window.state.seek(window.state.n_frames // 2)
    qtbot.waitUntil(lambda: window.compare.tiles.displayed_frames() is not None
                    and window.compare.tiles.displayed_frames()[0] == window.state.frame, timeout=5000)
    image = window.compare.tiles.grab().toImage()
    left, right = window.compare.tiles.tile_rects()
    ratio = image.devicePixelRatio()
    for rect in (left, right):
        crop = image.copy(*(int(v * ratio) for v in (rect.x(), rect.y(), rect.width(), rect.height())))
        pixels = np.frombuffer(crop.convertToFormat(crop.Format.Format_RGB888).constBits(), np.uint8)
        assert pixels.std() > 10  # a picture or a skeleton, not a blank tile


def test_both_tiles_frame_the_whole_body_at_every_phase(window, qtbot, library_folder, trainee):
    _open_with_exemplar(window, qtbot, library_folder, *trainee)
    tiles = window.compare.tiles
    left, right = tiles.tile_rects()
    assert left.width() / left.height() > 2.5          # a wide, low tile: where heads and feet were cut off
    n_frames = window.state.n_frames
    heights = []
    for frame in range(0, n_frames, max(1, n_frames // 30)):
        window.state.seek(frame)
        tiles.repaint()
        boxes = tiles.skeleton_boxes()
        for role, tile in (("trainee", left), ("exemplar", right)):
            margin = 0.05 * tile.height()
            inner = tile.adjusted(margin, margin, -margin, -margin)
            assert inner.contains(boxes[role]), (role, frame, boxes[role], tile)
            heights.append(boxes[role].height() / tile.height())
    assert np.median(heights) > 0.4                    # and zoomed in: the athlete is not a speck


def test_the_ghost_skeleton_appears_in_the_3d_view(window, qtbot, library_folder, trainee):
    _open_with_exemplar(window, qtbot, library_folder, *trainee)
    window.docks["compare"].hide()  # give the 3D view the whole right column
    view = window.skeleton_view
    view.set_follow(True)
    window.state.seek(window.state.n_frames // 3)
    qtbot.waitUntil(lambda: view.canvas.size[1] > 300, timeout=5000)
    with_ghost = view.render_image()[..., :3].astype(int)
    exemplar = window.state.exemplar
    window.state.set_exemplar(None)
    without_ghost = view.render_image()[..., :3].astype(int)
    changed = np.abs(with_ghost - without_ghost).sum(axis=-1) > 30
    assert changed.sum() > 200
    # the ghost is green: where it was drawn, green rose more than red
    gain = (with_ghost - without_ghost)[changed]
    assert gain[:, 1].mean() > gain[:, 0].mean()
    window.state.set_exemplar(exemplar)
    again = view.render_image()[..., :3].astype(int)
    assert np.abs(again - with_ghost).sum(axis=-1).max() < 30


def test_any_other_take_of_the_action_can_be_compared_and_is_labelled_as_such(window, qtbot, library_folder,
                                                                              trainee):
    _open_with_exemplar(window, qtbot, library_folder, *trainee)
    compare, state = window.compare, window.state
    others = state.other_takes
    index = Library.scan(library_folder).index
    same_action = index[index["action"] == state.take.info.action]
    assert len(compare.other_take_labels()) == len(others) == len(same_action) - len(compare.candidate_labels()) - 1
    assert len(others) > 0 and not others["is_exemplar"].any()
    assert others["athlete"].iloc[0] == state.session.athlete             # the same athlete's other take first
    assert compare.other_take_labels()[0].endswith("· same athlete")
    compare.choose_other_take(0)
    qtbot.waitUntil(lambda: state.exemplar is not None and state.exemplar.take.take_id == others["take"].iloc[0]
                    and state.exemplar.path.name == Path(others["file"].iloc[0]).name, timeout=TIMEOUT_MS)
    reference = state.exemplar
    assert not reference.is_exemplar and reference.athlete == others["athlete"].iloc[0]
    frame = state.n_frames // 2
    state.seek(frame)
    qtbot.waitUntil(lambda: compare.tiles.displayed_frames() == (frame, reference.exemplar_frame(frame)), timeout=5000)
    assert compare.tiles.captions()[1].startswith(f"OTHER TAKE (not an exemplar) {reference.athlete}")
    assert len(window.curves.exemplar_kinematics) == state.n_frames   # its curves beside the take's, as an exemplar's
    assert state.scoring is None or all(used.take != reference.take.take_id or used.file != others["file"].iloc[0]
                                        for used in state.scoring.exemplars)


def _exemplar_items(curves):
    fills = [item for plot in curves.plot_items() for item in plot.items if isinstance(item, pg.FillBetweenItem)]
    dashed = [item for plot in curves.plot_items() for item in plot.listDataItems()
              if item.opts["pen"] is not None and pg.mkPen(item.opts["pen"]).style() == pg.QtCore.Qt.PenStyle.DashLine]
    return fills, dashed


def test_the_curves_show_the_exemplar_dashed_with_the_gap_shaded(window, qtbot, library_folder, trainee):
    _open_with_exemplar(window, qtbot, library_folder, *trainee)
    curves = window.curves
    fills, dashed = _exemplar_items(curves)
    n_columns = sum(len(plot.listDataItems()) for plot in curves.plot_items()) // 2
    assert len(fills) == len(dashed) == n_columns > 0
    assert len(curves.exemplar_kinematics) == window.state.n_frames
    knee = curves.exemplar_kinematics["left_knee_flexion_deg"].to_numpy()
    assert np.isfinite(knee).mean() > 0.9
    exemplar, plots, take_curves = window.state.exemplar, curves.plot_items(), _take_curves(curves)
    window.state.set_exemplar(None)
    assert _exemplar_items(curves) == ([], [])
    window.state.set_exemplar(exemplar)
    assert [len(items) for items in _exemplar_items(curves)] == [n_columns, n_columns]
    # only the exemplar's curves came and went: the plots and the take's curves were not drawn again
    assert curves.plot_items() == plots and _take_curves(curves) == take_curves
    assert all("exemplar" in plot.titleLabel.text for plot in plots)


def _take_curves(curves):
    _, dashed = _exemplar_items(curves)
    return [item for plot in curves.plot_items() for item in plot.listDataItems() if item not in dashed]


def test_changing_the_take_clears_the_exemplar_and_proposes_a_new_one(window, qtbot, library_folder, trainee):
    first = _open_with_exemplar(window, qtbot, library_folder, *trainee)
    session = window.state.session
    other = next(t for t in session.take_ids if t != trainee[1])
    cleared = []
    window.state.exemplar_changed.connect(lambda exemplar: cleared.append(exemplar is None))
    assert window.controller.open_take(other)
    assert window.state.exemplar is None and cleared[:1] == [True]
    window.compare.tiles.repaint()
    assert window.compare.tiles.displayed_frames() is None
    qtbot.waitUntil(lambda: window.state.exemplar is not None, timeout=TIMEOUT_MS)
    assert window.state.exemplar is not first
    assert window.state.exemplar.trainee_take_id == other
    assert window.state.exemplar.take.info.action == window.state.take.info.action


def test_clicking_a_deviation_row_seeks_to_where_that_joint_differs_most(window, qtbot, library_folder, trainee):
    _open_with_exemplar(window, qtbot, library_folder, *trainee)
    rows = window.compare.deviation_rows()
    assert list(rows["phase"].unique()) == [1, 2, 3]
    last = len(rows) - 1
    window.compare.table.cellClicked.emit(last, 0)
    assert window.state.frame == rows["peak_frame"].iloc[last]
    assert rows["start_frame"].iloc[last] <= window.state.frame < rows["end_frame"].iloc[last]


def test_behind_another_tab_the_comparison_is_filled_only_when_shown(window, qtbot, library_folder, trainee):
    window.docks["curves"].raise_()                    # the curves in front: the compare tab is hidden
    assert window.open_file(library_folder / trainee[0], trainee[1])
    qtbot.waitUntil(lambda: window.state.exemplar is not None, timeout=TIMEOUT_MS)
    assert window.docks["compare"].visibleRegion().isEmpty()
    assert window.compare.table.rowCount() == 0        # a take switch did not fill what nobody sees

    window.docks["compare"].raise_()
    qtbot.waitUntil(lambda: window.compare.table.rowCount() > 0)   # filled as the tab comes to the front
    rows = window.compare.deviation_rows()
    assert len(rows) > 0 and window.compare.table.rowCount() == len(rows)
    assert window.state.exemplar.athlete in window.compare.candidate_labels()[0]
