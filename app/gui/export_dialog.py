"""File > Export clip…: choose layout, view, range and overlays, then export in the background.

The export runs in a superqt worker with a cancel flag; the dialog shows its
progress and a Cancel button. A cancelled or failed export leaves no file.
Also the two quick exports of the File menu: the take's CSV and a snapshot
of the current frame.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from analysis.annotations.items import Drawing, Marker
from analysis.exemplars import exemplar_reference, take_exemplars
from analysis.render.clip_export import (
    ANGLE_JOINTS,
    DEFAULT_CODEC,
    VIDEO_CODECS,
    ExportCancelled,
    OverlayOptions,
    export_clip,
    export_snapshot_png,
    export_take_csv,
)
from analysis.session.contract import SessionFormatError
from app.cli.export import EXPORT_THREADS
from app.gui.file_job_dialog import FileJobDialog
from viewer.model.state import ViewerState

LAYOUT_CHOICES = (("Single view", "single"), ("8-view mosaic", "mosaic"), ("Trainee | exemplar", "compare"))
SKELETON_CHOICES = (("2D detections", "detections"), ("Reprojected 3D", "reprojection"), ("None", "none"))
DEFAULT_ANGLE_JOINTS = ("left_knee", "right_knee")


@dataclass(frozen=True)
class ClipRequest:
    """Everything :func:`analysis.render.clip_export.export_clip` needs, as chosen in the dialog."""

    session_path: Path
    take_id: str
    out_path: Path
    layout: str
    view: str | None
    start: int
    end: int
    overlays: OverlayOptions
    exemplar: tuple[Path, str] | None
    codec: str = DEFAULT_CODEC
    annotations: tuple = ()


def run_clip_request(request: ClipRequest, progress, cancelled) -> Path | None:
    """Export ``request`` (in a worker thread); None when cancelled."""
    with ThreadPoolExecutor(EXPORT_THREADS, thread_name_prefix="export") as pool:
        try:
            return export_clip(request.session_path, request.take_id, request.out_path, request.layout,
                               request.view, request.start, request.end, request.overlays, request.exemplar,
                               progress, cancelled, codec=request.codec, executor=pool,
                               annotations=request.annotations)
        except ExportCancelled:
            return None


class ExportDialog(FileJobDialog):
    """Export the current take as an annotated MP4.

    Parameters
    ----------
    state : ViewerState
        Gives the session, the take, the selected view, the loop range (the default
        time range) and the library whose exemplars the compare layout offers, best
        first; without a library the best exemplar of the session's folder is used.

    Signals
    -------
    export_finished(object)
        The written path, or None when the export was cancelled or failed.
    """

    export_finished = Signal(object)
    _progressed = Signal(int, int)

    def __init__(self, state: ViewerState, parent: QWidget | None = None) -> None:
        super().__init__(state, "Export clip", "exporting a clip", parent)

        self.layout_combo = QComboBox()
        for text, key in LAYOUT_CHOICES:
            self.layout_combo.addItem(text, key)
        self.view_combo = QComboBox()
        self.view_combo.addItems(list(state.session.view_names))
        video_views = state.take.info.video_views
        default_view = state.selected_view or (video_views or state.session.view_names)[0]
        self.view_combo.setCurrentText(default_view)
        self.exemplar_combo = QComboBox()
        choices = self._exemplar_choices()
        if not choices:
            self.exemplar_combo.addItem("Best exemplar in the session's folder", None)
        for label, exemplar in choices:
            self.exemplar_combo.addItem(label, exemplar)

        last_frame = max(0, state.n_frames - 1)
        first, last = state.loop_range
        self.first_spin = QSpinBox(minimum=0, maximum=last_frame, value=first)
        self.last_spin = QSpinBox(minimum=0, maximum=last_frame, value=last if last > first else last_frame)
        range_row = QHBoxLayout()
        range_row.addWidget(self.first_spin)
        range_row.addWidget(QLabel("to"))
        range_row.addWidget(self.last_spin)
        self.range_label = QLabel()
        range_row.addWidget(self.range_label, 1)

        self.skeleton_combo = QComboBox()
        for text, key in SKELETON_CHOICES:
            self.skeleton_combo.addItem(text, key)
        self.angle_boxes = {joint: QCheckBox(label.replace("L ", "Left ").replace("R ", "Right "),
                                             checked=joint in DEFAULT_ANGLE_JOINTS)
                            for joint, (_, label) in ANGLE_JOINTS.items()}
        angles = QGridLayout()
        for k, box in enumerate(self.angle_boxes.values()):
            angles.addWidget(box, k // 2, k % 2)
        self.score_box = QCheckBox("Score", checked=True)
        self.penalty_box = QCheckBox("Penalty strip with cursor", checked=True)
        self.timestamp_box = QCheckBox("Frame and time", checked=True)
        toggles = QHBoxLayout()
        for box in (self.score_box, self.penalty_box, self.timestamp_box):
            toggles.addWidget(box)
        self.anonymize_box = QCheckBox("Blur faces (located from the head keypoints)", checked=False)
        drawn = [item for item in state.annotations.items(self.take_id) if isinstance(item, (Drawing, Marker))]
        self.annotations_box = QCheckBox(f"Drawings and markers ({len(drawn)} on this take)", checked=bool(drawn),
                                         enabled=bool(drawn))
        self.codec_combo = QComboBox()
        for key, codec in VIDEO_CODECS.items():
            self.codec_combo.addItem(codec.label, key)

        folder = self.session_path.parent
        self.output_edit = QLineEdit(str(folder / f"{self.session_path.stem}_{self.take_id}.mp4"))
        browse = QPushButton("Browse…", clicked=self._choose_output)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output_edit, 1)
        output_row.addWidget(browse)

        form = QFormLayout()
        form.addRow("Take", QLabel(f"{self.take_id} — {state.take.info.action_name}"))
        form.addRow("Layout", self.layout_combo)
        form.addRow("View", self.view_combo)
        form.addRow("Exemplar", self.exemplar_combo)
        form.addRow("Frames", range_row)
        form.addRow("Skeleton", self.skeleton_combo)
        form.addRow("Angles at", angles)
        form.addRow("Show", toggles)
        form.addRow("Privacy", self.anonymize_box)
        form.addRow("Burn in", self.annotations_box)
        form.addRow("Codec", self.codec_combo)
        form.addRow("Output", output_row)

        self.progress_bar = QProgressBar(minimum=0, maximum=1, value=0)
        self.status_label = QLabel("")
        self.run_button = self.export_button = QPushButton("Export", clicked=self.start_export, default=True)
        self.cancel_button = QPushButton("Cancel", clicked=self.cancel_export, enabled=False)
        self.close_button = QPushButton("Close", clicked=self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addLayout(buttons)

        self.layout_combo.currentIndexChanged.connect(self._update_enabled)
        self.first_spin.valueChanged.connect(self._update_range_label)
        self.last_spin.valueChanged.connect(self._update_range_label)
        self._progressed.connect(self._show_progress)
        self._update_enabled()
        self._update_range_label()

    # -------------------------------------------------------------- choices
    def _exemplar_choices(self) -> list[tuple[str, tuple[Path, str]]]:
        """The exemplars of the take in the state's library, best first (the first is the default)."""
        library, take = self.state.library, self.state.take
        if library is None:
            return []
        rows = take_exemplars(library, self.session_path, self.take_id, take.info.action, self.state.session.event)
        return [(f"{row.athlete} · {exemplar_reference(row.file, row.take)} · {row.score:.2f}",
                 (library.path_of(row.file), row.take)) for row in rows.itertuples()]

    def _update_enabled(self) -> None:
        layout = self.layout_combo.currentData()
        self.view_combo.setEnabled(layout != "mosaic")
        self.exemplar_combo.setEnabled(layout == "compare")

    def _update_range_label(self) -> None:
        count = self.last_spin.value() - self.first_spin.value() + 1
        fps = self.state.fps
        self.range_label.setText(f"{count} frames, {count / fps:.2f} s" if count > 0 else "empty range")

    def _choose_output(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export clip", self.output_edit.text(), "MP4 video (*.mp4)")
        if path:
            self.output_edit.setText(path if path.lower().endswith(".mp4") else f"{path}.mp4")

    def request(self) -> ClipRequest:
        """The export the dialog's fields describe."""
        overlays = OverlayOptions(
            skeleton=self.skeleton_combo.currentData(),
            angle_joints=tuple(joint for joint, box in self.angle_boxes.items() if box.isChecked()),
            score=self.score_box.isChecked(), penalties=self.penalty_box.isChecked(),
            timestamp=self.timestamp_box.isChecked(), anonymize=self.anonymize_box.isChecked(),
            annotations=self.annotations_box.isChecked())
        layout = self.layout_combo.currentData()
        return ClipRequest(
            session_path=self.session_path, take_id=self.take_id, out_path=Path(self.output_edit.text()),
            layout=layout, view=None if layout == "mosaic" else self.view_combo.currentText(),
            start=self.first_spin.value(), end=self.last_spin.value(), overlays=overlays,
            exemplar=self.exemplar_combo.currentData() if layout == "compare" else None,
            codec=self.codec_combo.currentData(), annotations=tuple(self.state.annotations.items(self.take_id)))

    # --------------------------------------------------------------- export
    def start_export(self) -> None:
        """Start the export in a worker; progress and the result arrive as signals."""
        if self.running:
            return
        if self.first_spin.value() > self.last_spin.value():
            self._finish(None, "The first frame is after the last one.")
            return
        request = self.request()
        self.progress_bar.setRange(0, request.end - request.start + 1)
        self.progress_bar.setValue(0)
        self._begin(f"Exporting {request.out_path.name}…")
        self.workers.start(run_clip_request, request, self._progressed.emit, self._cancel.is_set,
                           returned=self._on_returned, errored=self._on_errored)

    def cancel_export(self) -> None:
        """Ask the running export to stop; it removes its temporary file."""
        self._request_cancel()

    def _show_progress(self, done: int, total: int) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)

    def _on_returned(self, path: Path | None) -> None:
        self._finish(path, None if path is not None else "Export cancelled; nothing was written.")

    def _on_errored(self, error: Exception) -> None:
        self._finish(None, f"Export failed: {error}")

    def _announce(self, path: Path | None) -> None:
        self.export_finished.emit(path)


