"""A take's report as one self-contained HTML page (pure: content in, text out).

The pictures go inline as ``data:`` URIs, so the page is a single file that
opens anywhere, offline. The markup keeps to what Qt's rich-text engine also
lays out (tables, images with their size, headings, simple CSS), so the PDF
writer (``app/gui/report_pdf.py``) prints the same page.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape
from pathlib import Path

import numpy as np

from analysis.motion.deviations import deviation_cells
from analysis.render.report import ReportContent, ReportImage, ReportPenalty
from analysis.score_interval import interval_text
from analysis.session.atomic import write_text_atomically

#: Display widths of the pictures, CSS pixels (an A4 page with margins holds about 700).
CURVES_WIDTH = 660
KEY_FRAME_WIDTH = 215
KEY_FRAMES_PER_ROW = 3
STATUS_WORDS = {"annotated": "annotated", "confirmed": "confirmed by the coach", "edited": "edited by the coach",
                "added": "added by the coach", "predicted": "predicted by the model"}
STYLE = """
body { font-family: 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; font-size: 10pt; color: #1d2128;
       max-width: 680px; }
h1 { font-size: 17pt; margin-bottom: 2px; }
h2 { font-size: 12.5pt; margin-top: 18px; margin-bottom: 6px; color: #1d2128; border-bottom: 1px solid #d0d4da; }
table { border-collapse: collapse; }
th { text-align: left; background-color: #eef0f3; font-weight: 600; }
th, td { padding: 3px 8px; border: 1px solid #d0d4da; vertical-align: top; }
td.number { text-align: right; }
table.facts td { border: none; padding: 1px 12px 1px 0; }
table.frames td { border: none; padding: 0 8px 8px 0; }
.muted { color: #6b7280; }
.score { font-size: 20pt; font-weight: 700; }
.caption { font-size: 8.5pt; color: #4b5563; }
"""


def data_uri(image: ReportImage) -> str:
    """The picture as a ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(image.png).decode("ascii")


def _image(image: ReportImage, width: int, source: Callable[[ReportImage], str]) -> str:
    shown = min(width, image.width)
    height = round(shown * image.height / image.width)
    return (f'<img src="{source(image)}" width="{shown}" height="{height}" '
            f'alt="{escape(image.caption)}">')


def _span(penalty: ReportPenalty, fps: float) -> str:
    if not 0 <= penalty.start < penalty.end:
        return '<span class="muted">unknown</span>'
    return f"{penalty.start}–{penalty.end - 1} ({penalty.start / fps:.2f}–{(penalty.end - 1) / fps:.2f} s)"


def _score_rows(content: ReportContent) -> list[str]:
    rows = []
    score = content.annotated_score
    rows.append(("Annotated (judges' mean)", "–" if not np.isfinite(score) else f"{score:.2f}"))
    judges = content.judge_scores[np.isfinite(content.judge_scores)]
    if len(judges):
        rows.append(("Judges", f"{len(judges)}: {', '.join(f'{j:.2f}' for j in judges)}; spread "
                               f"{judges.min():.2f}–{judges.max():.2f}, σ {judges.std():.2f}"))
    if content.prediction is not None:
        prediction = content.prediction
        used = ", ".join(prediction.exemplars)
        interval = interval_text(prediction.interval, prediction.interval_coverage)
        rows.append(("Predicted by the model", f"{prediction.score:.2f} {interval}  <span class=\"muted\">"
                                               f"{escape(prediction.model)}"
                                               + (f"; compared with {escape(used)}" if used else "") + "</span>"))
    if content.reviewed_score is not None:
        rows.append(("Reviewed by the coach", f"{content.reviewed_score:.2f}  <span class=\"muted\">10 − the "
                                              f"deductions the coach kept</span>"))
    return [f"<tr><th>{escape(label)}</th><td>{value}</td></tr>" for label, value in rows]


def _penalty_section(content: ReportContent, source: Callable[[ReportImage], str]) -> list[str]:
    parts = [f"<h2>Penalties <span class=\"muted\">({escape(content.penalty_source)})</span></h2>"]
    if not content.penalties:
        parts.append("<p>No penalty.</p>")
        return parts
    parts.append('<table width="100%"><tr><th>#</th><th>Item</th><th>Deduction</th><th>Frames</th>'
                 '<th>Model probability</th><th>Status</th></tr>')
    for p in content.penalties:
        deduction = "–" if p.deduction is None else f"−{p.deduction:.1f}"
        probability = "–" if p.probability is None else f"{100 * p.probability:.0f} %"
        parts.append(f'<tr><td class="number">{p.number}</td><td>{escape(p.name)} <span class="muted">'
                     f'{escape(p.code)}</span></td><td class="number">{deduction}</td><td>{_span(p, content.fps)}</td>'
                     f'<td class="number">{probability}</td><td>{escape(STATUS_WORDS.get(p.status, p.status))}'
                     f'</td></tr>')
    parts.append("</table>")
    pictured = [p for p in content.penalties if p.image is not None]
    if pictured:
        parts.append('<p class="muted">Key frames: where the model sees each fault most '
                     '(its heatmap\'s peak within the span), with the skeleton and the angles concerned.</p>')
        parts.append('<table class="frames">')
        for start in range(0, len(pictured), KEY_FRAMES_PER_ROW):
            cells = "".join(f"<td>{_image(p.image, KEY_FRAME_WIDTH, source)}</td>"
                            for p in pictured[start:start + KEY_FRAMES_PER_ROW])
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    return parts


def _comparison_section(content: ReportContent) -> list[str]:
    comparison = content.comparison
    if comparison is None:
        return []
    parts = [f"<h2>Comparison with {'the exemplar' if comparison.is_exemplar else 'another take'}</h2>",
             f"<p>{escape(comparison.reference)}; aligned in time (DTW), mean pose gap {comparison.cost:.2f} "
             f"trunk lengths. The body parts that differ most from it in each third of the take, largest "
             f"joint-angle gap first:</p>",
             '<table width="100%"><tr><th>Phase (frames)</th><th>Body part</th><th>Angle gap</th>'
             '<th>Mean / peak distance</th><th>Worst at</th></tr>']
    for row in comparison.deviations.itertuples():
        phase, part, angle, distance, worst = (escape(text) for text in deviation_cells(row))
        parts.append(f"<tr><td>{phase}</td><td>{part}</td><td>{angle}</td>"
                     f'<td class="number">{distance}</td><td class="number">{worst}</td></tr>')
    parts.append("</table>")
    return parts


def report_html(content: ReportContent, image_source: Callable[[ReportImage], str] = data_uri) -> str:
    """The report as HTML text.

    Parameters
    ----------
    content : ReportContent
    image_source : callable(ReportImage) -> str
        The ``src`` of each picture: :func:`data_uri` (a self-contained page) or a resource name.
    """
    facts = "".join(f"<tr><td class=\"muted\">{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in content.facts)
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{escape(content.title)}</title><style>{STYLE}</style></head><body>",
             f"<h1>{escape(content.title)}</h1>", f'<table class="facts">{facts}</table>',
             "<h2>Score</h2>", "<table>", *_score_rows(content), "</table>",
             *_penalty_section(content, image_source)]
    if content.curves is not None:
        # printed, the curves start a page: the first holds the score, the penalties and their key frames
        parts += ['<h2 style="page-break-before: always">Kinematics</h2>',
                  f"<p>{_image(content.curves, CURVES_WIDTH, image_source)}<br>"
                  f'<span class="caption">{escape(content.curves.caption)}</span></p>']
    parts.append("<h2>Markers and notes</h2>")
    if content.markers:
        parts.append("<table width=\"100%\"><tr><th>#</th><th>Frame</th><th>Time</th><th>Note</th></tr>")
        parts += [f'<tr><td>M{k + 1}</td><td class="number">{m.frame}</td><td class="number">{m.time_s:.2f} s</td>'
                  f"<td>{escape(m.note)}</td></tr>" for k, m in enumerate(content.markers)]
        parts.append("</table>")
    else:
        parts.append('<p class="muted">No marker on this take.</p>')
    parts += _comparison_section(content)
    privacy = " Faces are blurred in the pictures." if content.anonymized else ""
    parts.append(f'<p class="muted">Made by Lucid Workstation on {escape(content.created)}.{privacy}</p>')
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report_html(content: ReportContent, path: str | Path) -> Path:
    """Write the self-contained HTML report to ``path`` atomically and return the path."""
    return write_text_atomically(path, report_html(content))
