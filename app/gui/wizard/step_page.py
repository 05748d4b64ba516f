"""The base of the wizard's pages: a page that runs its step's job and is complete once it has a result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget, QWizardPage

from app.gui.wizard.draft import RecordingDraft
from app.gui.wizard.step_runner import Job, StepRunner


class StepPage(QWizardPage):
    """A wizard page of one step (:data:`app.gui.wizard.draft.STEPS`).

    Subclasses lay out their widgets in :attr:`body`, start their work with
    :meth:`run`, and say in :meth:`ready` whether the step has what the next
    one needs. The page is complete when it is ready and nothing runs.
    """

    step = ""

    def __init__(self, draft: RecordingDraft, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft = draft
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.body = QVBoxLayout()
        self.runner = StepRunner()
        self.runner.finished.connect(lambda _ok: self.completeChanged.emit())
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.runner)

    def ready(self) -> bool:
        """Whether the step has its result."""
        return True

    def isComplete(self) -> bool:
        return not self.runner.running and self.ready()

    def run(self, job: Job, returned: Callable[[Any], None], what: str) -> None:
        """Forget this step's and the later steps' results, then run ``job`` (see :class:`StepRunner`)."""
        self.draft.clear_after(self.step)
        self.say("")
        self.runner.start(job, returned, what)
        self.completeChanged.emit()

    def say(self, text: str, problem: bool = False) -> None:
        """Show ``text`` under the page's widgets (in the problem colour when ``problem``)."""
        self.message.setText(text)
        self.message.setStyleSheet("color: #e06c5a;" if problem else "")
