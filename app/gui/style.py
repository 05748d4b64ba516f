"""The window's look: Qt's Fusion style with a dark palette suited to video review."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

_COLORS = {
    QPalette.ColorRole.Window: (37, 39, 43),
    QPalette.ColorRole.WindowText: (220, 222, 226),
    QPalette.ColorRole.Base: (27, 29, 32),
    QPalette.ColorRole.AlternateBase: (42, 45, 50),
    QPalette.ColorRole.ToolTipBase: (50, 53, 58),
    QPalette.ColorRole.ToolTipText: (230, 230, 230),
    QPalette.ColorRole.Text: (220, 222, 226),
    QPalette.ColorRole.Button: (48, 51, 56),
    QPalette.ColorRole.ButtonText: (220, 222, 226),
    QPalette.ColorRole.BrightText: (255, 90, 90),
    QPalette.ColorRole.Highlight: (58, 110, 180),
    QPalette.ColorRole.HighlightedText: (255, 255, 255),
    QPalette.ColorRole.Link: (110, 170, 250),
    QPalette.ColorRole.PlaceholderText: (130, 133, 138),
}


def apply_dark_style(app: QApplication) -> None:
    """Fusion style, dark palette, greyed-out disabled text."""
    app.setStyle("Fusion")
    palette = QPalette()
    for role, rgb in _COLORS.items():
        palette.setColor(role, QColor(*rgb))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(110, 112, 118))
    app.setPalette(palette)