# ---------------------------------------------------------- quick exports
def export_take_csv_interactively(parent: QWidget, state: ViewerState) -> Path | None:
    """Ask where to save the current take's CSV (kinematics, score, penalties per frame) and write it.

    The kinematics are the take's, computed once when it was loaded (those the curves show).
    """
    if state.session is None or state.take is None:
        return None
    default = state.session.path.parent / f"{state.session.path.stem}_{state.take.take_id}.csv"
    path, _ = QFileDialog.getSaveFileName(parent, "Export take CSV", str(default), "CSV (*.csv)")
    if not path:
        return None
    take = state.take
    return _reporting_errors(parent, lambda: export_take_csv(state.session.path, take.take_id, path,
                                                             kinematics=take.kinematics))


def save_snapshot_interactively(parent: QWidget, state: ViewerState) -> Path | None:
    """Save the current frame with its overlays as PNG: the selected view, or the mosaic without one."""
    if state.session is None or state.take is None:
        return None
    frame = state.frame
    default = state.session.path.parent / f"{state.session.path.stem}_{state.take.take_id}_{frame}.png"
    path, _ = QFileDialog.getSaveFileName(parent, "Snapshot PNG", str(default), "PNG (*.png)")
    if not path:
        return None
    layout = "mosaic" if state.selected_view is None else "single"
    return _reporting_errors(parent, lambda: export_snapshot_png(
        state.session.path, state.take.take_id, frame, path, layout, state.selected_view))


def _reporting_errors(parent: QWidget, export) -> Path | None:
    try:
        return export()
    except (SessionFormatError, OSError, ValueError, KeyError) as error:
        QMessageBox.warning(parent, "Export failed", str(error))
        return None
