"""A take's report: its content (penalties, key frames, curves, comparison) and its self-contained HTML."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from html.parser import HTMLParser

import cv2
import numpy as np
import pytest

from analysis.annotations.items import ReviewedPenalty
from analysis.render.report import ReportCancelled, build_report, key_frame
from analysis.render.report_html import report_html, write_report_html
from analysis.render.report_prediction import ReportPrediction

# make_session_data: take2 carries BENT_KNEES 0.3 on frames 2-5 and LEGS_APART 0.1 on frames 5-8; take1 is the exemplar.


def _prediction(peak: int = 4, n_frames: int = 12) -> ReportPrediction:
    heatmap = np.full((3, n_frames), 0.05)
    heatmap[0, peak] = 0.9                          # BENT_KNEES peaks at ``peak``
    heatmap[2, 9] = 0.8                             # HEAD: likely, but not annotated
    return ReportPrediction(8.9, ("BENT_KNEES", "LEGS_APART", "HEAD"), np.array([0.9, 0.2, 0.8]), heatmap,
                            "tiny v1", ("A02 take1",))


class _Sources(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.references: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "srcset", "data", "action") and value is not None:
                self.references.append((tag, name, value))


def _decoded_images(html: str) -> list[np.ndarray]:
    parser = _Sources()
    parser.feed(html)
    images = []
    for tag, name, value in parser.references:
        assert (tag, name) == ("img", "src") and value.startswith("data:image/png;base64,")
        image = cv2.imdecode(np.frombuffer(base64.b64decode(value.split(",", 1)[1]), np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.size
        images.append(image)
    return images


def test_the_html_report_is_one_self_contained_file_whose_images_decode(session_file, tmp_path):
    content = build_report(session_file, "take2", prediction=_prediction(), reference=(session_file, "take1"),
                           markers=[(3, "knees <bend> early"), (10, "landing")])
    out = write_report_html(content, tmp_path / "out" / "report.html")
    html = out.read_text(encoding="utf-8")
    assert not re.search(r"https?://|<link|<script|@import|url\(", html)
    images = _decoded_images(html)
    assert len(images) == 1 + 3                     # the curves and a key frame per penalty
    assert "knees &lt;bend&gt; early" in html and "Predicted by the model" in html and "8.90" in html
    assert "Comparison with the exemplar" in html
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html"]


def test_the_report_gives_the_score_interval_when_the_model_has_one(session_file):
    calibrated = replace(_prediction(), interval=(8.61, 9.17), interval_coverage=0.9)
    html = report_html(build_report(session_file, "take2", prediction=calibrated), lambda image: "")
    assert "8.90 8.61–9.17 (90 % interval)" in html
    assert "% interval" not in report_html(build_report(session_file, "take2", prediction=_prediction()),
                                           lambda image: "")


def test_penalties_get_their_key_frame_where_the_heatmap_peaks_inside_the_span(session_file):
    content = build_report(session_file, "take2", prediction=_prediction(peak=4))
    by_code = {p.code: p for p in content.penalties}
    assert [p.status for p in content.penalties] == ["annotated", "annotated", "predicted"]
    assert by_code["BENT_KNEES"].key_frame == 4 and by_code["BENT_KNEES"].probability == pytest.approx(0.9)
    assert by_code["LEGS_APART"].key_frame == 5     # flat heatmap: its first frame (the span is 5..8)
    assert by_code["HEAD"].deduction is None and by_code["HEAD"].key_frame == 9
    picture = cv2.imdecode(np.frombuffer(by_code["BENT_KNEES"].image.png, np.uint8), cv2.IMREAD_COLOR)
    assert picture.shape[0] == 320 and "frame 4" in by_code["BENT_KNEES"].image.caption
    # take2's frame i is a flat grey of 40 + i: the key frame shows frame 4 (grey 44) behind the skeleton
    assert np.median(picture) == pytest.approx(44, abs=2)


def test_without_a_heatmap_the_key_frame_is_the_middle_of_the_span():
    assert key_frame(None, 2, 6, 12) == 3
    assert key_frame(None, -1, -1, 12) is None
    assert key_frame(np.array([0.1, 0.9, 0.2]), -1, -1, 3) == 1


def test_the_coach_review_replaces_the_annotated_penalties_and_the_score(session_file):
    reviewed = [ReviewedPenalty("take2", "BENT_KNEES", 2, 6, 0.5, "edited", 0.9),
                ReviewedPenalty("take2", "LEGS_APART", 5, 9, 0.1, "rejected", 0.6),
                ReviewedPenalty("take2", "ARMS", 7, 10, 0.3, "added")]
    content = build_report(session_file, "take2", prediction=_prediction(), reviewed=reviewed)
    assert content.penalty_source == "reviewed by the coach"
    assert [(p.code, p.deduction, p.status) for p in content.penalties] == [("BENT_KNEES", 0.5, "edited"),
                                                                            ("ARMS", 0.3, "added")]
    assert content.reviewed_score == pytest.approx(9.2)
    assert "Reviewed by the coach" in report_html(content)


def test_a_take_that_is_not_an_exemplar_is_compared_as_another_take(session_file):
    content = build_report(session_file, "take1", reference=(session_file, "take2"))
    assert not content.comparison.is_exemplar and "not an exemplar" in content.comparison.reference
    assert set(content.comparison.deviations["phase"]) == {1, 2, 3}
    assert "Comparison with another take" in report_html(content)


def test_building_reports_progress_and_stops_when_cancelled(session_file):
    steps = []
    build_report(session_file, "take2", progress=lambda done, total, message: steps.append((done, total)))
    assert steps[0] == (0, 5) and steps[-1] == (5, 5)
    with pytest.raises(ReportCancelled):
        build_report(session_file, "take2", cancelled=lambda: len(steps) > 7,
                     progress=lambda done, total, message: steps.append((done, total)))


def test_bad_view_and_take_are_refused_naming_them(session_file):
    with pytest.raises(ValueError, match="no view 'cam9'"):
        build_report(session_file, "take2", view="cam9")
    with pytest.raises(KeyError, match="take9"):
        build_report(session_file, "take9")
