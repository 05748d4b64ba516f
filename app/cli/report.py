"""The ``report`` command: a take's report as one self-contained HTML file or a PDF.

The take is scored by the model (the shipped one unless ``--model``) against
the exemplars of its action in the session's folder, as ``score`` does, and
compared with the best exemplar (``--reference`` names another take, any take
of the action). The markers with their notes and the coach's penalty review
come from the session's annotations file when there is one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.command import EXIT_INTERRUPTED, ProgressBar, add_command
from app.cli.export import parse_take_reference

if TYPE_CHECKING:
    from analysis.render.report import ReportContent
    from analysis.render.report_prediction import ReportPrediction
    from analysis.session.library import Library

REPORT_SUFFIXES = (".html", ".htm", ".pdf")


def add_report_command(commands: argparse._SubParsersAction) -> None:
    """Add ``report`` to the main parser's subcommands."""
    report = add_command(
        commands, "report", _report,
        help="write a take's report (score, penalties with key frames, curves, notes, comparison)",
        description="Write a take's report: the score with the judges' spread and the model's prediction, the "
                    "penalties with a key frame each (faces blurred), the kinematic curves with the penalty spans, "
                    "the markers and notes, and the comparison with the best exemplar. The output's suffix "
                    "chooses the format: one self-contained .html file or an A4 .pdf.")
    report.add_argument("file", type=Path, help="session file (.h5)")
    report.add_argument("--take", required=True, help="take id")
    report.add_argument("--out", required=True, type=Path, help="report.html or report.pdf")
    report.add_argument("--model", type=Path, default=None, help="scoring checkpoint (default: the shipped model)")
    report.add_argument("--exemplars", type=Path, default=None,
                        help="folder of the exemplars the take is scored against and compared with "
                             "(default: the session's folder)")
    report.add_argument("--no-score", action="store_true", help="leave the model's prediction out (no torch needed)")
    report.add_argument("--reference", default=None, metavar="FILE.h5:TAKE",
                        help="take to compare with (default: the best exemplar of the action in the exemplars' folder)")
    report.add_argument("--view", default=None, help="view of every key frame (default: where the athlete looks largest)")
    report.add_argument("--no-anonymize", action="store_true", help="leave the faces in the key frames unblurred")
    report.add_argument("--device", choices=("cpu", "cuda"), default=None, help="device of the model")


def _report(args: argparse.Namespace) -> int:
    """Run ``report``; bad input raises ValueError naming the file (one line, exit 2)."""
    from analysis.annotations.document import annotations_path, read_annotations
    from analysis.render.report import annotations_of_take, build_report
    from analysis.session.library import Library

    if args.out.suffix.lower() not in REPORT_SUFFIXES:
        raise ValueError(f"{args.out}: the report is written as .html or .pdf, not {args.out.suffix or 'no suffix'}")
    markers, reviewed = annotations_of_take(read_annotations(annotations_path(args.file)).items, args.take)
    exemplars = Library.scan(args.file.parent if args.exemplars is None else args.exemplars)
    reference = parse_take_reference(args.reference, "--reference") or _best_reference(exemplars, args.file, args.take)
    prediction = None
    if not args.no_score:
        prediction = predict(args.file, args.take, args.model, exemplars, args.device)
    try:
        with ProgressBar(f"Writing {args.out.name}", "step") as bar:
            content = build_report(args.file, args.take, prediction=prediction, reference=reference, markers=markers,
                                   reviewed=reviewed, view=args.view, anonymize=not args.no_anonymize,
                                   progress=lambda done, total, _message: bar(done, total))
        path = write_report(content, args.out)
    except KeyboardInterrupt:
        print(f"{args.out}: report interrupted, nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except OSError as error:
        raise ValueError(f"{error.filename or args.out}: {error.strerror or error}") from error
    print(f"wrote {path}")
    return 0


def write_report(content: ReportContent, path: Path) -> Path:
    """Write ``content`` as HTML or PDF, by ``path``'s suffix.

    A PDF needs a Qt application: the running one, else an offscreen ``QGuiApplication``
    made for the command (a process that goes on to show widgets must start its
    ``QApplication`` first).
    """
    if path.suffix.lower() != ".pdf":
        from analysis.render.report_html import write_report_html

        return write_report_html(content, path)
    from PySide6.QtGui import QGuiApplication

    from app.gui.report_pdf import write_report_pdf

    application = QGuiApplication.instance()
    if application is None:            # lives while the PDF is written; needs no display
        application = QGuiApplication([sys.argv[0], "-platform", "offscreen"])
    return write_report_pdf(content, path)


def predict(session_path: Path, take_id: str, model: Path | None, library: Library,
            device: str | None) -> ReportPrediction | None:
    """Score the take as ``main.py score`` does, against the exemplars of ``library``; None (with a note)
    when no exemplar of its action is found there."""
    from analysis.exemplars import exemplar_references
    from analysis.render.report_prediction import ReportPrediction
    from analysis.session.reader import Session
    from app.cli.scoring import score_library_take
    from models.scorer import Scorer

    scorer = Scorer.load(model, device=device)
    with Session.open(session_path) as session:
        verdict, rows, not_scored = score_library_take(scorer, library, session, take_id)
    if verdict is None:
        print(f"note: {not_scored} ({library.root}): the report has no predicted score")
        return None
    name = "the shipped model" if model is None else model.name
    return ReportPrediction(verdict.score, tuple(verdict.penalty_codes), verdict.penalty_probabilities,
                            verdict.heatmap, name, tuple(exemplar_references(rows)), verdict.interval,
                            verdict.interval_coverage)


def _best_reference(library: Library, session_path: Path, take_id: str) -> tuple[Path, str] | None:
    from analysis.render.clip_export import best_exemplar

    try:
        return best_exemplar(session_path, take_id, library)
    except ValueError as error:
        print(f"note: {error}: the report has no comparison")
        return None
