"""NotificationService: telling people things. Standalone: SMTP; integrated: ZHEP messaging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    filename: str
    #: e.g. "application/pdf"
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Notification:
    to_email: str
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class NotificationService(Protocol):
    def send(self, notification: Notification) -> None: ...
