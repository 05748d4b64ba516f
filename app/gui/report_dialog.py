"""File > Report…: write the current take's report as HTML or PDF, in the background, with progress and Cancel.

The report's content (:func:`analysis.render.report.build_report`: key frames,
curves, comparison) is gathered in a worker; the page is then written on the
GUI thread (Qt prints the PDF there). It shows what the workstation shows: the
scoring model's verdict when the take has been scored, the take it is compared
with in the Compare tab (an exemplar or any other take), and the markers, notes
and penalty review of the annotations.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from analysis.penalty_review import ReviewedItem
from analysis.render.report import ReportCancelled, ReportContent, build_report
from analysis.render.report_prediction import ReportPrediction
from app.cli.report import write_report
from app.gui.file_job_dialog import FileJobDialog
from viewer.model.scoring_result import ScoringResult
from viewer.model.state import ViewerState

FORMATS = (("HTML page (one self-contained file)", ".html"), ("PDF (A4)", ".pdf"))
BEST_VIEW = "Where the athlete looks largest"


def scoring_prediction(scoring: ScoringResult) -> ReportPrediction:
    """The scoring panel's verdict as the report shows it."""
    return ReportPrediction(scoring.predicted, scoring.penalty_codes, scoring.probabilities, scoring.heatmap,
                            f"{scoring.model_name} {scoring.model_version}",
                            tuple(f"{e.athlete} {e.take}" for e in scoring.exemplars), scoring.interval,
                            scoring.interval_coverage)


class ReportDialog(FileJobDialog):
    """Write the report of the current take.

    Parameters
    ----------
    state : ViewerState
        The take, its scoring and the take it is compared with.
    markers : sequence of (frame, note)
        The take's markers, from the annotations.
    reviewed : sequence of ReviewedItem, optional
        The coach's review of the take's penalties.

    Signals
    -------
    report_finished(object)
        The written path, or None when cancelled or failed (:attr:`last_error` says why).
    """

    report_finished = Signal(object)
    _progressed = Signal(int, int, str)

    def __init__(self, state: ViewerState, markers: Sequence[tuple[int, str]] = (),
                 reviewed: Sequence[ReviewedItem] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(state, "Report", "writing its report", parent)
        self.markers = tuple(markers)
        self.reviewed = reviewed

        self.format_combo = QComboBox()
        for text, suffix in FORMATS:
            self.format_combo.addItem(text, suffix)
        self.output_edit = QLineEdit(str(self.session_path.parent / f"{self.session_path.stem}_{self.take_id}"
                                                                     f"_report.html"))
        browse = QPushButton("Browse…", clicked=self._choose_output)
        output_row = QHBoxLayout()
        output_row.addWidget(self.output_edit, 1)
        output_row.addWidget(browse)
        self.view_combo = QComboBox()
        self.view_combo.addItem(BEST_VIEW, None)
        for view in state.session.view_names:
            self.view_combo.addItem(view, view)
        self.anonymize_box = QCheckBox("Blur faces in the key frames", checked=True)
        scored = state.scoring is not None
        self.prediction_box = QCheckBox("The model's predicted score and penalties", checked=scored, enabled=scored)
        if not scored:
            self.prediction_box.setToolTip("Score the take first (S)")
        exemplar = state.exemplar
        self.reference_label = QLabel("none (nothing is shown in the Compare tab)" if exemplar is None else
                                      f"{exemplar.athlete} · {exemplar.take.take_id} · {exemplar.path.name}"
                                      + ("" if exemplar.take.info.is_exemplar else "  (not an exemplar)"))

        form = QFormLayout()
        form.addRow("Take", QLabel(f"{self.take_id} — {state.take.info.action_name}"))
        form.addRow("Format", self.format_combo)
        form.addRow("Output", output_row)
        form.addRow("Key frames from", self.view_combo)
        form.addRow("Privacy", self.anonymize_box)
        form.addRow("Include", self.prediction_box)
        form.addRow("Compared with", self.reference_label)
        form.addRow("Markers", QLabel(f"{len(self.markers)} with their notes"))
        form.addRow("Penalties", QLabel(f"as the coach reviewed them ({len(reviewed)} items)" if reviewed
                                        else "as annotated in the session (not reviewed)"))

        self.progress_bar = QProgressBar(minimum=0, maximum=1, value=0)
        self.status_label = QLabel("")
        self.run_button = self.write_button = QPushButton("Write report", clicked=self.start, default=True)
        self.cancel_button = QPushButton("Cancel", clicked=self.cancel, enabled=False)
        self.close_button = QPushButton("Close", clicked=self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        for button in (self.write_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress_bar)
        layout.addLayout(buttons)

        self.format_combo.currentIndexChanged.connect(self._on_format_changed)
        self._progressed.connect(self._show_progress)

    # -------------------------------------------------------------- choices
    def _on_format_changed(self) -> None:
        self.output_edit.setText(str(Path(self.output_edit.text()).with_suffix(self.format_combo.currentData())))

    def _choose_output(self) -> None:
        suffix = self.format_combo.currentData()
        path, _ = QFileDialog.getSaveFileName(self, "Write report", self.output_edit.text(),
                                              f"Report (*{suffix})")
        if path:
            self.output_edit.setText(str(Path(path).with_suffix(suffix)))

    # ---------------------------------------------------------------- work
    def start(self) -> None:
        """Gather the report in a worker; it is written when the content arrives."""
        if self.running:
            return
        out = Path(self.output_edit.text())
        if out.suffix.lower() not in (".html", ".htm", ".pdf"):
            self._finish(None, f"{out.name}: a report is written as .html or .pdf")
            return
        exemplar = self.state.exemplar
        reference = None if exemplar is None else (exemplar.path, exemplar.take.take_id)
        prediction = (scoring_prediction(self.state.scoring)
                      if self.prediction_box.isChecked() and self.state.scoring is not None else None)
        self._begin(f"Writing {out.name}…")
        self.workers.start(_gather, self.session_path, self.take_id, prediction, reference, self.markers,
                           self.reviewed, self.view_combo.currentData(), self.anonymize_box.isChecked(),
                           self._progressed.emit, self._cancel.is_set,
                           returned=lambda content: self._write(content, out), errored=self._on_errored)

    def cancel(self) -> None:
        """Stop gathering the report; nothing is written."""
        self._request_cancel()

    def _show_progress(self, done: int, total: int, message: str) -> None:
        self.progress_bar.setRange(0, total)
        self.progress_bar.setValue(done)
        self.status_label.setText(message)

    def _write(self, content: ReportContent | None, out: Path) -> None:
        if content is None:
            self._finish(None, "Report cancelled; nothing was written.")
            return
        try:
            self._finish(write_report(content, out), None)
        except (OSError, RuntimeError) as error:
            self._finish(None, f"Report failed: {error}")

    def _on_errored(self, error: Exception) -> None:
        self._finish(None, f"Report failed: {error}")

    def _announce(self, path: Path | None) -> None:
        self.report_finished.emit(path)


def _gather(session_path: Path, take_id: str, prediction, reference, markers, reviewed, view, anonymize, progress,
            cancelled) -> ReportContent | None:
    """Worker body: the report's content, or None when cancelled."""
    try:
        return build_report(session_path, take_id, prediction=prediction, reference=reference, markers=markers,
                            reviewed=reviewed, view=view, anonymize=anonymize, progress=progress, cancelled=cancelled)
    except ReportCancelled:
        return None
