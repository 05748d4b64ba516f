"""Library index: one row per take from attributes, queries, exemplars, bad files listed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis.session.library import INDEX_COLUMNS, Library
from analysis.session.writer import write_session
from tests.helpers import make_session_data


@pytest.fixture
def library_dir(tmp_path):
    write_session(tmp_path / "a.h5", make_session_data(seed=1, event="MFE", video_views=0))
    other = replace(make_session_data(seed=2, event="WBB", n_takes=3), athlete="A02", level=2)
    write_session(tmp_path / "nested" / "b.h5", other)
    (tmp_path / "broken.h5").write_text("not a session")
    return tmp_path


def test_scan_indexes_every_take(library_dir):
    library = Library.scan(library_dir)
    index = library.index
    assert list(index.columns) == list(INDEX_COLUMNS)
    assert len(index) == 5
    assert set(index["file"]) == {"a.h5", "nested/b.h5"}
    row = index[(index["file"] == "nested/b.h5") & (index["take"] == "take2")].iloc[0]
    assert (row["event"], row["level"], row["athlete"], row["n_frames"]) == ("WBB", 2, "A02", 12)
    assert row["score"] == pytest.approx(9.6) and not row["is_exemplar"] and row["has_video"]
    assert not index[index["file"] == "a.h5"]["has_video"].any()


def test_bad_files_are_reported_not_fatal(library_dir):
    library = Library.scan(library_dir)
    assert len(library.problems) == 1
    assert "broken.h5" in library.problems[0] and "not an HDF5 file" in library.problems[0]


def test_queries_and_exemplars(library_dir):
    library = Library.scan(library_dir)
    assert len(library.query(event="WBB")) == 3
    assert len(library.query(event="WBB", level=1)) == 0
    assert len(library.query(athlete="A01")) == 2
    assert set(library.query(action="MFE-1-01")["take"]) == {"take1", "take2"}
    exemplars = library.exemplars("WBB-1-01")
    assert list(exemplars["take"]) == ["take1"] and exemplars["is_exemplar"].all()
    with library.open("nested/b.h5") as session:
        assert session.event == "WBB"


def test_missing_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="library folder not found"):
        Library.scan(tmp_path / "nope")
