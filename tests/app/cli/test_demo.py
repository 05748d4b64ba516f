"""The demo library's showcase session is named in its completion marker, so starting the
workstation does not have to index the library first; older markers fall back to the index."""

from __future__ import annotations

from dataclasses import replace

import pytest

from analysis.session.library import Library
from analysis.session.writer import write_session
from app.cli.demo import showcase_session
from tests.helpers import make_session_data


@pytest.fixture
def demo(tmp_path):
    write_session(tmp_path / "poses.h5", make_session_data(seed=1, video_views=0))
    trainee = make_session_data(seed=2, video_views=2)
    write_session(tmp_path / "filmed.h5", replace(trainee, takes=[replace(t, is_exemplar=False) for t in trainee.takes]))
    return tmp_path


def test_the_showcase_named_in_the_marker_opens_without_indexing(demo, monkeypatch):
    (demo / ".complete").write_text("seed=0\nshowcase=filmed.h5\n")

    def no_scan(*args, **kwargs):
        raise AssertionError("the library was indexed")

    monkeypatch.setattr(Library, "scan", no_scan)
    assert showcase_session(demo) == demo / "filmed.h5"


def test_an_older_marker_finds_the_showcase_in_the_index(demo):
    (demo / ".complete").write_text("seed=0\n")
    assert showcase_session(demo) == demo / "filmed.h5"
