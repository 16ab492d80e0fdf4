"""Transactional mail (password links, invitations, receipts) goes through the delivery log:
queued with the change, sent right after the commit through a real SMTP server on
loopback, retried by the delivery job when that server is down; never held by quiet hours,
never with an unsubscribe link, whatever the member chose for other kinds; a one-time link
is never listed and is wiped from the log once sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from server.bootstrap import Container, outlets
from server.config import Settings
from server.notices import service as notices
from server.notices.models import Notice
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to, password_token_in
from tests.integration.plans_helpers import DAY_PASS
from tests.integration.sales_helpers import sold
from tests.ports import free_port

PUBLIC = "https://gym.example.com"


class Smtp:
    """A loopback SMTP server that can be down: its port is fixed, the server started and
    stopped at will (connections are refused while it is down)."""

    def __init__(self) -> None:
        self.sink = SmtpSink()
        self.port = free_port()
        self._controller: Controller | None = None

    def up(self) -> None:
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def server() -> Iterator[Smtp]:
    smtp = Smtp()
    smtp.up()
    try:
        yield smtp
    finally:
        smtp.down()


@pytest.fixture
def settings(settings: Settings, server: Smtp) -> Settings:
    return mailing_to(
        settings, (server.sink, server.port), background_jobs=False, public_url=PUBLIC
    )


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "txn-gym")


def _log(container: Container, topic: str) -> list[Notice]:
    with container.uow() as uow:
        rows = list(
            uow.db.execute(
                select(Notice).where(Notice.topic == topic).order_by(Notice.created_at)
            ).scalars()
        )
        for row in rows:
            _ = row.attachment  # deferred: loaded before the session closes
        uow.db.expunge_all()
    return rows


def _job(container: Container, after: Notice) -> int:
    """The delivery job, run just after the notice's next attempt is due."""
    return notices.deliver(
        make_uow=container.uow,
        notifications=container.notifications,
        outlets=outlets(container),
        now=after.next_attempt_at + timedelta(seconds=1),
    )


def _reset(studio: Studio, email: str) -> None:
    response = studio.api.client.post(
        "/members/password-reset", json={"tenant": "txn-gym", "email": email}
    )
    assert response.status_code == 202, response.text


def _confirmed(studio: Studio, message: EmailMessage) -> None:
    body = {"token": password_token_in(message), "password": "a brand new password 9"}
    response = studio.api.client.post("/members/password-reset/confirm", json=body)
    assert response.status_code == 200, response.text


def test_a_reset_is_mailed_at_once_despite_quiet_hours_and_opt_outs_and_logged_wiped(
    studio: Studio, container: Container, server: Smtp
) -> None:
    # Quiet all day long, and the member turned every kind they may choose off.
    settings = {"quiet_start": "00:00", "quiet_end": "23:59"}
    assert studio.api.client.put("/notice-settings", json=settings, headers=studio.admin).is_success
    member = studio.member(email="ama@txn.example")
    off: dict[str, list[str]] = {"reminder": [], "nudge": [], "marketing": []}
    headers = studio.member_headers(member)
    assert studio.api.client.put("/me/channels", json=off, headers=headers).status_code == 200

    _reset(studio, "ama@txn.example")
    # Sent before the answer came back: no job ran.
    [message] = server.sink.to("ama@txn.example")
    assert "Reset your password" in str(message["Subject"])
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    token = password_token_in(message)
    [row] = _log(container, "member.reset")
    assert (row.kind, row.channel) == ("transactional", "email")
    assert (row.status, row.attempts) == ("sent", 1)
    assert str(row.member_id) == member and row.secret
    # The one-time link is not kept once sent, and never listed.
    assert token not in row.body and row.body == notices.WIPED_BODY
    listed = studio.api.client.get("/notices?status=sent", headers=studio.admin)
    assert listed.status_code == 200 and token not in listed.text
    [item] = [i for i in listed.json()["items"] if i["topic"] == "member.reset"]
    assert item["to_email"] == "ama@txn.example" and "body" not in item
    _confirmed(studio, message)
    # Sent once: the job finds nothing left to send.
    assert _job(container, row) == 0
    assert len(server.sink.to("ama@txn.example")) == 1


def test_a_reset_while_the_mail_server_is_down_is_sent_by_the_job(
    studio: Studio, container: Container, server: Smtp
) -> None:
    studio.member(email="kofi@txn.example")
    server.down()
    _reset(studio, "kofi@txn.example")  # the change is kept: the answer is the same
    [row] = _log(container, "member.reset")
    assert (row.status, row.attempts) == ("queued", 1) and row.last_error
    assert row.next_attempt_at > row.created_at + timedelta(seconds=25)  # backed off
    listed = studio.api.client.get("/notices?status=queued", headers=studio.admin).text
    assert "member.reset" in listed and "Reset" in listed
    assert row.body not in listed and "kofi@txn.example" in listed
    # Not due yet: the job leaves it alone.
    assert notices.deliver(make_uow=container.uow, notifications=container.notifications) == 0
    server.up()
    assert _job(container, row) == 1
    [message] = server.sink.to("kofi@txn.example")
    assert message["List-Unsubscribe"] is None
    [sent] = _log(container, "member.reset")
    assert (sent.status, sent.attempts, sent.body) == ("sent", 2, notices.WIPED_BODY)
    _confirmed(studio, message)


def test_staff_resets_and_invitations_are_logged_and_sent(
    studio: Studio, container: Container, server: Smtp
) -> None:
    client = studio.api.client
    made = client.post(
        "/staff",
        json={"email": "new@txn.example", "name": "Yaw", "role": "front_desk"},
        headers=studio.admin,
    )
    assert made.status_code == 201, made.text
    [invited] = server.sink.to("new@txn.example")
    assert "invited" in str(invited["Subject"])
    again = client.post(f"/staff/{made.json()['id']}/invitation", headers=studio.admin)
    assert again.status_code == 202, again.text
    reset = client.post(
        "/staff/password-reset", json={"tenant": "txn-gym", "email": "new@txn.example"}
    )
    assert reset.status_code == 202
    assert len(server.sink.to("new@txn.example")) == 3
    rows = _log(container, "staff.invitation") + _log(container, "staff.reset")
    assert [(r.status, r.secret, r.body) for r in rows] == [("sent", True, notices.WIPED_BODY)] * 3


def test_a_receipt_is_logged_and_retried_with_its_pdf(
    studio: Studio, container: Container, server: Smtp
) -> None:
    desk = studio.desk
    member = desk.member(email="esi@txn.example")
    sale = sold(desk, member, desk.plan(DAY_PASS), "12.50")
    server.down()
    sent = studio.api.client.post(f"/sales/{sale['sale_id']}/receipt/email", headers=desk.desk)
    assert sent.status_code == 200, sent.text
    [row] = _log(container, "sale.receipt")
    assert (row.status, row.kind, str(row.member_id)) == ("queued", "transactional", member)
    assert row.attachment_name == "receipt-000001.pdf"
    assert row.attachment is not None and row.attachment.startswith(b"%PDF")
    assert not row.secret and "12.50" in row.body
    server.up()
    assert _job(container, row) == 1
    [message] = server.sink.to("esi@txn.example")
    [attachment] = list(message.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "receipt-000001.pdf"
    [done] = _log(container, "sale.receipt")
    # Sent: the file is dropped (the receipt can be made again), the log line kept.
    assert (done.status, done.attachment, done.attempts) == ("sent", None, 2)
    assert uuid.UUID(str(done.id)) == row.id
