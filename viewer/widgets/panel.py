"""How a panel is laid out: a header row of controls over the body it controls, edge to edge."""

from __future__ import annotations

from PySide6.QtWidgets import QLayout, QVBoxLayout, QWidget


def header_over_body(panel: QWidget, header: QLayout, body: QWidget, spacing: int = 0) -> QVBoxLayout:
    """Lay ``header`` over ``body`` in ``panel``, without margins; the body takes the spare height.

    Parameters
    ----------
    panel : QWidget
        Receives the layout.
    header : QLayout
        The row of controls (its own margins are kept).
    body : QWidget
    spacing : int
        Pixels between the header and the body.
    """
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(spacing)
    layout.addLayout(header)
    layout.addWidget(body, 1)
    return layout
