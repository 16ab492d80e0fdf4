"""A real SMTP server on loopback (aiosmtpd) that keeps what it accepts and refuses the
recipients it is told to, as a receiving server does for an unknown mailbox: ``550 5.1.1``
to RCPT TO (RFC 5321 §4.2.2), a permanent failure."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.integration.members_helpers import SmtpSink
from tests.ports import free_port


@dataclass
class RefusingSink(SmtpSink):
    #: Addresses answered "550 no such mailbox" (lower case); remove one to accept it.
    refused: set[str] = field(default_factory=set)
    #: Every RCPT TO refused, in order.
    refusals: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.refused:
            self.refusals.append(address)
            return f"550 5.1.1 <{address}>: Recipient address rejected: no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@contextmanager
def refusing_smtp(*refused: str) -> Iterator[tuple[RefusingSink, int]]:
    """(the sink, its port); ``refused``: addresses it refuses at first."""
    sink = RefusingSink(refused={a.lower() for a in refused})
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
