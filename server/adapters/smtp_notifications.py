"""Email through an SMTP server, and a log-only stand-in when none is configured.

``send`` is the plain email of ``Notification`` (password resets, receipts); ``deliver``
sends an ``OutgoingMessage`` of the delivery log: multipart/alternative (text, then HTML),
the tenant's sender, and on marketing and engagement mail the RFC 8058 one-click
unsubscribe headers. A 5xx answer of the server is permanent; anything else may pass later.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from server.ports.notifications import (
    Delivery,
    DeliveryFailed,
    Notification,
    OutgoingMessage,
)

log = logging.getLogger("zmos.notifications")


def _domain(sender: str) -> str:
    address = sender.rpartition("<")[2].rstrip(">").strip()
    return address.rpartition("@")[2] or "zmos.local"


def build_email(message: OutgoingMessage, default_sender: str) -> EmailMessage:
    """The MIME message of ``message``; pure, so tests can read what would be sent."""
    email = EmailMessage()
    sender = default_sender
    if message.sender is not None:
        sender = formataddr((message.sender.name, message.sender.address))
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=_domain(sender))
    if message.unsubscribe is not None:
        links = [f"<{message.unsubscribe.url}>"]
        if message.unsubscribe.mailto:
            links.append(f"<{message.unsubscribe.mailto}>")
        email["List-Unsubscribe"] = ", ".join(links)
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def _said(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _failure(exc: Exception) -> DeliveryFailed:
    """What the mail server said, in words staff can read in the delivery log."""
    code = getattr(exc, "smtp_code", None)
    words = f"SMTP: {exc}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = list(exc.recipients.items())
        codes = [c for _, (c, _) in refused]
        code = min(codes) if codes else None
        words = "; ".join(f"{to} refused: {c} {_said(reply)}" for to, (c, reply) in refused)
        words = f"SMTP: {words}" if refused else words
    elif isinstance(code, int):
        words = f"SMTP: {code} {_said(getattr(exc, 'smtp_error', b''))}".rstrip()
    permanent = isinstance(code, int) and 500 <= code < 600
    return DeliveryFailed(words, permanent=permanent)


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

    def deliver(self, message: OutgoingMessage) -> Delivery:
        email = build_email(message, self._sender)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise _failure(exc) from exc
        return Delivery(provider_id=str(email["Message-ID"]), status="sent")


class LogNotifications:
    """Used when no SMTP server is configured: the message goes to the server log."""

    def send(self, notification: Notification) -> None:
        log.info(
            "email to %s: %s\n%s", notification.to_email, notification.subject, notification.body
        )

    def deliver(self, message: OutgoingMessage) -> Delivery:
        log.info("%s to %s: %s\n%s", message.channel, message.to, message.subject, message.text)
        return Delivery(status="logged")
