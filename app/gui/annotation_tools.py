"""The coach's tools in the window: the Draw tool bar, the Edit menu (undo / redo), and their keys.

One table, :data:`ANNOTATION_KEYS`, feeds the key bindings and Help → Keyboard shortcuts.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QSpinBox,
    QToolBar,
)

from app.gui.annotations_controller import AnnotationsController
from app.gui.full_screen import FullScreenView
from viewer.model.annotations import MEASURING_TOOLS, AnnotationsModel
from viewer.widgets.markers_panel import MarkersPanel

#: Each annotation tool: its name, tool bar text, key, and what it does (for the tooltip and Help).
TOOL_KEYS: tuple[tuple[str, str, str, str], ...] = (
    ("select", "Select", "V", "Select, move and reshape drawings; drag a zoomed view to pan it"),
    ("line", "Line", "D", "Draw a line: drag, or click its two ends"),
    ("arrow", "Arrow", "A", "Draw an arrow: drag, or click its start and its tip"),
    ("circle", "Circle", "C", "Draw a circle: drag from its centre to its rim"),
    ("freehand", "Pen", "P", "Draw freehand: drag"),
    ("text", "Text", "T", "Write text: click where it goes and type it"),
    ("angle", "Angle", "G", "Measure an angle: click an arm's end, the vertex, the other arm's end"),
    ("measure_distance", "3D distance", "Shift+D", "3D view: click two joints to measure their distance (m)"),
    ("measure_angle", "3D angle", "Shift+G", "3D view: click three joints for the angle at the middle one (°)"),
)
#: The Edit menu's commands with a key: name, menu text (None: not in the menu), key, what it does.
EDIT_KEYS: tuple[tuple[str, str | None, str, str], ...] = (
    ("marker", "Add &marker…", "M", "Add a marker with a note at the current frame"),
    ("delete", "&Delete selected", "Delete", "Delete the selected drawing, marker or measurement"),
    ("full_screen", "&Full screen view", "F", "The selected view alone, full screen / back (Esc also leaves)"),
    ("escape", None, "Esc", "Stop drawing (back to the Select tool), or leave full screen"),
)
#: Every key and gesture of the coach's tools, for Help → Keyboard shortcuts.
ANNOTATION_KEYS: tuple[tuple[str, str], ...] = (
    ("Ctrl+Z", "Undo the last drawing, marker or measurement change (Edit menu)"),
    ("Ctrl+Shift+Z", "Redo"),
    *((keys, description) for _name, _text, keys, description in EDIT_KEYS),
    ("Enter", "Enlarge the selected video view / back to the grid (when the video has the focus)"),
    ("Mouse wheel", "Zoom a video view about the cursor; drag to pan, double-click to reset"),
    *((keys, description) for _tool, _text, keys, description in TOOL_KEYS),
)


class DrawToolBar(QToolBar):
    """The tools (one checked at a time) and how many frames a new drawing shows on."""

    def __init__(self, annotations: AnnotationsModel, window: QMainWindow) -> None:
        super().__init__("Draw", window)
        self.setObjectName("toolbar_draw")
        self._annotations = annotations
        self.tool_actions: dict[str, QAction] = {}
        group = QActionGroup(self)
        for tool, text, keys, description in TOOL_KEYS:
            action = QAction(text, self, checkable=True, checked=tool == annotations.tool)
            action.setToolTip(f"{description} ({keys})")
            action.setShortcut(QKeySequence(keys))
            action.triggered.connect(lambda _checked=False, t=tool: annotations.set_tool(t))
            group.addAction(action)
            self.addAction(action)
            window.addAction(action)           # the keys work while the tool bar is hidden (full screen)
            self.tool_actions[tool] = action
        self.addSeparator()
        self.addWidget(QLabel(" Show for "))
        self.frames_box = QSpinBox(minimum=1, maximum=100000, value=annotations.drawing_frames, suffix=" frames")
        self.frames_box.setToolTip("New drawings show on this many frames from the current one (1: this frame only); "
                                   "a drawing's menu shows it again from the current frame")
        self.frames_box.valueChanged.connect(annotations.set_drawing_frames)
        self.addWidget(self.frames_box)
        annotations.tool_changed.connect(lambda tool: self.tool_actions[tool].setChecked(True))
        annotations.drawing_frames_changed.connect(lambda frames: self.frames_box.setValue(frames))


def install_annotation_tools(window: QMainWindow, annotations: AnnotationsModel, controller: AnnotationsController,
                             markers_dock: QDockWidget, full_screen: FullScreenView) -> None:
    """Add the Edit menu (undo, redo, markers, delete, full screen), the Draw tool bar and their keys to ``window``.

    ``markers_dock`` holds the :class:`MarkersPanel`; it comes to the front when a marker is
    added or a 3D measuring tool chosen. Call this after the window's own menus exist: the
    Edit menu goes after the first (File).
    """
    panel: MarkersPanel = markers_dock.widget()

    def add_marker() -> None:
        markers_dock.raise_()
        panel.add_marker()

    annotations.tool_changed.connect(lambda tool: markers_dock.raise_() if tool in MEASURING_TOOLS else None)
    stack = controller.undo_stack
    undo = stack.createUndoAction(window, "&Undo")
    undo.setShortcut(QKeySequence.StandardKey.Undo)
    redo = stack.createRedoAction(window, "&Redo")
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    edit_menu = QMenu("&Edit", window)
    window.menuBar().insertMenu(window.menuBar().actions()[1], edit_menu)
    slots = {"marker": add_marker, "delete": annotations.delete_selected, "full_screen": full_screen.toggle,
             "escape": lambda: _escape(annotations, full_screen)}
    edit_menu.addActions([undo, redo])
    edit_menu.addSeparator()
    for name, text, keys, description in EDIT_KEYS:
        action = QAction(text or description, window)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False, slot=slots[name]: slot())
        window.addAction(action)
        if text is not None:
            edit_menu.addAction(action)
    for action in (undo, redo):
        window.addAction(action)
    window.addToolBar(DrawToolBar(annotations, window))


def _escape(annotations: AnnotationsModel, full_screen: FullScreenView) -> None:
    if full_screen.active:
        full_screen.leave()
    else:
        annotations.set_tool("select")
