"""The status bar staff glance at: online or not, how fresh the data is, warnings."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QVBoxLayout, QWidget

from desktop.core.location import describe_age
from desktop.core.sync import REVOKED_MESSAGE
from desktop.core.sync.kiosk_sync import KioskStatus
from desktop.core.sync.status_text import rejected_text, review_text
from shared.clock import utcnow

#: Shown while offline before the reason: search and check-ins use the kiosk's own copy.
SAVED_DATA_NOTE = "Working from saved data"
CREDENTIAL_NOTE = "Sign-in kept in a file, not the system keyring (details: Staff ▸ Desk)"


class KioskStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.connection_label = QLabel("● Connecting…")
        self.connection_label.setObjectName("statusConnecting")
        self.sync_label = QLabel("Last sync: never")
        self.message_label = QLabel("")
        self.message_label.setObjectName("statusMessage")
        self.review_label = QLabel("")
        self.review_label.setObjectName("reviewItems")
        self.review_label.hide()
        self.credential_label = QLabel("")
        self.credential_label.setObjectName("credentialWarning")
        self.credential_label.hide()
        #: Revoked kiosk, refused actions: in words, on a line of their own.
        self.sync_warning_label = QLabel("")
        self.sync_warning_label.setObjectName("syncWarning")
        self.sync_warning_label.setWordWrap(True)
        self.sync_warning_label.hide()
        # Two rows: the credential warning (long: it holds a path) gets a line of its own.
        panel = QWidget()
        rows = QVBoxLayout(panel)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        first = QHBoxLayout()
        first.addWidget(self.connection_label)
        first.addWidget(self.sync_label)
        first.addWidget(self.message_label, 1)
        first.addWidget(self.review_label)
        rows.addLayout(first)
        rows.addWidget(self.sync_warning_label)
        rows.addWidget(self.credential_label)
        self.addWidget(panel, 1)
        self._last_sync: datetime | None = None
        self.credential_warning: str | None = None

    def set_connection(self, online: bool | None, message: str = "") -> None:
        if online is None:
            text, name = "● Connecting…", "statusConnecting"
        elif online:
            text, name = "● Online", "statusOnline"
        else:
            text, name = "● Offline", "statusOffline"
        self.connection_label.setText(text)
        if self.connection_label.objectName() != name:
            self.connection_label.setObjectName(name)
            self.connection_label.style().unpolish(self.connection_label)
            self.connection_label.style().polish(self.connection_label)
        if online is False and message:
            # First, as an item of its own: the reason may be a whole sentence.
            message = f"{SAVED_DATA_NOTE} · {message}"
        self.message_label.setText(message)

    def set_last_sync(self, last_sync: datetime | None, now: datetime) -> None:
        self._last_sync = last_sync
        self.tick(now)

    def tick(self, now: datetime) -> None:
        self.sync_label.setText(f"Last sync: {describe_age(self._last_sync, now)}")

    def show_status(self, status: KioskStatus, now: datetime | None = None) -> None:
        """Everything the sync worker reports (its ``status_report`` signal)."""
        now = now or utcnow()
        error = status.last_error or ""
        if status.needs_enrolment and error == REVOKED_MESSAGE:
            error = ""  # said in full on the warning line
        self.set_connection(status.online, error)
        self.set_last_sync(status.last_sync_at, now)
        reviews = review_text(status.open_reviews)
        self.review_label.setText(reviews)
        self.review_label.setVisible(bool(reviews))
        warnings = []
        if status.needs_enrolment and status.last_error == REVOKED_MESSAGE:
            kept = status.pending_count
            unsent = f"{kept} action(s) not yet sent are kept here." if kept else "all is sent."
            warnings.append(f"{REVOKED_MESSAGE}. Nothing is lost: {unsent}")
        elif status.needs_enrolment:
            warnings.append("This kiosk must be enrolled again before it can sync.")
        refused = rejected_text(status.rejected_count, status.rejected_reason)
        if refused:
            warnings.append(refused + ".")
        self.sync_warning_label.setText(" ".join(warnings))
        self.sync_warning_label.setVisible(bool(warnings))

    def set_credential_warning(self, warning: str | None) -> None:
        """Say in a few words that there is a warning; its detail (a file path) is for the
        staff desk's diagnostics, not the screen members see."""
        self.credential_warning = warning
        self.credential_label.setText(CREDENTIAL_NOTE if warning else "")
        self.credential_label.setVisible(bool(warning))
