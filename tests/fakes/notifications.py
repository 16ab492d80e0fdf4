"""A NotificationService that keeps messages instead of sending them, or fails on demand."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.ports.notifications import Notification


@dataclass
class FakeNotifications:
    sent: list[Notification] = field(default_factory=list)
    #: Sends that fail before one goes through (a mail server that is down).
    failures: int = 0

    def send(self, notification: Notification) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionRefusedError("the mail server is down")
        self.sent.append(notification)

    def to(self, address: str) -> list[Notification]:
        return [n for n in self.sent if n.to_email == address]
