"""Refunds never hold the database while the payment provider is asked: reserved pending in
one short transaction, the PSP (loopback Stripe and Paystack) asked with no transaction
open, then settled done or declined, or left pending (202) for the
``payments.settle_refunds`` job, which asks again with the same key: the money goes back
exactly once."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from server.bootstrap import Container, background_jobs
from server.config import Settings
from server.db import migrate
from server.plans import ledger
from server.plans.models import RevenueDay, Sale
from server.sales import refunding
from server.sales.models import Refund
from shared.clock import utcnow
from tests.integration.helpers import Api
from tests.integration.plans_helpers import Desk
from tests.integration.psp_helpers import (
    STRIPE_WHSEC,
    Psps,
    ask_refund,
    card_sale,
    loopback_psps,
    momo_sale,
    psp_desk,
    psp_settings,
    refund_body,
    sale_body,
)
from tests.loopback import stripe as stripe_api


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        # A slow answer comes within the client's timeout; a held one never does.
        for psp in (both.stripe, both.paystack):
            psp.slow_seconds, psp.hold_seconds = 1.0, 2.5
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    # psp_settings keeps the server standalone in both passes of the suite.
    return psp_settings(settings, psps).model_copy(
        update={"psp_timeout_seconds": 2.0, "psp_retries": 1}
    )


def _sale(api: Api, desk: Desk, sale_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.client.get(f"/sales/{sale_id}", headers=desk.admin).json()
    return found


def _stripe_refund_posts(psps: Psps, refund_id: str) -> int:
    return sum(
        1 for c in psps.stripe.posts("/v1/refunds") if c.headers["idempotency-key"] == refund_id
    )


def _revenue_refunds(container: Container, desk: Desk) -> Decimal:
    with container.uow() as uow:
        total = uow.db.execute(
            select(func.coalesce(func.sum(RevenueDay.refunds), 0)).where(
                RevenueDay.tenant_id == uuid.UUID(desk.tenant.id)
            )
        ).scalar_one()
    return Decimal(total)


def _when_asked(psps: Psps, path: str, before: int) -> None:
    """Wait until the PSP received one more POST to ``path``."""
    deadline = time.monotonic() + 10
    while len(psps.stripe.posts(path)) + len(psps.paystack.posts(path)) <= before:
        assert time.monotonic() < deadline, "the PSP was never asked"
        time.sleep(0.01)


def _later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    moved = utcnow() + timedelta(seconds=seconds)
    monkeypatch.setattr(refunding, "utcnow", lambda: moved)


def test_the_psp_is_asked_with_no_transaction_open(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "refund-nolock")
    sale_id = card_sale(api, desk, plan)
    psps.stripe.faults, psps.stripe.slow_seconds = ["slow"], 1.5
    body = refund_body("10.00")
    with ThreadPoolExecutor(1) as pool:
        asked = pool.submit(ask_refund, api, desk, sale_id, body)
        _when_asked(psps, "/v1/refunds", 0)
        # While Stripe holds its answer, another sale of the same tenant commits, and the
        # refunded sale's row and the ledger's write lock are free to take at once.
        member = desk.member()
        cash = {**sale_body(desk, member, plan, "cash")}
        sold = api.client.post("/sales", json=cash, headers=desk.desk)
        assert sold.status_code == 201, sold.text
        with container.uow() as uow:
            ledger.write_lock(uow)
            row = uow.db.get(
                Sale,
                (uuid.UUID(desk.tenant.id), uuid.UUID(sale_id)),
                with_for_update={"nowait": True},
            )
            assert row is not None and row.refunded_amount == Decimal("10.00")
            uow.commit()
        assert not asked.done(), "the other writers waited for the PSP"
        answer = asked.result()
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["state"] == "done" and made["refunded_at"] and made["message"] is None
    assert made["sale"]["refunded_amount"] == "10.00"
    assert made["sale"]["refund_pending_amount"] == "0.00"


def test_a_timed_out_refund_is_pending_and_the_job_settles_it_once(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, plan = psp_desk(api, container, "refund-timeout")
    sale_id = card_sale(api, desk, plan)
    body = refund_body()
    # Stripe makes the refund but both answers are lost (held past the timeout).
    psps.stripe.faults = ["timeout", "timeout"]
    pending = ask_refund(api, desk, sale_id, body)
    assert pending.status_code == 202, pending.text
    shown = pending.json()
    assert shown["state"] == "pending" and shown["refunded_at"] is None
    assert "confirmed" in shown["message"]
    assert (shown["sale"]["refunded_amount"], shown["sale"]["refund_pending_amount"]) == (
        "0.00",
        "25.00",
    )
    assert shown["sale"]["net_amount"] == "25.00"
    assert _revenue_refunds(container, desk) == 0
    # Nothing more can be refunded meanwhile; a replay answers pending again.
    assert (
        ask_refund(api, desk, sale_id, refund_body("1.00")).json()["code"] == "refund_exceeds_sale"
    )
    again = ask_refund(api, desk, sale_id, body)
    assert again.status_code == 202 and again.json()["state"] == "pending"
    assert _stripe_refund_posts(psps, body["refund_id"]) == 2
    # Stripe's charge.refunded for it comes first: the reserved amount already covers it,
    # so no refund "made at Stripe" is added beside ours.
    [intent] = psps.stripe.intents.values()
    charge = {"id": "ch_1", "payment_intent": intent["id"], "amount": 2500}
    hook = stripe_api.event("evt_r1", "charge.refunded", {**charge, "amount_refunded": 2500})
    told = api.client.post(
        f"/payments/webhooks/stripe/{desk.tenant.slug}",
        content=hook,
        headers={"Stripe-Signature": stripe_api.sign(hook, STRIPE_WHSEC)},
    )
    assert told.status_code == 200 and told.json()["outcome"] == "no_change", told.text
    [job] = [j for j in background_jobs(container) if j.name == "payments.settle_refunds"]
    assert job.run() == 0  # younger than a minute: not asked again yet
    assert _stripe_refund_posts(psps, body["refund_id"]) == 2
    _later(monkeypatch, 61)
    psps.stripe.faults = ["503", "503"]
    assert job.run() == 0  # Stripe down: still pending, asked again next time
    assert _sale(api, desk, sale_id)["refund_pending_amount"] == "25.00"
    assert job.run() == 1
    assert job.run() == 0
    # Every request carried the same key: Stripe refunded once.
    assert len(psps.stripe.refunds) == 1
    assert intent["amount_refunded"] == 2500
    done = ask_refund(api, desk, sale_id, body)
    assert done.status_code == 201 and done.json()["state"] == "done"
    assert done.json()["refunded_at"] is not None
    sale = _sale(api, desk, sale_id)
    assert (sale["refunded_amount"], sale["refund_pending_amount"], sale["net_amount"]) == (
        "25.00",
        "0.00",
        "0.00",
    )
    assert _revenue_refunds(container, desk) == Decimal("25.00")


def test_a_declined_refund_gives_its_amount_back_and_replays_as_the_decline(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "refund-decline")
    sale_id = card_sale(api, desk, plan)
    [intent] = psps.stripe.intents.values()
    intent["amount_refunded"] = 2500  # refunded in Stripe's dashboard already
    body = refund_body("20.00")
    declined = ask_refund(api, desk, sale_id, body)
    assert declined.status_code == 402, declined.text
    reason = declined.json()["detail"]
    assert "greater than unrefunded" in reason
    sale = _sale(api, desk, sale_id)
    assert (sale["refunded_amount"], sale["refund_pending_amount"]) == ("0.00", "0.00")
    replay = ask_refund(api, desk, sale_id, body)
    assert replay.status_code == 402 and replay.json()["detail"] == reason
    assert _stripe_refund_posts(psps, body["refund_id"]) == 1
    with container.uow() as uow:
        row = uow.db.get(Refund, (uuid.UUID(desk.tenant.id), uuid.UUID(body["refund_id"])))
        assert row is not None and row.state == "declined" and row.refunded_on is None
    # The declined amount is refundable again.
    intent["amount_refunded"] = 0
    later = ask_refund(api, desk, sale_id, refund_body())
    assert later.status_code == 201 and later.json()["amount"] == "25.00"
    assert _revenue_refunds(container, desk) == Decimal("25.00")


def test_concurrent_refunds_of_one_sale_never_exceed_it(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "refund-race")
    sale_id = card_sale(api, desk, plan)
    psps.stripe.faults = ["slow", "slow", "slow", "slow"]
    same = refund_body("5.00")
    bodies = [refund_body("20.00"), refund_body("20.00"), same, same]
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda b: ask_refund(api, desk, sale_id, b), bodies))
    big = sorted(a.status_code for a in answers[:2])
    assert big == [201, 409], [a.text for a in answers]
    # The same refund twice at once: asked once, the other answered where it stands.
    assert {a.status_code for a in answers[2:]} <= {201, 202}
    assert _stripe_refund_posts(psps, same["refund_id"]) == 1
    assert sorted(r["amount"] for r in psps.stripe.refunds.values()) == [500, 2000]
    sale = _sale(api, desk, sale_id)
    assert (sale["refunded_amount"], sale["refund_pending_amount"]) == ("25.00", "0.00")
    assert ask_refund(api, desk, sale_id, same).status_code == 201


def test_paystack_looks_a_refund_up_before_making_it_again(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, plan = psp_desk(api, container, "refund-paystack")
    made_there, never_there = momo_sale(api, desk, plan, psps), momo_sale(api, desk, plan, psps)
    # Paystack made this refund but its answer was lost (no idempotency key: not resent).
    lost = refund_body("10.00")
    psps.paystack.faults = ["timeout"]
    assert ask_refund(api, desk, made_there, lost).status_code == 202
    assert len(psps.paystack.refunds) == 1
    # This one never reached Paystack (refused twice before processing).
    refused = refund_body()
    psps.paystack.faults = ["503", "503"]
    assert ask_refund(api, desk, never_there, refused).status_code == 202
    assert len(psps.paystack.refunds) == 1
    _later(monkeypatch, 61)

    def sweep() -> int:
        return refunding.settle_refunds(make_uow=container.uow, payments=container.payments)

    assert sweep() == 2
    lookups = [c.query for c in psps.paystack.calls if c.path == "/refund" and c.method == "GET"]
    assert {q["transaction"] for q in lookups} == {made_there, never_there}
    # Found for the first (not made again), made for the second: each refund once.
    notes = sorted((r["transaction_reference"], r["amount"]) for r in psps.paystack.refunds)
    assert notes == sorted([(made_there, 1000), (never_there, 2500)])
    assert [r["merchant_note"] for r in psps.paystack.refunds] == [
        f"zmos refund {lost['refund_id']}",
        f"zmos refund {refused['refund_id']}",
    ]
    assert sweep() == 0
    for sale_id, body, left in ((made_there, lost, "15.00"), (never_there, refused, "0.00")):
        replay = ask_refund(api, desk, sale_id, body)
        assert replay.status_code == 201 and replay.json()["state"] == "done"
        assert _sale(api, desk, sale_id)["net_amount"] == left


def test_each_tenant_has_its_own_pending_refunds(
    api: Api, container: Container, psps: Psps, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, plan = psp_desk(api, container, "refund-ours")
    theirs, their_plan = psp_desk(api, container, "refund-theirs")
    mine, other = card_sale(api, ours, plan), card_sale(api, theirs, their_plan)
    psps.stripe.faults = ["503", "503", "503", "503"]
    body = refund_body()
    assert ask_refund(api, ours, mine, body).status_code == 202
    assert ask_refund(api, theirs, other, refund_body()).status_code == 202
    # Another tenant's refund id is not theirs to replay or see.
    assert ask_refund(api, theirs, mine, body).status_code == 404
    _later(monkeypatch, 61)
    assert refunding.settle_refunds(make_uow=container.uow, payments=container.payments) == 2
    assert _sale(api, ours, mine)["refunded_amount"] == "25.00"
    assert _sale(api, theirs, other)["refunded_amount"] == "25.00"
    assert _revenue_refunds(container, ours) == Decimal("25.00")


def test_downgrade_drops_what_never_went_back_and_upgrade_keeps_done_refunds(
    api: Api, container: Container, psps: Psps, settings: Settings
) -> None:
    desk, plan = psp_desk(api, container, "refund-migrate")
    sale_id = card_sale(api, desk, plan)
    done = refund_body("10.00")
    assert ask_refund(api, desk, sale_id, done).status_code == 201
    psps.stripe.faults = ["503", "503"]
    assert ask_refund(api, desk, sale_id, refund_body("5.00")).status_code == 202
    url = settings.database_url
    assert url is not None
    container.dispose()
    try:
        command.downgrade(migrate.alembic_config(url), "0048")
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            refunds = connection.execute(sa.text("SELECT id, amount FROM sale_refunds")).all()
            [refunded] = connection.execute(
                sa.text("SELECT refunded_amount FROM desk_payments WHERE receipt_number = 1")
            ).scalars()
        engine.dispose()
        assert [(str(uuid.UUID(str(i))), Decimal(a)) for i, a in refunds] == [
            (done["refund_id"], Decimal("10.00"))
        ]
        assert Decimal(refunded) == Decimal("10.00")
    finally:
        migrate.upgrade(url)
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        [(state, requested)] = connection.execute(
            sa.text("SELECT state, requested_at FROM sale_refunds")
        ).all()
        [pending] = connection.execute(
            sa.text("SELECT refund_pending_amount FROM desk_payments WHERE receipt_number = 1")
        ).scalars()
    engine.dispose()
    assert (state, requested, Decimal(pending)) == ("done", None, Decimal("0"))
