"""Wizard step 6: picking the athlete in every view and frame, and triangulating."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
)

from analysis.geometry.recording_import import triangulate_views
from analysis.geometry.report import per_view_table, summary
from analysis.geometry.robust_triangulation import DEFAULT_THRESHOLD_PX
from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.step_page import StepPage


def _px(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.2f}"


class TriangulationPage(StepPage):
    """Triangulate the athlete robustly; show the mean reprojection errors, kept and all, per view."""

    step = "triangulation"

    def __init__(self, draft: RecordingDraft) -> None:
        super().__init__(draft, "Triangulation", "The athlete is the person the views agree on; views farther "
                                                 "than the threshold from the 3D are left out of each point.")
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(1.0, 200.0)
        self.threshold.setValue(DEFAULT_THRESHOLD_PX)
        self.threshold.setSuffix(" px")
        again = QPushButton("Triangulate")
        again.clicked.connect(self.triangulate)
        form = QFormLayout()
        form.addRow("robust threshold", self.threshold)
        form.addRow("", again)
        self.body.addLayout(form)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["view", "mean error, kept (px)", "mean error, all (px)",
                                              "left out (%)"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.body.addWidget(self.table)

    def initializePage(self) -> None:
        if self.draft.triangulated is None:
            self.triangulate()

    def triangulate(self) -> None:
        """Pick the athlete and triangulate, in the background."""
        draft, threshold = self.draft, self.threshold.value()
        videos = draft.camera_videos()
        infos = {camera: draft.infos[name] for camera, name in zip(videos, self._names(videos))}
        self.run(lambda progress, _cancelled: triangulate_views(draft.synced, videos, infos, threshold, progress,
                                                                str(draft.folder)),
                 self._triangulated, "Triangulating")

    def _names(self, videos) -> list[str]:
        """The cameras page's name of each video in ``videos``."""
        by_path = {path: name for name, path in self.draft.videos.items()}
        return [by_path[path] for path in videos.values()]

    def _triangulated(self, triangulated) -> None:
        self.draft.triangulated = triangulated
        observations = triangulated.result.observations
        views = [camera.name for camera in triangulated.matched.cameras]
        report = summary({"take": observations}, views, self.draft.skeleton.joint_names)
        table = per_view_table(observations, views)
        self.table.setRowCount(len(views))
        for row, (view, line) in enumerate(table.iterrows()):
            cells = (view, _px(line["kept_px"]), _px(line["all_px"]), f"{line['excluded_pct']:.1f}")
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        lines = [f"mean reprojection error: kept {_px(report['mean_reprojection_px'])} px, "
                 f"all {_px(report['mean_reprojection_all_px'])} px; "
                 f"{report['excluded_fraction'] * 100:.1f} % of the views left out as outliers; "
                 f"{triangulated.matched.keypoints.n_frames} frames"]
        if report["empty_joint_frames"]:
            lines.append(f"{report['empty_joint_frames']} joint-frames left empty (fewer than two views agreeing)")
        if triangulated.note:
            lines.append(triangulated.note)
        self.say("\n".join(lines))

    def ready(self) -> bool:
        return self.draft.triangulated is not None
