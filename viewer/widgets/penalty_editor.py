"""The small dialog that edits a reviewed penalty, or adds one the model missed: item, frames, deduction."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

from analysis.catalogue.penalties import SEVERITIES, load_penalty_catalogue

UNKNOWN = "unknown"


class PenaltyEditor(QDialog):
    """Item, first and last frame (inclusive, or unknown) and deduction of a penalty.

    Parameters
    ----------
    codes : sequence of str
        The items that can be chosen (one for an edit: the item stays).
    n_frames : int
        Frames of the take.
    start, end : int
        Initial span, end exclusive; -1 where unknown.
    value : float
        Initial deduction.
    """

    def __init__(self, codes, n_frames: int, start: int, end: int, value: float, title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        catalogue = load_penalty_catalogue()
        self.code_combo = QComboBox()
        for code in codes:
            self.code_combo.addItem(f"{catalogue[code].name if code in catalogue else code} ({code})", code)
        self.code_combo.setEnabled(len(codes) > 1)
        self.first_spin = self._frame_spin(n_frames, start)
        self.last_spin = self._frame_spin(n_frames, end - 1 if end > 0 else -1)
        span = QHBoxLayout()
        span.addWidget(self.first_spin)
        span.addWidget(QLabel("to"))
        span.addWidget(self.last_spin)
        self.value_combo = QComboBox()
        for severity in SEVERITIES:
            self.value_combo.addItem(f"−{severity:.1f}", severity)
        self.value_combo.setCurrentIndex(min(range(len(SEVERITIES)), key=lambda i: abs(SEVERITIES[i] - value)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        form = QFormLayout(self)
        form.addRow("Item", self.code_combo)
        form.addRow("Frames", span)
        form.addRow("Deduction", self.value_combo)
        form.addRow(buttons)
        self.first_spin.valueChanged.connect(self._check)
        self.last_spin.valueChanged.connect(self._check)
        self._check()

    @staticmethod
    def _frame_spin(n_frames: int, value: int) -> QSpinBox:
        spin = QSpinBox(minimum=-1, maximum=max(n_frames - 1, 0), value=value)
        spin.setSpecialValueText(UNKNOWN)
        return spin

    def _check(self) -> None:
        first, last = self.first_spin.value(), self.last_spin.value()
        self.ok_button.setEnabled((first < 0) == (last < 0) and first <= last)

    def result_penalty(self) -> tuple[str, int, int, float]:
        """(code, start, end exclusive, deduction) as chosen; (-1, -1) for an unknown span."""
        first, last = self.first_spin.value(), self.last_spin.value()
        start, end = (-1, -1) if first < 0 else (first, last + 1)
        return self.code_combo.currentData(), start, end, float(self.value_combo.currentData())
