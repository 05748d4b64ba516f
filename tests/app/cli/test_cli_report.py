"""``main.py report``: HTML and PDF reports of a take, scored by a model, and its refusals."""

from __future__ import annotations

import re

import pytest

from analysis.session.index_cache import CACHE_NAME
from app.cli.main import main


def pdf_pages(data: bytes) -> int:
    """Pages of a PDF, checked against its page tree's count (the file must be a whole PDF)."""
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-z])", data))
    counts = [int(n) for n in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data)
              + re.findall(rb"/Count\s+(\d+)[^>]*?/Type\s*/Pages\b", data)]
    assert counts and max(counts) == pages
    return pages


def test_the_cli_writes_a_scored_html_report(session_file, tmp_path, tiny_model_file, capsys):
    out = tmp_path / "report.html"
    assert main(["report", str(session_file), "--take", "take2", "--out", str(out), "--model",
                 str(tiny_model_file)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    html = out.read_text(encoding="utf-8")
    assert "Predicted by the model" in html and "default_model.pt" in html and "session.h5#take1" in html
    assert "Comparison with the exemplar" in html and "Bent knees" in html


def test_the_cli_writes_an_a4_pdf_with_its_pictures(qapp, session_file, tmp_path, capsys):
    # qapp: this process goes on to show widgets, so its QApplication comes first (else the command makes
    # a QGuiApplication, as ``main.py report`` does in its own process)
    out = tmp_path / "report.pdf"
    assert main(["report", str(session_file), "--take", "take2", "--out", str(out), "--no-score"]) == 0
    data = out.read_bytes()
    assert pdf_pages(data) == 2       # score, penalties and key frames; then the curves, notes and comparison
    assert len(re.findall(rb"/Subtype\s*/Image", data)) >= 3
    assert re.search(rb"/MediaBox\s*\[\s*0\s+0\s+595(\.\d+)?\s+84[12]", data)   # A4 portrait, points
    assert sorted(p.name for p in tmp_path.iterdir()) == [CACHE_NAME, "report.pdf", "session.h5"]   # nothing else


def test_the_report_reads_the_markers_and_the_coachs_review_from_the_annotations_file(session_file, tmp_path):
    from analysis.annotations.document import (
        AnnotationsDocument,
        annotations_path,
        write_annotations,
    )
    from analysis.annotations.items import Marker, ReviewedPenalty

    items = (Marker("take2", 9, "landing too deep"), Marker("take2", 2, "take-off"), Marker("take1", 1, "not this take"),
             ReviewedPenalty("take2", "BENT_KNEES", 2, 6, 0.5, "edited", 0.8),
             ReviewedPenalty("take2", "LEGS_APART", 5, 9, 0.1, "rejected", 0.4))
    write_annotations(annotations_path(session_file), AnnotationsDocument(items), session_file.name)
    out = tmp_path / "report.html"
    assert main(["report", str(session_file), "--take", "take2", "--out", str(out), "--no-score"]) == 0
    html = out.read_text(encoding="utf-8")
    assert html.index("take-off") < html.index("landing too deep") and "not this take" not in html
    assert "reviewed by the coach" in html and "Reviewed by the coach</th><td>9.50" in html
    assert "LEGS_APART" not in html.split("Key frames")[0]       # a rejected item is not listed


def test_bad_output_suffix_take_and_reference_exit_2(session_file, tmp_path, capsys):
    assert main(["report", str(session_file), "--take", "take2", "--out", str(tmp_path / "r.docx")]) == 2
    assert "written as .html or .pdf" in capsys.readouterr().err
    assert main(["report", str(session_file), "--take", "take9", "--out", str(tmp_path / "r.html"),
                 "--no-score"]) == 2
    assert "take9" in capsys.readouterr().err
    assert main(["report", str(session_file), "--take", "take2", "--out", str(tmp_path / "r.html"), "--no-score",
                 "--reference", "nonsense"]) == 2
    assert "--reference must be FILE.h5:TAKE" in capsys.readouterr().err
    assert not list(tmp_path.glob("r.*"))


@pytest.mark.parametrize("flag", [[], ["--no-anonymize"]])
def test_the_report_says_whether_faces_are_blurred(session_file, tmp_path, flag):
    out = tmp_path / "report.html"
    assert main(["report", str(session_file), "--take", "take2", "--out", str(out), "--no-score", *flag]) == 0
    assert ("Faces are blurred" in out.read_text(encoding="utf-8")) == (not flag)
