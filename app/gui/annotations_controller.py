"""The annotations of the open session: loaded from and saved to ``SESSION.annotations.json``, with undo.

Every change the widgets ask for (``AnnotationsModel.edit_requested``) becomes
a :class:`AnnotationCommand` on the session's :class:`QUndoStack`; its do and
undo apply the edit and its inverse to the model. Saving: the file is written
after every command done, undone or redone, atomically. A command is one
finished gesture (a drawing placed, a marker's note accepted), the file is a
few kilobytes and writes in about a millisecond, so this keeps the file equal
to what the coach sees at every moment (a crash loses nothing) without the
timer a debounced autosave needs. Opening another session clears the stack.

A file that cannot be read (not JSON, newer version, bad items) is reported
and left untouched, and nothing is saved for that session: the coach's edits
never overwrite a file that might hold someone's work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from analysis.annotations.document import (
    AnnotationsDocument,
    AnnotationsFormatError,
    annotations_path,
    read_annotations,
    write_annotations,
)
from analysis.session.reader import Session
from viewer.model.annotations import AnnotationEdit, AnnotationsModel
from viewer.model.state import ViewerState


class AnnotationCommand(QUndoCommand):
    """One annotation edit as an undoable command (its text is the edit's: "Add arrow")."""

    def __init__(self, model: AnnotationsModel, edit: AnnotationEdit) -> None:
        super().__init__(edit.text)
        self._model = model
        self._edit = edit

    def redo(self) -> None:
        self._model.apply(self._edit)

    def undo(self) -> None:
        self._model.apply(self._edit.inverse())


class AnnotationsController(QObject):
    """Loads, saves and undoes the annotations of the session in ``state``.

    Signals
    -------
    failed(str, str)
        A title and a message: the file could not be read, or could not be written.
    saved(Path)
        The annotations file was written.

    Attributes
    ----------
    undo_stack : QUndoStack
        The session's commands (Edit → Undo / Redo).
    path : Path or None
        Where the annotations are saved; None without a session or when its file was refused.
    """

    failed = Signal(str, str)
    saved = Signal(Path)

    def __init__(self, state: ViewerState, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self._model = state.annotations
        self.undo_stack = QUndoStack(self)
        self.path: Path | None = None
        self._session_name = ""
        self._write_failed = False
        self._model.edit_requested.connect(self._push)
        self.undo_stack.indexChanged.connect(self._save)
        state.session_changed.connect(self._on_session_changed)

    def _push(self, edit: AnnotationEdit) -> None:
        self.undo_stack.push(AnnotationCommand(self._model, edit))

    def _on_session_changed(self, session: Session | None) -> None:
        self.path = None                       # clearing the stack must not save into the new session's file
        self.undo_stack.clear()
        self._write_failed = False
        if session is None:
            self._model.load(AnnotationsDocument())
            return
        path = annotations_path(session.path)
        try:
            document = read_annotations(path)
        except AnnotationsFormatError as error:
            self._model.load(AnnotationsDocument())
            self.failed.emit("Annotations not loaded",
                             f"{error}\n\nThe file is left as it is, and annotations made in this session are not "
                             f"saved. Move the file aside (or fix it) and open the session again to keep them.")
            return
        self._model.load(document)
        self.path, self._session_name = path, session.path.name

    def _save(self, _index: int) -> None:
        if self.path is None:
            return
        try:
            write_annotations(self.path, self._model.document(), self._session_name)
        except OSError as error:
            if not self._write_failed:          # said once per session, not at every stroke
                self.failed.emit("Annotations not saved", f"{self.path}: cannot be written "
                                                          f"({error.strerror or error}); they are kept until you "
                                                          f"close the session.")
            self._write_failed = True
            return
        self._write_failed = False
        self.saved.emit(self.path)
