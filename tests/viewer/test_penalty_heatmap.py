"""The penalty heatmap shows each new verdict on its one plot: names, image and cursor of that verdict."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from viewer.model.scoring_result import ScoringResult
from viewer.widgets.penalty_heatmap import PenaltyHeatmap


def verdict(names: tuple[str, ...], probabilities: list[float], n_frames: int, seed: int) -> ScoringResult:
    rng = np.random.default_rng(seed)
    return ScoringResult(take_id=f"t{seed}", predicted=9.0, exemplars=(), penalty_codes=tuple(n.upper() for n in names),
                         penalty_names=names, probabilities=np.asarray(probabilities),
                         heatmap=rng.random((len(names), n_frames)), joint_responsibility=np.zeros(17),
                         model_name="m", model_version="1")


def test_each_verdict_is_drawn_anew_on_the_same_plot_and_none_hides_it(qtbot):
    heatmap = PenaltyHeatmap(dragged=lambda _line: None, clicked=lambda _x: None)
    qtbot.addWidget(heatmap)
    first = verdict(("Bent knees", "Arm position"), [0.2, 0.9], 30, seed=1)
    heatmap.show_scoring(first, float, 3.0)
    plot = heatmap.plot
    assert heatmap.row_names() == ["Arm position", "Bent knees"] and not heatmap.isHidden()
    heatmap.show_scoring(None, float, 0.0)
    assert heatmap.plot is None and heatmap.cursor is None and heatmap.isHidden()
    second = verdict(("Hip pike", "Trunk lean", "Head position"), [0.7, 0.1, 0.4], 50, seed=2)
    heatmap.show_scoring(second, float, 7.0)
    assert heatmap.plot is plot and not heatmap.isHidden()
    assert heatmap.row_names() == ["Hip pike", "Head position", "Trunk lean"]
    images = [item for item in plot.items if isinstance(item, pg.ImageItem)]
    cursors = [item for item in plot.items if isinstance(item, pg.InfiniteLine)]
    assert len(images) == 1 and images[0].image.shape == (50, 3)      # only this verdict's image
    assert cursors == [heatmap.cursor] and heatmap.cursor.value() == 7.0
    ticks = [label for _, label in plot.getAxis("left")._tickLevels[0]]
    assert ticks == ["Trunk lean", "Head position", "Hip pike"]         # bottom to top: most probable on top
