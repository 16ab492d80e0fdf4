"""Messages on every channel against real servers on loopback: SMTP (aiosmtpd) with the
tenant's sender, HTML + text and RFC 8058 one-click unsubscribe; Twilio's Messages API with
its faults and signed status callbacks; Slack and Teams incoming webhooks with theirs; the
delivery log; members' channel choices and quiet hours."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from server.bootstrap import Container, outlets
from server.config import Settings
from server.engagement.models import MovementEvent
from server.engagement.projection import streaks_at_risk
from server.notices import rules
from server.notices import service as notices
from server.notices.models import ChannelPreferences, Notice, StaffChannel
from server.nudges import service as nudges
from server.nudges.models import Nudge
from shared.clock import utcnow
from shared.ids import new_id
from shared.quiet_hours import QuietHours
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to
from tests.loopback.chat_webhooks import ChatHandler, ChatState
from tests.loopback.http_base import Fault, serving
from tests.loopback.twilio import (
    FAULTS,
    TwilioHandler,
    TwilioState,
    error,
    sign,
    status_callback_params,
)

SID = "AC" + "1" * 32
TOKEN = "twilio-auth-token"
PUBLIC = "https://gym.example.com"
PHONE = "+233201234567"
NEVER_QUIET = QuietHours(time(0), time(0))
SLACK_HOOK = "/services/T0001/B0001/abcdef"
TEAMS_HOOK = "/webhookb2/abc/IncomingWebhook/def"


@pytest.fixture
def twilio() -> Iterator[tuple[TwilioState, str]]:
    state = TwilioState(SID, TOKEN)
    with serving(TwilioHandler, state) as url:
        yield state, url


@pytest.fixture
def chat() -> Iterator[tuple[ChatState, str]]:
    state = ChatState(slack_hooks={SLACK_HOOK}, teams_hooks={TEAMS_HOOK})
    with serving(ChatHandler, state) as url:
        yield state, url


@pytest.fixture
def settings(
    settings: Settings, smtp: tuple[SmtpSink, int], twilio: tuple[TwilioState, str]
) -> Settings:
    return mailing_to(
        settings,
        smtp,
        background_jobs=False,
        public_url=PUBLIC,
        sms_provider="twilio",
        twilio_base_url=twilio[1],
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        sms_from="+15005550006",
        whatsapp_from="+14155238886",
        messaging_timeout_seconds=0.5,
    )


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "notify-gym")


def _send(container: Container, now: datetime | None = None) -> int:
    return notices.deliver(
        make_uow=container.uow,
        notifications=container.notifications,
        outlets=outlets(container),
        now=now,
    )


def _message(
    studio: Studio,
    member_id: str,
    kind: rules.Kind,
    *,
    body: str = "Hello Ama,\n\nSee you at <b>HIIT</b> & friends.",
    quiet: QuietHours | None = NEVER_QUIET,
    not_before: datetime | None = None,
) -> list[str]:
    with studio.container.uow() as uow:
        queued = notices.to_member(
            uow=uow,
            tenant_id=uuid.UUID(studio.tenant_id),
            member_id=uuid.UUID(member_id),
            kind=kind,
            topic=f"test.{kind.value}",
            subject="A note from the gym",
            body=body,
            quiet=quiet,
            not_before=not_before,
        )
        uow.commit()
    return [c.value for c in queued]


def _notices(container: Container, **where: str) -> list[Notice]:
    with container.uow() as uow:
        query = select(Notice).order_by(Notice.created_at)
        for name, value in where.items():
            wanted: object = uuid.UUID(value) if name == "member_id" else value
            query = query.where(getattr(Notice, name) == wanted)
        rows = list(uow.db.execute(query).scalars())
        uow.db.expunge_all()
    return rows


def _settings(studio: Studio, **body: object) -> dict[str, object]:
    response = studio.api.client.put("/notice-settings", json=body, headers=studio.admin)
    assert response.status_code == 200, response.text
    result: dict[str, object] = response.json()
    return result


def _unsubscribe_url(message: EmailMessage) -> str:
    header = str(message["List-Unsubscribe"])
    url = header.split(",")[0].strip().strip("<>")
    assert url.startswith(f"{PUBLIC}/unsubscribe/"), header
    return url


# --- email ---------------------------------------------------------------------------------


def test_email_is_multipart_from_the_tenant_with_one_click_unsubscribe(
    studio: Studio, container: Container, mailbox: SmtpSink
) -> None:
    _settings(studio, sender_name="Osu Fitness", sender_email="hello@osu.example")
    member = studio.member(email="ama@example.com", first_name="Ama")
    assert _message(studio, member, rules.Kind.NUDGE) == ["email"]
    assert _send(container) == 1
    [mail] = mailbox.to("ama@example.com")
    assert mail["From"] == "Osu Fitness <hello@osu.example>"
    assert mail.get_content_type() == "multipart/alternative"
    text = mail.get_body(preferencelist=("plain",))
    html = mail.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    assert "See you at <b>HIIT</b> & friends." in text.get_content()
    # The HTML template escapes what the message says.
    assert "&lt;b&gt;HIIT&lt;/b&gt; &amp; friends." in html.get_content()
    assert "<b>HIIT</b>" not in html.get_content()
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = _unsubscribe_url(mail)
    assert url in html.get_content() and url in text.get_content()
    [row] = _notices(container, to_email="ama@example.com")
    assert (row.status, row.attempts, row.channel, row.kind) == ("sent", 1, "email", "nudge")
    assert row.provider_id and row.provider_id.startswith("<")


def test_transactional_mail_has_no_unsubscribe_and_the_default_sender(
    studio: Studio, container: Container, mailbox: SmtpSink
) -> None:
    member = studio.member(email="kofi@example.com")
    studio.booked(studio.session(), member)
    assert _send(container) == 1
    [mail] = mailbox.to("kofi@example.com")
    assert mail["List-Unsubscribe"] is None and mail["List-Unsubscribe-Post"] is None
    assert mail["From"] == container.settings.smtp_sender
    assert mail.get_body(preferencelist=("html",)) is not None


def test_one_click_unsubscribe_is_idempotent_and_a_get_changes_nothing(
    studio: Studio, container: Container, mailbox: SmtpSink
) -> None:
    member = studio.member(email="efua@example.com")
    _message(studio, member, rules.Kind.MARKETING)
    _send(container)
    path = _unsubscribe_url(mailbox.to("efua@example.com")[0]).removeprefix(PUBLIC)
    client = studio.api.client
    # A mail scanner following the link unsubscribes nobody.
    page = client.get(path)
    assert page.status_code == 200 and "<form" in page.text
    assert _message(studio, member, rules.Kind.MARKETING) == ["email"]
    for _ in range(2):
        done = client.post(
            path,
            content="List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200, done.text
        assert done.json() == {"kind": "marketing", "unsubscribed": True}
    assert _message(studio, member, rules.Kind.MARKETING) == []
    # Other kinds are untouched.
    assert _message(studio, member, rules.Kind.NUDGE) == ["email"]
    mine = client.get("/me/channels", headers=studio.member_headers(member)).json()
    assert mine["marketing"] == [] and mine["nudge"] == ["email"]


def test_a_forged_unsubscribe_token_is_refused_and_changes_nothing(
    studio: Studio, container: Container, mailbox: SmtpSink
) -> None:
    member = studio.member(email="yaw@example.com")
    _message(studio, member, rules.Kind.NUDGE)
    _send(container)
    token = _unsubscribe_url(mailbox.to("yaw@example.com")[0]).rsplit("/", 1)[1]
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    other_kind = rules.unsubscribe_token(
        "not-the-server-secret",
        rules.UnsubscribeRequest(uuid.UUID(studio.tenant_id), uuid.UUID(member), rules.Kind.NUDGE),
    )
    for bad in (flipped, other_kind, "garbage", "x" * 150):
        response = studio.api.client.post(f"/unsubscribe/{bad}")
        assert response.status_code == 404, (bad, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    with container.uow() as uow:
        assert (
            uow.db.get(ChannelPreferences, (uuid.UUID(studio.tenant_id), uuid.UUID(member))) is None
        )
    assert _message(studio, member, rules.Kind.NUDGE) == ["email"]


# --- SMS and WhatsApp through Twilio -------------------------------------------------------


def _phone_member(studio: Studio, *channels: str) -> str:
    member = studio.member(email="abena@example.com", phone=PHONE)
    response = studio.api.client.put(
        "/me/channels",
        json={"reminder": list(channels), "nudge": ["email"], "marketing": []},
        headers=studio.member_headers(member),
    )
    assert response.status_code == 200, response.text
    return member


def test_sms_and_whatsapp_go_through_twilio_with_basic_auth_and_form_fields(
    studio: Studio, container: Container, twilio: tuple[TwilioState, str]
) -> None:
    state = twilio[0]
    member = _phone_member(studio, "sms", "whatsapp")
    assert sorted(_message(studio, member, rules.Kind.REMINDER, body="HIIT at 07:00")) == [
        "sms",
        "whatsapp",
    ]
    assert _send(container) == 2
    by_to = {m["To"]: m for m in state.messages}
    assert set(by_to) == {PHONE, f"whatsapp:{PHONE}"}
    assert by_to[PHONE]["From"] == "+15005550006"
    assert by_to[f"whatsapp:{PHONE}"]["From"] == "whatsapp:+14155238886"
    assert "HIIT at 07:00" in by_to[PHONE]["Body"]
    rows = _notices(container, member_id=member)
    assert {r.status for r in rows} == {"sent"}
    assert all(r.provider_id and r.provider_id.startswith("SM") for r in rows)
    callback = by_to[PHONE]["StatusCallback"]
    sms = next(r for r in rows if r.channel == "sms")
    assert callback == f"{PUBLIC}/notices/status/{studio.tenant_id}/{sms.id}"


def test_twilio_faults_retry_transient_and_fail_permanent(
    studio: Studio, container: Container, twilio: tuple[TwilioState, str]
) -> None:
    state = twilio[0]
    member = _phone_member(studio, "sms")
    state.script.faults += [
        FAULTS["server_error"],
        Fault(delay=1.5),  # longer than the client waits
        FAULTS["rate_limited"],
    ]
    _message(studio, member, rules.Kind.REMINDER, body="one")
    later = datetime.now(UTC)
    for attempt in (1, 2, 3):
        assert _send(container, now=later) == 0
        [row] = _notices(container, member_id=member)
        assert (row.status, row.attempts) == ("queued", attempt)
        assert row.last_error
        later = row.next_attempt_at + timedelta(seconds=1)
    # The 429's Retry-After (120 s) is longer than the backoff of a third failure (2 min)?
    assert row.next_attempt_at - datetime.now(UTC) >= timedelta(seconds=115)
    assert "429" in (row.last_error or "")
    assert _send(container, now=later) == 1
    [row] = _notices(container, member_id=member)
    assert (row.status, row.attempts, row.last_error) == ("sent", 4, None)
    # A 4xx is permanent: failed at once, never tried again.
    state.script.faults.append(
        Fault(400, error(21211, "The 'To' number is not valid.", 400), "application/json")
    )
    _message(studio, member, rules.Kind.REMINDER, body="two")
    assert _send(container) == 0
    failed = [r for r in _notices(container, member_id=member) if r.status == "failed"]
    assert len(failed) == 1 and "21211" in (failed[0].last_error or "")
    asked = state.requests
    assert _send(container, now=datetime.now(UTC) + timedelta(days=1)) == 0
    assert state.requests == asked


def test_wrong_twilio_credentials_fail_permanently(
    studio: Studio, container: Container, twilio: tuple[TwilioState, str]
) -> None:
    twilio[0].auth_token = "rotated-at-twilio"
    member = _phone_member(studio, "sms")
    _message(studio, member, rules.Kind.REMINDER)
    assert _send(container) == 0
    [row] = _notices(container, member_id=member)
    assert row.status == "failed" and "20003" in (row.last_error or "")


def test_status_callbacks_need_twilios_signature(
    studio: Studio, container: Container, twilio: tuple[TwilioState, str]
) -> None:
    state = twilio[0]
    member = _phone_member(studio, "sms")
    _message(studio, member, rules.Kind.REMINDER)
    _send(container)
    [row] = _notices(container, member_id=member)
    url = state.messages[0]["StatusCallback"]
    path = url.removeprefix(PUBLIC)
    params = status_callback_params(state, row.provider_id or "", "delivered")
    client = studio.api.client
    forged = client.post(
        path, data=params, headers={"X-Twilio-Signature": sign("guess", url, params)}
    )
    assert forged.status_code == 403
    unsigned = client.post(path, data=params)
    assert unsigned.status_code == 403
    tampered = dict(params, MessageStatus="failed")
    moved = client.post(
        path, data=tampered, headers={"X-Twilio-Signature": sign(TOKEN, url, params)}
    )
    assert moved.status_code == 403
    [row] = _notices(container, member_id=member)
    assert (row.status, row.provider_status) == ("sent", "queued")
    good = client.post(path, data=params, headers={"X-Twilio-Signature": sign(TOKEN, url, params)})
    assert good.status_code == 200, good.text
    assert good.json() == {"recorded": True}
    [row] = _notices(container, member_id=member)
    assert row.provider_status == "delivered"


# --- staff channels ------------------------------------------------------------------------


def _staff_channels(studio: Studio, chat_url: str) -> None:
    body = _settings(
        studio,
        slack_webhook_url=f"{chat_url}{SLACK_HOOK}",
        teams_webhook_url=f"{chat_url}{TEAMS_HOOK}",
        staff_events=["session.cancelled"],
    )
    assert body["slack_configured"] is True and body["teams_configured"] is True
    assert "slack_webhook_url" not in body


def _cancel(studio: Studio) -> None:
    session_id = studio.session()
    studio.booked(session_id, studio.member(email=f"{uuid.uuid4().hex[:8]}@example.com"))
    response = studio.api.client.post(
        f"/sessions/{session_id}/cancel", json={"reason": "coach is ill"}, headers=studio.admin
    )
    assert response.status_code == 200, response.text


def test_a_cancelled_class_is_posted_to_slack_and_teams(
    studio: Studio, container: Container, chat: tuple[ChatState, str]
) -> None:
    state, url = chat
    _staff_channels(studio, url)
    with container.uow() as uow:
        rows = list(uow.db.execute(select(StaffChannel)).scalars())
        assert {r.channel for r in rows} == {"slack", "teams"}
        assert all(b"/services/" not in r.sealed_url for r in rows)  # sealed at rest
        assert all(b"/webhookb2/" not in r.sealed_url for r in rows)
    _cancel(studio)
    _send(container)
    [slack] = state.slack
    assert "Class cancelled: HIIT" in slack["text"] and "coach is ill" in slack["text"]
    [card] = state.teams
    assert card["@type"] == "MessageCard" and "coach is ill" in card["text"]
    staff = [r for r in _notices(container, kind="staff")]
    assert {(r.channel, r.status) for r in staff} == {("slack", "sent"), ("teams", "sent")}


def test_staff_channel_faults(
    studio: Studio, container: Container, chat: tuple[ChatState, str]
) -> None:
    state, url = chat
    _staff_channels(studio, url)
    _settings(
        studio,
        slack_webhook_url=f"{url}{SLACK_HOOK}",
        staff_events=["session.cancelled"],
        clear_teams=True,
    )
    state.script.faults += [
        Fault(429, b"rate_limited", headers={"Retry-After": "30"}),
        Fault(503, b"service unavailable"),
    ]
    _cancel(studio)
    _send(container)
    [row] = _notices(container, kind="staff")
    assert row.status == "queued" and "429" in (row.last_error or "")
    # Retry-After 30 s, and the first backoff is 30 s: at least that long either way.
    assert row.next_attempt_at - datetime.now(UTC) >= timedelta(seconds=28)
    _send(container, now=row.next_attempt_at + timedelta(seconds=1))
    [row] = _notices(container, kind="staff")
    assert row.attempts == 2 and "503" in (row.last_error or "")
    _send(container, now=row.next_attempt_at + timedelta(seconds=1))
    [row] = _notices(container, kind="staff")
    assert (row.status, row.attempts) == ("sent", 3)
    assert len(state.slack) == 1
    # A revoked hook (404 no_service) and a refused payload are permanent.
    state.script.faults.append(Fault(400, b"invalid_payload"))
    _cancel(studio)
    state.slack_hooks.clear()
    _cancel(studio)
    _send(container)
    failed = sorted(r.last_error or "" for r in _notices(container, kind="staff", status="failed"))
    assert len(failed) == 2
    assert "invalid_payload" in failed[0] and "no_service" in failed[1]


# --- preferences, quiet hours, the log ----------------------------------------------------


def test_sms_needs_a_phone_with_a_country_code(studio: Studio, container: Container) -> None:
    member = studio.member(email="no-phone@example.com", phone="0201234567")
    headers = studio.member_headers(member)
    response = studio.api.client.put("/me/channels", json={"reminder": ["sms"]}, headers=headers)
    assert response.status_code == 422, response.text
    assert "country code" in response.json()["detail"]
    assert studio.api.client.get("/me/channels", headers=headers).json() == {
        "reminder": ["email"],
        "nudge": ["email"],
        "marketing": ["email"],
        "phone_ok": False,
    }


def test_quiet_hours_hold_across_the_spring_change_but_never_transactional(
    studio: Studio, container: Container
) -> None:
    # The tenant's default: 22:00 to 07:00 in the studio's zone (Europe/London).
    _settings(studio, quiet_start="22:00", quiet_end="07:00")
    member = studio.member(email="late@example.com")
    # 23:30 GMT on Saturday 27 March 2027; clocks go forward at 01:00 that night.
    spring = datetime(2027, 3, 27, 23, 30, tzinfo=UTC)
    # 22:30 BST (21:30 UTC) on Saturday 30 October 2027; clocks go back at 02:00.
    autumn = datetime(2027, 10, 30, 21, 30, tzinfo=UTC)
    for due in (spring, autumn):
        _message(studio, member, rules.Kind.NUDGE, quiet=None, not_before=due)
        _message(studio, member, rules.Kind.TRANSACTIONAL, quiet=None, not_before=due)
    rows = _notices(container, member_id=member)
    held = sorted(r.next_attempt_at for r in rows if r.kind == "nudge")
    # 07:00 on the member's clock both times: 06:00 UTC in BST, 07:00 UTC in GMT.
    assert held == [
        datetime(2027, 3, 28, 6, 0, tzinfo=UTC),
        datetime(2027, 10, 31, 7, 0, tzinfo=UTC),
    ]
    # Transactional messages are never held.
    assert sorted(r.next_attempt_at for r in rows if r.kind == "transactional") == [
        spring,
        autumn,
    ]


def test_the_delivery_log_is_paged_and_for_managers(
    studio: Studio, container: Container, mailbox: SmtpSink
) -> None:
    member = studio.member(email="log@example.com")
    for _ in range(3):
        _message(studio, member, rules.Kind.NUDGE)
    _send(container)
    client = studio.api.client
    first = client.get("/notices?limit=2&channel=email", headers=studio.admin).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = client.get("/notices?limit=2&offset=2&status=sent", headers=studio.admin).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    assert rest["items"][0]["attempts"] == 1 and rest["items"][0]["status"] == "sent"
    assert client.get("/notices", headers=studio.staff).status_code == 403
    assert client.get("/notices", headers=studio.member_headers(member)).status_code == 403
    assert client.get("/notices?channel=fax", headers=studio.admin).status_code == 422


def _lapsed(studio: Studio, member: str) -> None:
    """Eight days without movement: the nudge job has a lapsed-activity nudge for them."""
    last = utcnow() - timedelta(days=8)
    with studio.container.uow() as uow:
        uow.db.add(
            MovementEvent(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member),
                kind="floor_checkin",
                occurred_at=last,
                data={},
                minutes=60,
                intensity="moderate",
                provenance="scanner_verified",
                source="kiosk",
                local_date=last.date(),
                zone="Europe/London",
                is_void=False,
            )
        )
        uow.commit()


def test_the_nudge_job_follows_the_members_channels(
    studio: Studio, container: Container, twilio: tuple[TwilioState, str]
) -> None:
    by_sms = studio.member(email="sms-only@example.com", phone=PHONE)
    silent = studio.member(email="silent@example.com")
    client = studio.api.client
    for member, nudge in ((by_sms, ["sms"]), (silent, [])):
        body = {"reminder": ["email"], "nudge": nudge, "marketing": []}
        response = client.put("/me/channels", json=body, headers=studio.member_headers(member))
        assert response.status_code == 200, response.text
        _lapsed(studio, member)
    # No quiet hours for either, so the job may send now.
    for member in (by_sms, silent):
        response = client.put(
            "/me/nudge-settings",
            json={"opted_out": [], "quiet_start": "00:00", "quiet_end": "00:00"},
            headers=studio.member_headers(member),
        )
        assert response.status_code == 200, response.text
    assert nudges.run_nudges(container.uow, streaks_at_risk=streaks_at_risk) == 1
    [sms] = _notices(container, member_id=by_sms)
    assert (sms.channel, sms.to_email, sms.kind) == ("sms", PHONE, "nudge")
    assert _notices(container, member_id=silent) == []
    with container.uow() as uow:
        skipped = uow.db.execute(
            select(Nudge.skipped).where(Nudge.member_id == uuid.UUID(silent))
        ).scalar_one()
    assert skipped == "opted_out"
    _send(container)
    assert [m["To"] for m in twilio[0].messages] == [PHONE]
