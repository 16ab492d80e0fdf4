"""The big answer at the door: green with the member's name, or red with the reason."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.checkin import CheckinOutcome

GREEN = "#1b7f1b"
RED = "#b00020"
_TEXT = "color: white; font-size: {size}pt; font-weight: {weight};"


class DecisionPanel(QWidget):
    override_requested = Signal()
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.outcome: CheckinOutcome | None = None
        self.verdict_label = QLabel("")
        self.verdict_label.setObjectName("decisionVerdict")
        self.name_label = QLabel("")
        self.name_label.setObjectName("decisionName")
        self.reason_label = QLabel("")
        self.reason_label.setObjectName("decisionReason")
        self.warning_label = QLabel("")
        self.warning_label.setObjectName("decisionWarning")
        for label, size, weight in (
            (self.verdict_label, 64, "bold"),
            (self.name_label, 48, "bold"),
            (self.reason_label, 34, "normal"),
            (self.warning_label, 28, "bold"),
        ):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setStyleSheet(_TEXT.format(size=size, weight=weight))
        self.override_button = QPushButton("Override")
        self.override_button.setObjectName("overrideButton")
        self.override_button.clicked.connect(self.override_requested.emit)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self.done.emit)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.override_button)
        buttons.addWidget(self.done_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 40, 40, 24)
        layout.addStretch(1)
        for label in (self.verdict_label, self.name_label, self.reason_label, self.warning_label):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addLayout(buttons)

    @property
    def admitted(self) -> bool:
        return self.outcome is not None and self.outcome.admitted

    def show_outcome(self, outcome: CheckinOutcome) -> None:
        self.outcome = outcome
        color = GREEN if outcome.admitted else RED
        self.setStyleSheet(f"#decisionPanel {{ background: {color}; border-radius: 24px; }}")
        self.verdict_label.setText("Welcome" if outcome.admitted else "Not admitted")
        self.name_label.setText(outcome.member_name or "")
        self.name_label.setVisible(bool(outcome.member_name))
        self.reason_label.setText("" if outcome.admitted else _sentence(outcome.reason))
        self.reason_label.setVisible(not outcome.admitted)
        self.warning_label.setText(_sentence(outcome.warning or ""))
        self.warning_label.setVisible(bool(outcome.warning))
        # Only a recorded refusal of a known member can be overridden.
        can_override = not outcome.admitted and outcome.member_id is not None and outcome.recorded
        self.override_button.setVisible(can_override)

    def show_message(self, message: str) -> None:
        """A refusal that is not a check-in (e.g. the kiosk cannot decide yet)."""
        from desktop.core.checkin import CheckinOutcome as Outcome
        from shared.enums import CheckinMethod

        self.show_outcome(Outcome(False, message, CheckinMethod.MANUAL))


def _sentence(text: str) -> str:
    """Reasons are recorded as phrases ("membership frozen until 3 March"); show a sentence."""
    return text[:1].upper() + text[1:]
