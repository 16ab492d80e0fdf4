"""Card on file through Stripe (a loopback server following Stripe's documented API):
owner-only keys sealed at rest, charges with idempotency keys through 5xx, 429 and lost
answers, declines, refunds, signed webhooks processed exactly once and out of order."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.config import Settings
from server.payments.models import PaymentAccount, PaymentWebhookEvent
from server.plans import renewals
from server.plans.models import Sale
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk
from tests.integration.psp_helpers import (
    STRIPE_KEY,
    STRIPE_WHSEC,
    Psps,
    card_on_file,
    loopback_psps,
    psp_desk,
    psp_settings,
    sale_body,
)
from tests.loopback import stripe as stripe_api


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps)


def _sell(api: Api, desk: Desk, body: dict[str, Any]) -> Any:
    return api.client.post("/sales", json=body, headers=desk.desk)


def _paid_sale(api: Api, desk: Desk, plan: str) -> dict[str, Any]:
    member = desk.member()
    card_on_file(api, desk, member)
    response = _sell(api, desk, sale_body(desk, member, plan, "card_on_file"))
    assert response.status_code == 201, response.text
    sale: dict[str, Any] = response.json()
    return sale


def _webhook(api: Api, slug: str, body: bytes, signature: str) -> Any:
    return api.client.post(
        f"/payments/webhooks/stripe/{slug}",
        content=body,
        headers={"Stripe-Signature": signature, "Content-Type": "application/json"},
    )


def _sale_row(container: Container, desk: Desk, sale_id: str) -> Sale:
    with container.uow() as uow:
        row = uow.db.get(Sale, (uuid.UUID(desk.tenant.id), uuid.UUID(sale_id)))
        assert row is not None
        uow.db.expunge(row)
        return row


def test_only_the_owner_sets_the_keys_and_they_are_sealed_at_rest(
    api: Api, container: Container
) -> None:
    desk, _ = psp_desk(api, container, "stripe-keys")
    body = {"secret_key": "sk_test_frontdesk00001", "webhook_secret": STRIPE_WHSEC}
    refused = api.client.put("/payments/accounts/stripe", json=body, headers=desk.desk)
    assert refused.status_code == 403
    bad = api.client.put(
        "/payments/accounts/stripe", json={"secret_key": "nope"}, headers=desk.admin
    )
    assert bad.status_code == 422
    shown = api.client.get("/payments/accounts/stripe", headers=desk.admin).json()
    assert shown["key_hint"] == STRIPE_KEY[-4:] and shown["has_webhook_secret"] is True
    assert shown["webhook_path"] == f"/payments/webhooks/stripe/{desk.tenant.slug}"
    with container.uow() as uow:
        row = uow.db.execute(select(PaymentAccount)).scalars().first()
        assert row is not None and STRIPE_KEY.encode() not in row.sealed_secret_key
        assert row.sealed_webhook_secret and STRIPE_WHSEC.encode() not in row.sealed_webhook_secret


def test_a_card_on_file_sale_charges_stripe_once_through_faults(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "stripe-charge")
    sale = _paid_sale(api, desk, plan)
    assert sale["payment_status"] == "paid" and sale["method"] == "card_on_file"
    [call] = psps.stripe.posts("/v1/payment_intents")
    form = dict(__import__("urllib.parse").parse.parse_qsl(call.body.decode()))
    assert call.headers["idempotency-key"] == sale["sale_id"]
    assert (form["amount"], form["currency"], form["off_session"]) == ("2500", "ghs", "true")
    assert form["metadata[zmos_payment_id]"] == sale["sale_id"]
    # 5xx, a rate limit, then an answer lost after Stripe charged: one PaymentIntent.
    member = desk.member()
    card_on_file(api, desk, member)
    body = sale_body(desk, member, plan, "card_on_file")
    psps.stripe.faults = ["503", "timeout"]
    assert _sell(api, desk, body).status_code == 201
    keys = [c.headers["idempotency-key"] for c in psps.stripe.posts("/v1/payment_intents")]
    assert keys.count(body["sale_id"]) == 3
    assert len(psps.stripe.intents) == 2
    # The same sale again changes nothing, at Stripe or here.
    assert _sell(api, desk, body).status_code == 201
    assert len(psps.stripe.intents) == 2
    # Rate-limited on every try: declined as unavailable, nothing recorded; the same sale
    # later (a slow answer, within the time limit) goes through once.
    later = sale_body(desk, member, plan, "card_on_file")
    psps.stripe.faults = ["429", "429", "429"]
    busy = _sell(api, desk, later)
    assert busy.status_code == 402 and "Stripe is unavailable" in busy.text
    assert len(psps.stripe.intents) == 2
    psps.stripe.faults = ["slow"]
    assert _sell(api, desk, later).status_code == 201
    assert len(psps.stripe.intents) == 3


def test_a_declined_card_records_nothing_and_an_unset_card_is_refused(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "stripe-decline")
    member = desk.member()
    nothing = _sell(api, desk, sale_body(desk, member, plan, "card_on_file"))
    assert nothing.status_code == 402 and "no card on file" in nothing.text
    card_on_file(api, desk, member, stripe_api.DECLINED)
    body = sale_body(desk, member, plan, "card_on_file")
    declined = _sell(api, desk, body)
    assert declined.status_code == 402 and "generic_decline" in declined.text
    # A card error is never retried.
    assert len(psps.stripe.posts("/v1/payment_intents")) == 1
    with container.uow() as uow:
        assert uow.db.get(Sale, (uuid.UUID(desk.tenant.id), uuid.UUID(body["sale_id"]))) is None


def test_refunds_go_back_through_stripe_partly_then_fully_once_each(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "stripe-refund")
    sale = _paid_sale(api, desk, plan)
    url = f"/sales/{sale['sale_id']}/refunds"
    part = {"refund_id": str(uuid.uuid4()), "amount": "10.00", "reason": "class cancelled"}
    assert api.client.post(url, json=part, headers=desk.admin).status_code == 201
    assert api.client.post(url, json=part, headers=desk.admin).status_code == 201
    rest = {"refund_id": str(uuid.uuid4()), "reason": "moved away"}
    psps.stripe.faults = ["500"]
    done = api.client.post(url, json=rest, headers=desk.admin)
    assert done.status_code == 201, done.text
    [intent] = psps.stripe.intents.values()
    assert intent["amount_refunded"] == 2500
    assert sorted(r["amount"] for r in psps.stripe.refunds.values()) == [1000, 1500]
    assert _sale_row(container, desk, sale["sale_id"]).refunded_amount == 25


def test_webhooks_are_verified_processed_once_and_out_of_order(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "stripe-hooks")
    sale = _paid_sale(api, desk, plan)
    [intent] = psps.stripe.intents.values()
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": intent["id"],
        "amount": 2500,
        "amount_refunded": 500,
        "currency": "ghs",
        "metadata": {},
    }
    refunded = stripe_api.event("evt_refund_1", "charge.refunded", charge)
    tenant = desk.tenant.slug
    # Bad signature, a stale timestamp: 400 and nothing changes.
    assert (
        _webhook(api, tenant, refunded, stripe_api.sign(refunded, "whsec_other0000000")).status_code
        == 400
    )
    stale = stripe_api.sign(refunded, STRIPE_WHSEC, int(time.time()) - 301)
    assert _webhook(api, tenant, refunded, stale).status_code == 400
    assert _sale_row(container, desk, sale["sale_id"]).refunded_amount == 0
    # A rolled secret: either v1 signature holds.
    both = stripe_api.sign(
        refunded,
        "whsec_old000000000",
        extra=",v1=" + stripe_api.sign(refunded, STRIPE_WHSEC).split("v1=")[1],
    )
    first = _webhook(api, tenant, refunded, both)
    assert first.status_code == 200 and first.json() == {
        "event_id": "evt_refund_1",
        "duplicate": False,
        "outcome": "refunded",
    }
    again = _webhook(api, tenant, refunded, stripe_api.sign(refunded, STRIPE_WHSEC))
    assert again.json()["duplicate"] is True
    row = _sale_row(container, desk, sale["sale_id"])
    assert row.refunded_amount == 5 and row.payment_status == "paid"
    # A late 'succeeded' does not undo the refund.
    late = stripe_api.event("evt_ok_1", "payment_intent.succeeded", intent)
    assert (
        _webhook(api, tenant, late, stripe_api.sign(late, STRIPE_WHSEC)).json()["outcome"]
        == "no_change"
    )
    assert _sale_row(container, desk, sale["sale_id"]).refunded_amount == 5
    with container.uow() as uow:
        assert len(uow.db.execute(select(PaymentWebhookEvent)).scalars().all()) == 2


def test_another_tenants_webhook_cannot_touch_this_tenants_sales(
    api: Api, container: Container, psps: Psps
) -> None:
    ours, plan = psp_desk(api, container, "stripe-ours")
    theirs, _ = psp_desk(api, container, "stripe-theirs")
    sale = _paid_sale(api, ours, plan)
    [intent] = psps.stripe.intents.values()
    charge = {
        "id": "ch_2",
        "payment_intent": intent["id"],
        "amount": 2500,
        "amount_refunded": 2500,
        "currency": "ghs",
        "metadata": {"zmos_payment_id": sale["sale_id"]},
    }
    body = stripe_api.event("evt_x", "charge.refunded", charge)
    # Their endpoint, their (valid) signature: our sale is not theirs to change.
    sent = _webhook(api, theirs.tenant.slug, body, stripe_api.sign(body, STRIPE_WHSEC))
    assert sent.status_code == 200 and sent.json()["outcome"] == "unknown_payment"
    assert _sale_row(container, ours, sale["sale_id"]).refunded_amount == 0
    unknown = _webhook(api, "no-such-gym", body, stripe_api.sign(body, STRIPE_WHSEC))
    assert unknown.status_code == 404


def test_reconciliation_finds_each_kind_of_mismatch_across_pages(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "stripe-recon")
    matched, changed, lost = (_paid_sale(api, desk, plan) for _ in range(3))
    by_sale = {i["metadata"]["zmos_payment_id"]: i for i in psps.stripe.intents.values()}
    by_sale[changed["sale_id"]]["amount"] = 2000
    del psps.stripe.intents[by_sale[lost["sale_id"]]["id"]]
    for _ in range(130):  # charges made outside ZMOS: two pages of them
        psps.stripe.add_intent(700, "ghs", {})
    today = time.strftime("%Y-%m-%d", time.gmtime())
    report = api.client.get(
        "/payments/reconciliation",
        params={"provider": "stripe", "start": today},
        headers=desk.admin,
    )
    assert report.status_code == 200, report.text
    found = report.json()
    assert found["matched"] == 1
    kinds = [(m["kind"], m["sale_id"]) for m in found["mismatches"]]
    assert ("amount_mismatch", changed["sale_id"]) in kinds
    assert ("missing_theirs", lost["sale_id"]) in kinds
    assert sum(kind == "missing_ours" for kind, _ in kinds) == 130
    assert matched["sale_id"] not in {sale for _, sale in kinds}
    lists = [c for c in psps.stripe.calls if c.path == "/v1/payment_intents" and c.method == "GET"]
    assert len(lists) == 2 and "starting_after" in lists[1].query


def test_a_signed_webhook_that_is_not_an_event_is_refused(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, _ = psp_desk(api, container, "stripe-garbage")
    for body in (
        b"not json",
        b'{"id": "evt_1"}',
        b'{"id": "e", "data": {"object": {"amount": "x"}}}',
    ):
        sent = _webhook(api, desk.tenant.slug, body, stripe_api.sign(body, STRIPE_WHSEC))
        assert sent.status_code == 400, sent.text
        assert sent.headers["content-type"] == "application/problem+json"
    with container.uow() as uow:
        assert uow.db.execute(select(PaymentWebhookEvent)).first() is None


def test_renewals_charge_the_card_on_file_off_session_once(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, _ = psp_desk(api, container, "stripe-renew")
    plan = desk.plan({**MONTHLY, "currency": "GHS"})
    member = desk.member()
    card_on_file(api, desk, member)
    starts = date.today() - timedelta(days=1)
    membership = desk.membership(member, plan, starts_on=starts.isoformat())
    due = date.fromisoformat(membership["next_renewal_on"])
    psps.stripe.faults = ["503"]
    run = renewals.renew_due(make_uow=container.uow, payments=container.payments, today=due)
    assert run.charged == 1
    assert (
        renewals.renew_due(make_uow=container.uow, payments=container.payments, today=due).charged
        == 0
    )
    [intent] = psps.stripe.intents.values()
    assert intent["metadata"]["zmos_membership_id"] == membership["id"]
    [call, retry] = psps.stripe.posts("/v1/payment_intents")
    assert call.headers["idempotency-key"] == retry.headers["idempotency-key"]
    assert b"off_session=true" in retry.body
    with container.uow() as uow:
        [sale] = uow.db.execute(
            select(Sale).where(
                Sale.membership_id == uuid.UUID(membership["id"]), Sale.provider == "stripe"
            )
        ).scalars()
        assert sale.provider_reference == intent["id"]
