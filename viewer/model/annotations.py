"""The annotations of the open session as evented, Qt-free state: what the widgets draw and edit.

Widgets never change the annotations directly: they describe a change as an
:class:`AnnotationEdit` and :meth:`AnnotationsModel.request` it. The
application turns each request into an undoable command whose do and undo
call :meth:`AnnotationsModel.apply` with the edit and its inverse, and saves
the file (``app/gui/annotations_controller.py``). The model also holds the
active annotation tool and the selected item, which the video grid, the 3D
view, the toolbar and the markers panel share.
"""

from __future__ import annotations

from dataclasses import dataclass

from psygnal import Signal

from analysis.annotations.document import AnnotationsDocument
from analysis.annotations.items import AnnotationItem

#: The tools: ``select`` (select, move and edit; pan a zoomed view), the drawing shapes on
#: video tiles, and the 3D view's joint measurements.
DRAWING_TOOLS = ("line", "arrow", "circle", "freehand", "text", "angle")
MEASURING_TOOLS = {"measure_distance": "distance", "measure_angle": "angle"}
TOOLS = ("select", *DRAWING_TOOLS, *MEASURING_TOOLS)
#: New drawings show on this many frames from the current one unless the user chooses otherwise.
DEFAULT_DRAWING_FRAMES = 30


@dataclass(frozen=True)
class AnnotationEdit:
    """One change to the annotations: add (``before`` None), delete (``after`` None) or replace one item.

    Attributes
    ----------
    text : str
        What the change does, for the Undo menu ("Add arrow", "Move angle").
    before, after : AnnotationItem or None
        The item before and after; the same ``id`` when both are given.
    """

    text: str
    before: AnnotationItem | None
    after: AnnotationItem | None

    def __post_init__(self) -> None:
        if self.before is None and self.after is None:
            raise ValueError("an annotation edit changes an item: give it one")
        if self.before is not None and self.after is not None and self.before.id != self.after.id:
            raise ValueError("an annotation edit replaces an item by the same item changed (same id)")

    @classmethod
    def adding(cls, item: AnnotationItem) -> AnnotationEdit:
        return cls(f"Add {item.name}", None, item)

    @classmethod
    def deleting(cls, item: AnnotationItem) -> AnnotationEdit:
        return cls(f"Delete {item.name}", item, None)

    @classmethod
    def changing(cls, before: AnnotationItem, after: AnnotationItem, verb: str = "Edit") -> AnnotationEdit:
        return cls(f"{verb} {after.name}", before, after)

    @property
    def take(self) -> str:
        return (self.after or self.before).take

    def inverse(self) -> AnnotationEdit:
        """The edit that undoes this one."""
        return AnnotationEdit(self.text, self.after, self.before)


class AnnotationsModel:
    """Drawings, markers, measurements and penalty reviews of the open session's takes.

    Signals
    -------
    changed(str)
        The items of this take changed (``""``: everything was replaced, by :meth:`load`).
    edit_requested(AnnotationEdit)
        A widget asks for a change; the application applies it as an undoable command.
    selection_changed(str or None)
        The id of the selected item.
    tool_changed(str)
        The active tool (one of :data:`TOOLS`).
    drawing_frames_changed(int)
        How many frames a new drawing shows on.
    """

    changed = Signal(str)
    edit_requested = Signal(object)
    selection_changed = Signal(object)
    tool_changed = Signal(str)
    drawing_frames_changed = Signal(int)

    def __init__(self) -> None:
        self._items: dict[str, AnnotationItem] = {}
        self.selected: str | None = None
        self.tool = "select"
        self.drawing_frames = DEFAULT_DRAWING_FRAMES

    # ---------------------------------------------------------------- reading
    def items(self, take: str, kind: type | None = None) -> list[AnnotationItem]:
        """The items of ``take`` (only those of class ``kind`` if given), in the order they were made."""
        return [item for item in self._items.values()
                if item.take == take and (kind is None or isinstance(item, kind))]

    def get(self, item_id: str | None) -> AnnotationItem | None:
        return None if item_id is None else self._items.get(item_id)

    def document(self) -> AnnotationsDocument:
        """Everything, as the annotations file stores it."""
        return AnnotationsDocument(tuple(self._items.values()))

    # --------------------------------------------------------------- changing
    def load(self, document: AnnotationsDocument) -> None:
        """Replace every item by those of ``document`` (a session was opened); clears the selection."""
        self._items = {item.id: item for item in document.items}
        self.select(None)
        self.changed.emit("")

    def request(self, edit: AnnotationEdit) -> None:
        """Ask the application to make ``edit`` (as an undoable command)."""
        self.edit_requested.emit(edit)

    def apply(self, edit: AnnotationEdit) -> None:
        """Make ``edit`` now (the undo stack calls this, with edits and their inverses)."""
        if edit.before is not None and self._items.get(edit.before.id) != edit.before:
            raise ValueError(f"cannot {edit.text.lower()}: the {edit.before.name} is not as the edit expects")
        if edit.after is None:
            del self._items[edit.before.id]
            if self.selected == edit.before.id:
                self.select(None)
        else:
            self._items[edit.after.id] = edit.after
        self.changed.emit(edit.take)

    # ---------------------------------------------------- selection and tools
    def select(self, item_id: str | None) -> None:
        """Select the item ``item_id`` (None: nothing)."""
        if item_id is not None and item_id not in self._items:
            raise KeyError(f"no annotation {item_id!r}")
        if item_id != self.selected:
            self.selected = item_id
            self.selection_changed.emit(item_id)

    def delete_selected(self) -> None:
        """Ask for the selected item to be deleted (nothing happens without a selection)."""
        item = self.get(self.selected)
        if item is not None:
            self.request(AnnotationEdit.deleting(item))

    def set_tool(self, tool: str) -> None:
        if tool not in TOOLS:
            raise KeyError(f"unknown annotation tool {tool!r}; known: {', '.join(TOOLS)}")
        if tool != self.tool:
            self.tool = tool
            self.tool_changed.emit(tool)

    def set_drawing_frames(self, frames: int) -> None:
        """Show new drawings on ``frames`` frames from the current one (1: that frame only)."""
        frames = int(frames)
        if frames < 1:
            raise ValueError(f"a drawing shows on at least 1 frame, got {frames}")
        if frames != self.drawing_frames:
            self.drawing_frames = frames
            self.drawing_frames_changed.emit(frames)
