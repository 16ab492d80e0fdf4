"""The big answer at the door: green with the member's name, or red with the reason.

Below the verdict, the admission card in the member's own words (plan and what is left,
expiry, today's class, a birthday) or a refusal's next step; at the bottom a small strip
for the desk only (staff alerts, an override's reason), never in the large type.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.checkin import CheckinOutcome
from desktop.core.checkin.card import AdmissionCard
from desktop.core.checkin.checkout import Checkout
from desktop.core.kiosk import KioskCore

log = logging.getLogger(__name__)

GREEN = "#1b7f1b"
RED = "#b00020"
#: A check-out is neither an admission nor a refusal.
BLUE = "#1d4f91"
_TEXT = "color: white; font-size: {size}pt; font-weight: {weight};"
PHOTO_SIZE = 150
SELL_TEXT = "Sell a day pass or plan"
_STRIP = (
    "#staffStrip { background: rgba(255, 255, 255, 0.92); border-radius: 8px; }"
    " #staffStrip QLabel { color: #202020; font-size: 12pt; }"
)


class DecisionPanel(QWidget):
    override_requested = Signal()
    #: A refusal for want of a membership: staff offer a pass or plan (the sale asks a PIN).
    sale_requested = Signal()
    done = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPanel")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.outcome: CheckinOutcome | None = None
        self.card: AdmissionCard | None = None
        self.verdict_label = QLabel("")
        self.verdict_label.setObjectName("decisionVerdict")
        self.name_label = QLabel("")
        self.name_label.setObjectName("decisionName")
        self.reason_label = QLabel("")
        self.reason_label.setObjectName("decisionReason")
        self.warning_label = QLabel("")
        self.warning_label.setObjectName("decisionWarning")
        self.details_label = QLabel("")
        self.details_label.setObjectName("decisionDetails")
        self.next_step_label = QLabel("")
        self.next_step_label.setObjectName("decisionNextStep")
        # Habit news, read from a metre away: the streak, and a badge new at this admission.
        self.streak_label = QLabel("")
        self.streak_label.setObjectName("decisionStreak")
        self.badge_label = QLabel("")
        self.badge_label.setObjectName("decisionBadge")
        # Shown only with an admission that has them: they take no room until then.
        self.streak_label.hide()
        self.badge_label.hide()
        for label, size, weight in (
            (self.verdict_label, 56, "bold"),
            (self.name_label, 40, "bold"),
            (self.reason_label, 30, "normal"),
            (self.warning_label, 24, "bold"),
            (self.details_label, 22, "normal"),
            (self.next_step_label, 24, "bold"),
            (self.streak_label, 28, "bold"),
            (self.badge_label, 22, "bold"),
        ):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setWordWrap(True)
            label.setStyleSheet(_TEXT.format(size=size, weight=weight))
        self.photo_label = QLabel()
        self.photo_label.setObjectName("decisionPhoto")
        self.photo_label.setFixedSize(PHOTO_SIZE, PHOTO_SIZE)
        self.photo_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo_label.hide()

        self.staff_strip = QFrame()
        self.staff_strip.setObjectName("staffStrip")
        self.staff_strip.setStyleSheet(_STRIP)
        self.staff_label = QLabel("")
        self.staff_label.setObjectName("staffNotes")
        self.staff_label.setWordWrap(True)
        strip = QHBoxLayout(self.staff_strip)
        strip.setContentsMargins(12, 6, 12, 6)
        strip.addWidget(self.staff_label, 1)
        self.staff_strip.hide()

        self.sell_button = QPushButton(SELL_TEXT)
        self.sell_button.setObjectName("sellButton")
        self.sell_button.clicked.connect(self.sale_requested.emit)
        self.override_button = QPushButton("Override")
        self.override_button.setObjectName("overrideButton")
        self.override_button.clicked.connect(self.override_requested.emit)
        self.done_button = QPushButton("Done")
        self.done_button.clicked.connect(self.done.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.staff_strip, 1)
        buttons.addWidget(self.sell_button)
        buttons.addWidget(self.override_button)
        buttons.addWidget(self.done_button)

        texts = QVBoxLayout()
        texts.setSpacing(6)
        for label in (
            self.verdict_label,
            self.name_label,
            self.streak_label,
            self.badge_label,
            self.reason_label,
            self.warning_label,
            self.details_label,
            self.next_step_label,
        ):
            texts.addWidget(label)
        top = QHBoxLayout()
        top.addWidget(self.photo_label, 0, Qt.AlignmentFlag.AlignVCenter)
        top.addLayout(texts, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 20)
        layout.addStretch(1)
        layout.addLayout(top)
        layout.addStretch(1)
        layout.addLayout(buttons)

    @property
    def admitted(self) -> bool:
        return self.outcome is not None and self.outcome.admitted

    def show_outcome(self, outcome: CheckinOutcome, card: AdmissionCard | None = None) -> None:
        self.outcome, self.card = outcome, card
        color = GREEN if outcome.admitted else RED
        self.setStyleSheet(f"#decisionPanel {{ background: {color}; border-radius: 24px; }}")
        self.verdict_label.setText("Welcome" if outcome.admitted else "Not admitted")
        self.name_label.setText(outcome.member_name or "")
        self.name_label.setVisible(bool(outcome.member_name))
        self.reason_label.setText("" if outcome.admitted else _sentence(outcome.reason))
        self.reason_label.setVisible(not outcome.admitted)
        # The card's usage line says the same as a visit-limit warning, and an override's
        # reason is for the desk: neither goes in large type then. "Already checked in at
        # 19:54" is the answer to a repeat scan, so it always shows.
        hidden = (card is not None or outcome.override is not None) and not outcome.reentry
        warning = "" if hidden else outcome.warning or ""
        self.warning_label.setText(_sentence(warning))
        self.warning_label.setVisible(bool(warning))
        self._show_card(card)
        notes = list(card.staff_notes) if card else []
        if outcome.override and not card:
            notes.append(f"Override: {outcome.override.reason}")
        if outcome.staff_note and not card:
            notes.append(outcome.staff_note)
        self.staff_label.setText("Desk: " + " · ".join(notes) if notes else "")
        self.staff_strip.setVisible(bool(notes))
        # Only a recorded refusal of a known member can be overridden.
        can_override = not outcome.admitted and outcome.member_id is not None and outcome.recorded
        self.override_button.setVisible(can_override)
        self.sell_button.setVisible(not outcome.admitted and card is not None and card.offers_sale)

    def _show_card(self, card: AdmissionCard | None) -> None:
        for label, text in (
            (self.streak_label, card.streak if card else None),
            (self.badge_label, card.badge if card else None),
        ):
            label.setText(text or "")
            label.setVisible(bool(text))
        lines = "\n".join(card.lines) if card else ""
        self.details_label.setText(lines)
        self.details_label.setVisible(bool(lines))
        step = card.next_step if card else None
        self.next_step_label.setText(_sentence(step or ""))
        self.next_step_label.setVisible(bool(step))
        pixmap = QPixmap()
        if card is not None and card.photo and pixmap.loadFromData(card.photo):
            self.photo_label.setPixmap(
                pixmap.scaled(
                    PHOTO_SIZE,
                    PHOTO_SIZE,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.photo_label.show()
        else:
            self.photo_label.clear()
            self.photo_label.hide()

    def show_checkout(self, done: Checkout) -> None:
        """A visit confirmed at the desk: blue, with what was recorded."""
        self.outcome, self.card = None, None
        self.setStyleSheet(f"#decisionPanel {{ background: {BLUE}; border-radius: 24px; }}")
        self.verdict_label.setText("Checked out")
        self.name_label.setText(done.visit.member_name)
        self.name_label.show()
        recorded = f"{done.minutes} minutes recorded" if done.completed else "Did not train"
        self.reason_label.setText(recorded)
        self.reason_label.show()
        for label in (
            self.warning_label,
            self.details_label,
            self.next_step_label,
            self.streak_label,
            self.badge_label,
        ):
            label.setText("")
            label.hide()
        self.photo_label.clear()
        self.photo_label.hide()
        self.staff_label.setText("")
        for widget in (self.staff_strip, self.override_button, self.sell_button):
            widget.hide()

    def show_message(self, message: str) -> None:
        """A refusal that is not a check-in (e.g. the kiosk cannot decide yet)."""
        from desktop.core.checkin import CheckinOutcome as Outcome
        from shared.enums import CheckinMethod

        self.show_outcome(Outcome(False, message, CheckinMethod.MANUAL))


def card_of(core: KioskCore, outcome: CheckinOutcome) -> AdmissionCard | None:
    """The card for ``outcome``; the answer goes up without one rather than not at all."""
    try:
        return core.checkin.card_for(outcome)
    except Exception:
        log.exception("The admission card could not be read")
        return None


def _sentence(text: str) -> str:
    """Reasons are recorded as phrases ("membership frozen until 3 March"); show a sentence."""
    return text[:1].upper() + text[1:]
