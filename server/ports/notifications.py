"""NotificationService: telling people things. Standalone: SMTP; integrated: ZHEP messaging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Notification:
    to_email: str
    subject: str
    body: str


class NotificationService(Protocol):
    def send(self, notification: Notification) -> None: ...
