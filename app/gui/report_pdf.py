"""A take's report as PDF, printed by Qt's PDF writer from the report's HTML.

The page is :func:`analysis.render.report_html.report_html`; its pictures are
handed to the text document as image resources rather than inline URIs. Works
with any Qt platform, offscreen included, but on the thread that owns the
``QGuiApplication`` (the GUI thread, or the command's main thread).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF, QSizeF, QUrl
from PySide6.QtGui import (
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPdfWriter,
    QTextDocument,
)

from analysis.render.report import ReportContent, ReportImage
from analysis.render.report_html import report_html
from analysis.session.atomic import atomic_output

PAGE_MARGINS_MM = 15.0
PDF_RESOLUTION_DPI = 300
#: The page is laid out in CSS pixels (96 per inch, as the HTML's picture widths are) and scaled onto the paper.
LAYOUT_DPI = 96.0
POINTS_PER_INCH = 72.0


def report_document(content: ReportContent) -> QTextDocument:
    """The report laid out as a Qt text document, its pictures as image resources."""
    document = QTextDocument()
    pictures = [penalty.image for penalty in content.penalties if penalty.image is not None]
    if content.curves is not None:
        pictures.append(content.curves)
    for picture in pictures:
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(_resource_name(picture)),
                             QImage.fromData(picture.png, "PNG"))
    document.setHtml(report_html(content, _resource_name))
    return document


def _resource_name(picture: ReportImage) -> str:
    return f"report:{picture.name}"


def write_report_pdf(content: ReportContent, path: str | Path) -> Path:
    """Print the report to an A4 PDF at ``path``, atomically, and return the path.

    Raises
    ------
    RuntimeError
        Without a ``QGuiApplication`` (Qt lays out the text with it).
    """
    if QGuiApplication.instance() is None:
        raise RuntimeError("writing a PDF report needs a QGuiApplication")
    path = Path(path)
    document = report_document(content)
    with atomic_output(path) as temporary:
        writer = QPdfWriter(str(temporary))
        writer.setResolution(PDF_RESOLUTION_DPI)
        writer.setTitle(content.title)
        writer.setCreator("Lucid Workstation")
        layout = QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                             QMarginsF(*(PAGE_MARGINS_MM,) * 4), QPageLayout.Unit.Millimeter)
        writer.setPageLayout(layout)
        printable = layout.paintRect(QPageLayout.Unit.Point)
        document.setPageSize(QSizeF(printable.width(), printable.height()) * (LAYOUT_DPI / POINTS_PER_INCH))
        document.print_(writer)
        del writer   # finishes the file
    return path
