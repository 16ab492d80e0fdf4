"""Email through an SMTP server, and a log-only stand-in when none is configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from server.ports.notifications import Notification

log = logging.getLogger("zmos.notifications")


class SmtpNotifications:
    def __init__(self, host: str, port: int, sender: str, *, timeout: float = 10.0) -> None:
        self._host, self._port, self._sender, self._timeout = host, port, sender, timeout

    def send(self, notification: Notification) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = notification.to_email
        message["Subject"] = notification.subject
        message.set_content(notification.body)
        for attachment in notification.attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.content,
                maintype=maintype,
                subtype=subtype,
                filename=attachment.filename,
            )
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            smtp.send_message(message)


class LogNotifications:
    """Used when no SMTP server is configured: the message goes to the server log."""

    def send(self, notification: Notification) -> None:
        log.info(
            "email to %s: %s\n%s", notification.to_email, notification.subject, notification.body
        )
