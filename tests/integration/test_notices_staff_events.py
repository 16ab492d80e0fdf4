"""Staff events on the tenant's Slack and Teams incoming webhooks (loopback servers that
follow their contracts): a waitlist promoted into a full class, a refund the payment
provider declined, a webhook subscription's events dead-lettered. Each is queued with the
change it is about, and posted only if the tenant chose it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from server.bootstrap import Container, outlets
from server.config import Settings
from server.notices import service as notices
from server.notices.models import Notice
from server.outbox.models import DEAD
from server.outbox.record import record
from tests.integration.bookings_helpers import open_studio
from tests.integration.helpers import Api
from tests.integration.outbox_helpers import deliveries, drain, event, subscribe
from tests.integration.psp_helpers import (
    Psps,
    card_on_file,
    loopback_psps,
    psp_desk,
    psp_settings,
    sale_body,
)
from tests.loopback.chat_webhooks import ChatHandler, ChatState
from tests.loopback.event_receiver import Answer, event_receiver
from tests.loopback.http_base import serving

SLACK_HOOK = "/services/T0002/B0002/staffevents"
TEAMS_HOOK = "/webhookb2/staff/IncomingWebhook/events"


@pytest.fixture
def chat() -> Iterator[tuple[ChatState, str]]:
    state = ChatState(slack_hooks={SLACK_HOOK}, teams_hooks={TEAMS_HOOK})
    with serving(ChatHandler, state) as url:
        yield state, url


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps).model_copy(update={"background_jobs": False})


def _channels(api: Api, headers: dict[str, str], url: str, *events: str) -> None:
    body = {
        "slack_webhook_url": f"{url}{SLACK_HOOK}",
        "teams_webhook_url": f"{url}{TEAMS_HOOK}",
        "staff_events": list(events),
    }
    response = api.client.put("/notice-settings", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["staff_events"] == sorted(events)


def _post(container: Container) -> int:
    """What the process's notices job does."""
    return notices.deliver(
        make_uow=container.uow,
        notifications=container.notifications,
        outlets=outlets(container),
    )


def _staff_log(container: Container) -> list[tuple[str, str, str]]:
    with container.uow() as uow:
        rows = uow.db.execute(
            select(Notice.topic, Notice.channel, Notice.status)
            .where(Notice.kind == "staff")
            .order_by(Notice.channel)
        ).all()
    return [(r.topic, r.channel, r.status) for r in rows]


def test_a_waitlist_promoted_into_a_full_class_is_posted(
    api: Api, container: Container, chat: tuple[ChatState, str]
) -> None:
    state, url = chat
    studio = open_studio(api, container, "promo-gym")
    _channels(api, studio.admin, url, "booking.promoted")
    session_id = studio.session(capacity=1)
    first = studio.booked(session_id, studio.member(email="a@promo.example"))
    studio.booked(session_id, studio.member(email="b@promo.example", first_name="Kwesi"))
    _post(container)
    assert state.slack == [] and state.teams == []  # booking and waitlisting: not staff news
    assert studio.cancel(first["id"]).status_code == 200
    _post(container)
    [slack] = state.slack
    assert "Waitlist promoted: HIIT at Osu Studio" in slack["text"]
    assert "Kwesi" in slack["text"] and "promoted from the waitlist" in slack["text"]
    [card] = state.teams
    assert card["@type"] == "MessageCard" and "Kwesi" in card["text"]
    assert _staff_log(container) == [
        ("booking.promoted", "slack", "sent"),
        ("booking.promoted", "teams", "sent"),
    ]


def test_a_promotion_is_not_posted_when_the_tenant_did_not_choose_it(
    api: Api, container: Container, chat: tuple[ChatState, str]
) -> None:
    state, url = chat
    studio = open_studio(api, container, "quiet-gym")
    _channels(api, studio.admin, url, "session.cancelled", "refund.declined")
    session_id = studio.session(capacity=1)
    first = studio.booked(session_id, studio.member(email="a@quiet.example"))
    studio.booked(session_id, studio.member(email="b@quiet.example"))
    assert studio.cancel(first["id"]).status_code == 200
    _post(container)
    assert state.slack == [] and state.teams == [] and _staff_log(container) == []


def test_a_refund_the_psp_declines_is_posted(
    api: Api, container: Container, psps: Psps, chat: tuple[ChatState, str]
) -> None:
    state, url = chat
    desk, plan = psp_desk(api, container, "refund-post")
    member = desk.member()
    card_on_file(api, desk, member)
    made = api.client.post(
        "/sales", json=sale_body(desk, member, plan, "card_on_file"), headers=desk.desk
    )
    assert made.status_code == 201, made.text
    sale_id = made.json()["sale_id"]
    _channels(api, desk.admin, url, "refund.declined")
    [intent] = psps.stripe.intents.values()
    intent["amount_refunded"] = 2500  # refunded in Stripe's dashboard already
    body = {"refund_id": str(uuid.uuid4()), "reason": "moved away", "amount": "20.00"}
    declined = api.client.post(f"/sales/{sale_id}/refunds", json=body, headers=desk.admin)
    assert declined.status_code == 402, declined.text
    _post(container)
    [slack] = state.slack
    assert "Refund declined: 20.00 GHS (receipt 000001)" in slack["text"]
    assert "greater than unrefunded" in slack["text"]
    assert len(state.teams) == 1
    # A refund that goes through is not news for the channel.
    intent["amount_refunded"] = 0
    body = {"refund_id": str(uuid.uuid4()), "reason": "moved away"}
    done = api.client.post(f"/sales/{sale_id}/refunds", json=body, headers=desk.admin)
    assert done.status_code == 201, done.text
    _post(container)
    assert len(state.slack) == 1 and len(state.teams) == 1


def test_a_subscriptions_dead_letters_are_posted_once(
    api: Api, container: Container, chat: tuple[ChatState, str]
) -> None:
    state, url = chat
    tenant = api.sign_up("dead-post")
    _channels(api, tenant.headers, url, "webhook.dead_lettered")
    relay = container.relay()  # as the process wires it: with the staff channel's hook
    with event_receiver(answer=lambda _n, _e: Answer(500)) as receiver:
        made = subscribe(api, tenant, f"{receiver.url}?token=do-not-show")
        receiver.secrets.append(made["secret"])
        with container.uow() as uow:
            record(uow.db, [event(tenant.id, "test.dead", uuid.uuid4())])
            uow.commit()
        drain(container, relay, datetime.now(UTC))
        assert [d.state for d in deliveries(container) if d.target.startswith("sub")] == [DEAD]
        _post(container)
        [slack] = state.slack
        assert "Webhook deliveries given up: tests (127.0.0.1)" in slack["text"]
        assert "1 event was given up" in slack["text"] and "500" in slack["text"]
        assert made["id"] in slack["text"] and "do-not-show" not in slack["text"]
        assert len(state.teams) == 1
        # Nothing more is dead-lettered: nothing more is posted.
        relay.run()
        _post(container)
        assert len(state.slack) == 1
