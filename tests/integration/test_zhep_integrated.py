"""The server in integrated mode, on SQLite and PostgreSQL, with ZHEP's payments, messaging
and health-score services on loopback: renewals are charged at ZHEP once (outage or not),
queued notices go out through ZHEP messaging, and a door check-in reaches the health-score
engine while what it does not take stays home."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from typing import Any

import pytest
from pydantic import SecretStr

from server.bootstrap import Container
from server.config import Settings
from server.notices import service as notices
from server.plans import renewals
from server.sales import refunding
from shared.clock import utcnow
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk
from tests.loopback.zhep_services import TOKEN, RunningZhep, zhep_service


@pytest.fixture
def zhep() -> Iterator[dict[str, RunningZhep]]:
    with (
        zhep_service("payments") as payments,
        zhep_service("messaging") as messaging,
        zhep_service("health-score") as health,
    ):
        running = {"payments": payments, "messaging": messaging, "health-score": health}
        yield running
        assert {name: s.state.violations for name, s in running.items()} == {
            name: [] for name in running
        }


@pytest.fixture
def settings(settings: Settings, zhep: dict[str, RunningZhep]) -> Settings:
    return settings.model_copy(
        update={
            "mode": "integrated",
            "zhep_payments_url": zhep["payments"].url,
            "zhep_messaging_url": zhep["messaging"].url,
            "zhep_health_score_url": zhep["health-score"].url,
            "zhep_service_token": SecretStr(TOKEN),
            "zhep_timeout_seconds": 2.0,
        }
    )


def _due_membership(desk: Desk) -> tuple[str, dict[str, Any], date]:
    member_id = desk.member()
    started = date.today() - timedelta(days=40)
    membership = desk.membership(member_id, desk.plan(MONTHLY), starts_on=started.isoformat())
    return member_id, membership, date.fromisoformat(membership["next_renewal_on"])


def _renew(container: Container, today: date) -> renewals.RenewalRun:
    return renewals.renew_due(make_uow=container.uow, payments=container.payments, today=today)


def test_a_renewal_is_charged_at_zhep_once_through_an_outage(
    api: Api, container: Container, zhep: dict[str, RunningZhep]
) -> None:
    desk = open_desk(api, container, "zhep-renew")
    member_id, membership, due = _due_membership(desk)
    payments = zhep["payments"].state
    payments.fail(503, times=3)  # ZHEP down for every try of this run
    run = _renew(container, due)
    assert (run.charged, run.declined, run.failed) == (0, 0, 1)
    assert payments.made_payments() == []
    payments.fail(502)  # back, after one more hiccup
    assert _renew(container, due).charged == 1
    assert _renew(container, due).charged == 0  # the job again: nothing more
    [payment] = payments.made_payments()
    assert (payment["amount_minor"], payment["currency"], payment["method"]) == (
        4500,
        "GBP",
        "card",
    )
    keys = {r["headers"]["Idempotency-Key"] for r in payments.seen("POST", "/v1/payments")}
    assert len(keys) == 1  # every try of that renewal, one key
    body = payments.seen("POST", "/v1/payments")[-1]["body"]
    assert body["member_ref"] == member_id
    assert body["metadata"] == {"membership_id": membership["id"]}


def test_desk_sales_stay_at_the_desk(
    api: Api, container: Container, zhep: dict[str, RunningZhep]
) -> None:
    desk = open_desk(api, container, "zhep-desk")
    _due_membership(desk)  # a desk sale, taken in cash
    assert zhep["payments"].state.requests == []


def test_queued_notices_go_out_through_zhep_messaging_once(
    api: Api, container: Container, zhep: dict[str, RunningZhep]
) -> None:
    tenant = api.sign_up("zhep-notices")
    with container.uow() as uow:
        notices.queue(
            uow=uow,
            tenant_id=uuid.UUID(tenant.id),
            to_email="ama@example.com",
            subject="Your class moved",
            body="Spin is at 18:00 today.",
            topic="bookings",
        )
        uow.commit()
    messaging = zhep["messaging"].state
    messaging.fail(503, times=3)
    assert notices.deliver(make_uow=container.uow, notifications=container.notifications) == 0
    # Retried after its backoff (the notice's next attempt), when ZHEP is back.
    tomorrow = datetime.combine(date.today() + timedelta(days=1), time(12), tzinfo=UTC)
    sent = notices.deliver(
        make_uow=container.uow, notifications=container.notifications, now=tomorrow
    )
    assert sent == 1
    [(body, _)] = messaging.messages.values()
    assert body["recipient"] == {"email": "ama@example.com"}
    assert (body["channel"], body["subject"]) == ("email", "Your class moved")
    again = notices.deliver(
        make_uow=container.uow, notifications=container.notifications, now=tomorrow
    )
    assert again == 0 and len(messaging.messages) == 1


def test_a_check_in_reaches_the_health_score_engine_and_a_cancellation_does_not(
    api: Api, container: Container, zhep: dict[str, RunningZhep]
) -> None:
    desk = open_desk(api, container, "zhep-door")
    member_id, membership, _ = _due_membership(desk)
    health = zhep["health-score"].state
    health.requests.clear()
    response = desk.check_in(member_id)
    assert response.status_code == 201, response.text
    assert health.events == []  # in the outbox, committed with the check-in
    container.relay().run()
    [event] = health.events
    assert event["type"] == "zmos.movement.floor_checkin"
    assert event["subject"] == f"member/{member_id}"
    assert event["data"]["checkin_id"] == response.json()["id"]
    cancelled = api.client.post(
        f"/memberships/{membership['id']}/cancel",
        json={"reason": "moving away"},
        headers=desk.admin,
    )
    assert cancelled.status_code == 200, cancelled.text
    container.relay().run()
    assert len(health.requests) == 1  # the check-in's, nothing for the cancellation


def test_the_health_score_engine_down_loses_nothing(
    api: Api, container: Container, zhep: dict[str, RunningZhep]
) -> None:
    """The engine answering 503 for a while: the outbox keeps the check-in and the relay
    sends it once the engine is back, once."""
    desk = open_desk(api, container, "zhep-down")
    member_id, _, _ = _due_membership(desk)
    health = zhep["health-score"].state
    health.fail(503, times=50)
    response = desk.check_in(member_id)
    assert response.status_code == 201, response.text
    container.relay().run()
    assert health.events == []
    health.faults.clear()
    later = utcnow() + timedelta(hours=1)
    container.relay().run(now=later)
    container.relay().run(now=later + timedelta(hours=1))
    assert [e["data"]["checkin_id"] for e in health.events] == [response.json()["id"]]


def test_a_refund_zhep_cannot_answer_is_pending_until_the_job_settles_it_once(
    api: Api, container: Container, zhep: dict[str, RunningZhep], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = open_desk(api, container, "zhep-refund")
    member_id, _, due = _due_membership(desk)
    assert _renew(container, due).charged == 1
    [sale] = [
        s
        for s in api.client.get(f"/sales?member_id={member_id}", headers=desk.admin).json()["items"]
        if s["method"] == "card_on_file"
    ]
    payments = zhep["payments"].state
    payments.fail(503, times=3)  # every try of the request
    body = {"refund_id": str(uuid.uuid4()), "reason": "moved away"}
    url = f"/sales/{sale['id']}/refunds"
    pending = api.client.post(url, json=body, headers=desk.admin)
    assert pending.status_code == 202 and pending.json()["state"] == "pending", pending.text
    [payment] = payments.made_payments()
    assert payment["refunded_minor"] == 0
    later = utcnow() + timedelta(minutes=2)
    monkeypatch.setattr(refunding, "utcnow", lambda: later)
    settle = partial(refunding.settle_refunds, make_uow=container.uow, payments=container.payments)
    assert settle() == 1
    assert settle() == 0
    [payment] = payments.made_payments()
    assert payment["refunded_minor"] == 4500
    keys = {r["headers"]["Idempotency-Key"] for r in payments.seen("POST", "/v1/refunds")}
    assert keys == {body["refund_id"]}
    done = api.client.post(url, json=body, headers=desk.admin)
    assert done.status_code == 201 and done.json()["sale"]["net_amount"] == "0.00"
