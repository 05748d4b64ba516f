"""The evented annotations model: edits and their inverses, selection, tools."""

from __future__ import annotations

import pytest

from analysis.annotations.document import AnnotationsDocument
from analysis.annotations.items import Drawing, Marker
from viewer.model.annotations import AnnotationEdit, AnnotationsModel


def test_an_edit_and_its_inverse_restore_the_items():
    model = AnnotationsModel()
    changes = []
    model.changed.connect(changes.append)
    line = Drawing("t1", "cam1", "line", [(0, 0), (10, 10)], 0, 5)
    marker = Marker("t2", 4, "late")
    for edit in (AnnotationEdit.adding(line), AnnotationEdit.adding(marker)):
        model.apply(edit)
    moved = AnnotationEdit.changing(line, line.moved(5, 0), "Move")
    model.apply(moved)
    assert model.items("t1") == [line.moved(5, 0)] and model.items("t2", Marker) == [marker]
    assert moved.text == "Move line" and changes == ["t1", "t2", "t1"]
    model.apply(moved.inverse())
    assert model.items("t1") == [line]
    deleting = AnnotationEdit.deleting(marker)
    model.apply(deleting)
    assert model.items("t2") == []
    model.apply(deleting.inverse())
    assert model.items("t2") == [marker]


def test_an_edit_that_does_not_match_the_items_is_refused():
    model = AnnotationsModel()
    line = Drawing("t1", "cam1", "line", [(0, 0), (10, 10)], 0, 5)
    with pytest.raises(ValueError, match="not as the edit expects"):
        model.apply(AnnotationEdit.deleting(line))


def test_deleting_the_selected_item_clears_the_selection_and_loading_replaces_everything():
    model = AnnotationsModel()
    marker = Marker("t1", 2, "x")
    model.edit_requested.connect(model.apply)
    model.request(AnnotationEdit.adding(marker))
    model.select(marker.id)
    model.delete_selected()
    assert model.selected is None and model.items("t1") == []
    other = Marker("t9", 1, "y")
    model.load(AnnotationsDocument((other,)))
    assert model.document().items == (other,)


def test_tools_and_frame_counts_are_checked():
    model = AnnotationsModel()
    model.set_tool("angle")
    assert model.tool == "angle"
    with pytest.raises(KeyError, match="unknown annotation tool 'hexagon'"):
        model.set_tool("hexagon")
    with pytest.raises(ValueError):
        model.set_drawing_frames(0)
