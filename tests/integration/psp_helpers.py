"""A tenant whose server charges through loopback Stripe and Paystack servers."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from server.bootstrap import Container
from server.config import Settings
from tests.integration.helpers import Api
from tests.integration.plans_helpers import DAY_PASS, Desk, open_desk
from tests.loopback.paystack import LoopbackPaystack
from tests.loopback.psp_base import running
from tests.loopback.stripe import LoopbackStripe

STRIPE_KEY = "sk_test_zmosloopback0001"
STRIPE_WHSEC = "whsec_zmosloopback0001"
PAYSTACK_KEY = "sk_test_paystackloop0001"


@dataclass
class Psps:
    stripe: LoopbackStripe
    paystack: LoopbackPaystack
    stripe_url: str
    paystack_url: str


@contextmanager
def loopback_psps() -> Iterator[Psps]:
    """Both PSPs on loopback (each test module makes it its ``psps`` fixture)."""
    stripe, paystack = LoopbackStripe(STRIPE_KEY), LoopbackPaystack(PAYSTACK_KEY)
    with running(stripe) as stripe_url, running(paystack) as paystack_url:
        yield Psps(stripe, paystack, stripe_url, paystack_url)


def psp_settings(settings: Settings, psps: Psps) -> Settings:
    """The server's own PSP adapters, against Stripe and Paystack on loopback: standalone in
    both passes of the suite (integrated, a server with ZHEP's payments configured sends
    card and mobile-money payments there instead; ZHEP's own tests cover that)."""
    return settings.model_copy(
        update={
            "mode": "standalone",
            "payment_providers": "stripe,paystack",
            "stripe_api_url": psps.stripe_url,
            "paystack_api_url": psps.paystack_url,
            "psp_timeout_seconds": 0.5,
            "psp_retries": 2,
        }
    )


def set_keys(api: Api, desk: Desk, stripe: str = STRIPE_KEY, paystack: str = PAYSTACK_KEY) -> None:
    for provider, body in (
        ("stripe", {"secret_key": stripe, "webhook_secret": STRIPE_WHSEC}),
        ("paystack", {"secret_key": paystack}),
    ):
        response = api.client.put(f"/payments/accounts/{provider}", json=body, headers=desk.admin)
        assert response.status_code == 200, response.text


def psp_desk(api: Api, container: Container, slug: str) -> tuple[Desk, str]:
    """A tenant with its PSP keys set and a day pass priced in GHS."""
    desk = open_desk(api, container, slug)
    set_keys(api, desk)
    plan = desk.plan({**DAY_PASS, "currency": "GHS", "price": "25.00"})
    return desk, plan


def sale_body(desk: Desk, member: str, plan: str, method: str, **extra: Any) -> dict[str, Any]:
    return {
        "sale_id": str(uuid.uuid4()),
        "member_id": member,
        "plan_id": plan,
        "method": method,
        "amount": "25.00",
        "currency": "GHS",
        "location_id": desk.location["id"],
        **extra,
    }


def card_on_file(api: Api, desk: Desk, member: str, method: str = "pm_card_visa") -> None:
    body = {"customer_id": "cus_Loop1234", "payment_method_id": method}
    response = api.client.put(f"/payments/cards/{member}", json=body, headers=desk.admin)
    assert response.status_code == 200, response.text


MOMO = {"phone": "0240000001", "provider": "mtn"}


def card_sale(api: Api, desk: Desk, plan: str) -> str:
    """A sale charged to a new member's card on file (Stripe); its id."""
    member = desk.member()
    card_on_file(api, desk, member)
    response = api.client.post(
        "/sales", json=sale_body(desk, member, plan, "card_on_file"), headers=desk.desk
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sale_id"])


def momo_sale(api: Api, desk: Desk, plan: str, psps: Psps) -> str:
    """A mobile-money sale (Paystack), approved and verified paid; its id."""
    body = sale_body(desk, desk.member(), plan, "mobile_money", mobile_money=MOMO)
    response = api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 201, response.text
    sale_id = str(response.json()["sale_id"])
    psps.paystack.approve(sale_id)
    verified = api.client.post(f"/payments/sales/{sale_id}/verify", headers=desk.admin)
    assert verified.json()["payment_status"] == "paid"
    return sale_id


def ask_refund(api: Api, desk: Desk, sale_id: str, body: dict[str, Any]) -> Any:
    return api.client.post(f"/sales/{sale_id}/refunds", json=body, headers=desk.admin)


def refund_body(amount: str | None = None) -> dict[str, Any]:
    """A refund's request with a fresh refund id (all of what is left without ``amount``)."""
    body: dict[str, Any] = {"refund_id": str(uuid.uuid4()), "reason": "moved away"}
    if amount is not None:
        body["amount"] = amount
    return body
