"""The annotations file: what is written is read back, bad files are refused with a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.annotations.document import (
    AnnotationsDocument,
    AnnotationsFormatError,
    annotations_path,
    read_annotations,
    write_annotations,
)
from analysis.annotations.items import Drawing, Marker, Measurement, ReviewedPenalty
from analysis.annotations.measure import (
    format_value,
    included_angle_deg,
    measurement_series,
)
from analysis.motion.skeleton import COCO17


def every_kind() -> AnnotationsDocument:
    return AnnotationsDocument((
        Drawing("take1", "cam2", "angle", [(10, 20), (30.5, 40), (50, 20)], 3, 12),
        Drawing("take1", "cam1", "text", [(5, 5)], 0, 0, text="Knie strecken — ✓"),
        Drawing("take1", "cam1", "freehand", [(1, 1), (2, 3), (4, 4), (8, 2)], 2, 9, colour="#ff0000"),
        Marker("take1", 7, "hands late"),
        Measurement("take2", "angle", ("left_hip", "left_knee", "left_ankle")),
        ReviewedPenalty("take2", "BENT_KNEES", 4, 9, 0.3, "edited", 0.82),
        ReviewedPenalty("take2", "LEGS_APART", -1, -1, 0.1, "added"),
    ))


def by_id(document: AnnotationsDocument) -> dict:
    return {item.id: item for item in document.items}


def test_every_kind_of_item_is_written_and_read_back(tmp_path: Path):
    document = every_kind()
    path = write_annotations(tmp_path / "s.annotations.json", document, "s.h5")
    read = read_annotations(path)
    assert by_id(read) == by_id(document)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == "lucid-annotations" and data["format_version"] == 1 and data["session"] == "s.h5"
    assert set(data["takes"]["take1"]) == {"drawings", "markers", "measurements", "reviewed_penalties"}
    assert data["takes"]["take1"]["markers"][0]["note"] == "hands late"
    assert "Knie strecken — ✓" in path.read_text(encoding="utf-8")  # readable text, not escapes


def test_the_file_sits_beside_the_session():
    assert annotations_path("/data/MFE_L3_A02.h5") == Path("/data/MFE_L3_A02.annotations.json")


def test_a_missing_file_is_an_empty_document(tmp_path: Path):
    assert read_annotations(tmp_path / "none.annotations.json").items == ()


def test_items_written_by_another_tool_without_ids_get_one(tmp_path: Path):
    path = tmp_path / "a.annotations.json"
    path.write_text(json.dumps({"format": "lucid-annotations", "format_version": 1, "takes": {
        "t1": {"markers": [{"frame": 3, "note": "a"}, {"frame": 5, "note": "b"}]}}}))
    markers = read_annotations(path).items
    assert [m.frame for m in markers] == [3, 5] and len({m.id for m in markers}) == 2


@pytest.mark.parametrize("text, message", [
    ("{not json", "not valid JSON (line 1"),
    ('{"format": "something-else"}', 'not an annotations file'),
    ('{"format": "lucid-annotations", "format_version": 7}', "newer version of the workstation (format_version 7"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"doodles": []}}}',
     "takes/t: unknown section(s) doodles"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"drawings": '
     '[{"view": "cam1", "shape": "hexagon", "points": [[0, 0]], "first_frame": 0, "last_frame": 1}]}}}',
     "takes/t/drawings/0: shape 'hexagon' is not one of"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"drawings": '
     '[{"view": "cam1", "shape": "angle", "points": [[0, 0], [1, 1]], "first_frame": 0, "last_frame": 1}]}}}',
     "angle drawings have 3 points, got 2"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"markers": [{"note": "x"}]}}}',
     "takes/t/markers/0: missing field(s) frame"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"markers": [{"frame": 2, "mood": 1}]}}}',
     "unknown field(s) mood"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"reviewed_penalties": '
     '[{"code": "X", "start": 1, "end": 4, "value": 0.2, "status": "confirmed"}]}}}', "value must be one of"),
    ('{"format": "lucid-annotations", "format_version": 1, "takes": {"t": {"markers": '
     '[{"id": "a", "frame": 2}, {"id": "a", "frame": 3}]}}}', "id 'a' is used twice"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_problem(tmp_path: Path, text: str, message: str):
    path = tmp_path / "bad.annotations.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnnotationsFormatError) as raised:
        read_annotations(path)
    assert str(path) in str(raised.value) and message in str(raised.value)
    assert path.read_text(encoding="utf-8") == text


def test_a_failed_write_leaves_the_previous_file(tmp_path: Path, monkeypatch):
    path = write_annotations(tmp_path / "s.annotations.json", every_kind(), "s.h5")
    before = path.read_bytes()

    def broken(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("analysis.annotations.document.document_text", broken)
    with pytest.raises(OSError):
        write_annotations(path, AnnotationsDocument(), "s.h5")
    assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]


def test_included_angle_on_known_geometry():
    assert included_angle_deg([10, 0], [0, 0], [0, 10]) == pytest.approx(90.0)
    assert included_angle_deg([0, 0, 0], [1, 0, 0], [2, 0, 0]) == pytest.approx(180.0)
    assert included_angle_deg([1, 0], [0, 0], [1, np.sqrt(3)]) == pytest.approx(60.0)


def test_a_measurement_follows_its_joints_through_the_frames():
    pose = np.zeros((3, 17, 3))
    hip, knee, ankle = (COCO17.index(n) for n in ("left_hip", "left_knee", "left_ankle"))
    pose[:, hip] = (0, 0, 1.0)
    pose[:, knee] = (0, 0, 0.5)
    pose[:, ankle] = [(0, 0, 0.0), (0.5, 0, 0.5), (np.nan, 0, 0)]   # straight, bent 90°, missing
    angle = measurement_series(Measurement("t", "angle", ("left_hip", "left_knee", "left_ankle")), pose, COCO17)
    assert angle[:2] == pytest.approx([180.0, 90.0]) and np.isnan(angle[2])
    distance = measurement_series(Measurement("t", "distance", ("left_hip", "left_ankle")), pose, COCO17)
    assert distance[0] == pytest.approx(1.0)
    assert format_value("distance", distance[0]) == "1.000 m" and format_value("angle", angle[1]) == "90.0°"
    assert format_value("angle", angle[2]) == "—"
