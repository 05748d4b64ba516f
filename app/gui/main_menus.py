"""The main window's menus and toolbar: File, View, Help, and the session toolbar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar

from app.gui.export_dialog import (
    export_take_csv_interactively,
    save_snapshot_interactively,
)

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow


def build_main_menus(window: MainWindow) -> None:
    """Add the menu bar's menus and the session toolbar to ``window``; sets ``window.recent_menu``."""
    file_menu = window.menuBar().addMenu("&File")
    open_action = file_menu.addAction("&Open session…", window.choose_file)
    open_action.setShortcut(QKeySequence.StandardKey.Open)
    window.recent_menu = file_menu.addMenu("Open &recent")
    window.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    file_menu.addAction("Open &library folder…", window.choose_library)
    file_menu.addAction("&New session from recording…", window.new_session_from_recording)
    file_menu.addAction("&Locate videos…", window.locate_videos)
    file_menu.addSeparator()
    file_menu.addAction("Export &kinematics (CSV)…", window.export_kinematics)
    file_menu.addAction("Save &screenshot (PNG)…", window.save_screenshot)
    file_menu.addAction("Export c&lip…", window.export_clip).setShortcut(QKeySequence("Ctrl+E"))
    file_menu.addAction("Export &take CSV…", lambda: export_take_csv_interactively(window, window.state))
    file_menu.addAction("Snapshot &PNG…", lambda: save_snapshot_interactively(window, window.state))
    file_menu.addAction("&Report…", window.write_report).setShortcut(QKeySequence("Ctrl+R"))
    file_menu.addSeparator()
    quit_action = file_menu.addAction("&Quit", window.close)
    quit_action.setShortcut(QKeySequence.StandardKey.Quit)

    view_menu = window.menuBar().addMenu("&View")
    for name in ("detections", "reprojection", "bones"):
        action = QAction(f"Show {name}", window, checkable=True, checked=window.state.overlays[name])
        action.toggled.connect(lambda on, n=name: window.state.set_overlay(n, on))
        view_menu.addAction(action)
    view_menu.addSeparator()
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    view_menu.addAction("Reset 3D view", window.skeleton_view.reset_view)

    help_menu = window.menuBar().addMenu("&Help")
    shortcuts = help_menu.addAction("&Keyboard shortcuts", window.show_shortcuts)
    shortcuts.setShortcut(QKeySequence("F1"))
    help_menu.addAction("&About", window.show_about)

    toolbar = QToolBar("Session")
    toolbar.setObjectName("toolbar_session")
    toolbar.addAction("Open…", window.choose_file)
    toolbar.addAction("Reset 3D", window.skeleton_view.reset_view)
    window.addToolBar(toolbar)
