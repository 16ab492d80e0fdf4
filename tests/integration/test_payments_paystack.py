"""Mobile money through Paystack (a loopback server following its documented API): a sale
stays pending until the payer approves; webhooks signed with HMAC-SHA512 settle it once;
verify settles it when no webhook comes; refunds; reconciliation; no PSP configured."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from server.bootstrap import Container, background_jobs
from server.config import Settings
from server.payments import service as payments_service
from server.plans.models import Membership, Sale
from tests.integration.helpers import Api
from tests.integration.plans_helpers import Desk
from tests.integration.psp_helpers import (
    PAYSTACK_KEY,
    Psps,
    loopback_psps,
    psp_desk,
    psp_settings,
    sale_body,
)
from tests.loopback import paystack as paystack_api
from zmos import cli

MOMO = {"phone": "0240000001", "provider": "mtn"}


@pytest.fixture
def psps() -> Iterator[Psps]:
    with loopback_psps() as both:
        yield both


@pytest.fixture
def settings(settings: Settings, psps: Psps) -> Settings:
    return psp_settings(settings, psps)


def _pending_sale(api: Api, desk: Desk, plan: str, **payer: str) -> dict[str, Any]:
    body = sale_body(desk, desk.member(), plan, "mobile_money", mobile_money={**MOMO, **payer})
    response = api.client.post("/sales", json=body, headers=desk.desk)
    assert response.status_code == 201, response.text
    sale: dict[str, Any] = response.json()
    return sale


def _state(container: Container, desk: Desk, sale_id: str) -> tuple[str, str]:
    with container.uow() as uow:
        sale = uow.db.get(Sale, (uuid.UUID(desk.tenant.id), uuid.UUID(sale_id)))
        assert sale is not None and sale.membership_id is not None
        membership = uow.db.get(Membership, (sale.tenant_id, sale.membership_id))
        assert membership is not None
        return sale.payment_status, membership.status


def _hook(api: Api, slug: str, payload: dict[str, Any], secret: str = PAYSTACK_KEY) -> Any:
    body, headers = paystack_api.signed(payload, secret)
    return api.client.post(f"/payments/webhooks/paystack/{slug}", content=body, headers=headers)


def test_a_mobile_money_sale_is_pending_until_the_signed_webhook_settles_it_once(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "momo-hook")
    sale = _pending_sale(api, desk, plan)
    assert sale["payment_status"] == "pending" and sale["membership"]["status"] == "awaiting"
    [call] = psps.paystack.posts("/charge")
    sent = json.loads(call.body)
    assert (sent["reference"], sent["amount"], sent["currency"]) == (sale["sale_id"], 2500, "GHS")
    assert sent["mobile_money"] == MOMO
    data = psps.paystack.approve(sale["sale_id"])
    payload = {"event": "charge.success", "data": data}
    forged = _hook(api, desk.tenant.slug, payload, "sk_test_notthekey000")
    assert forged.status_code == 400
    assert _state(container, desk, sale["sale_id"]) == ("pending", "awaiting")
    ledger = api.client.get(f"/sales/{sale['sale_id']}", headers=desk.admin).json()
    assert ledger["payment_status"] == "pending"
    done = _hook(api, desk.tenant.slug, payload)
    assert done.status_code == 200 and done.json()["outcome"] == "settled"
    ledger = api.client.get(f"/sales/{sale['sale_id']}", headers=desk.admin).json()
    assert ledger["payment_status"] == "paid"
    assert _state(container, desk, sale["sale_id"]) == ("paid", "active")
    again = _hook(api, desk.tenant.slug, payload)
    assert again.json() == {**done.json(), "duplicate": True, "outcome": "no_change"}
    # A failure arriving after the success does not undo it.
    failed = {"event": "charge.failed", "data": {**data, "id": data["id"] + 1}}
    assert _hook(api, desk.tenant.slug, failed).json()["outcome"] == "no_change"
    assert _state(container, desk, sale["sale_id"]) == ("paid", "active")


def test_verify_settles_or_fails_a_pending_sale_when_no_webhook_comes(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "momo-verify")
    paid, refused = _pending_sale(api, desk, plan), _pending_sale(api, desk, plan)
    still = api.client.post(f"/payments/sales/{paid['sale_id']}/verify", headers=desk.admin)
    assert still.status_code == 200 and still.json()["payment_status"] == "pending"
    psps.paystack.approve(paid["sale_id"])
    psps.paystack.approve(refused["sale_id"], "abandoned")
    psps.paystack.faults = ["503"]
    settled = api.client.post(f"/payments/sales/{paid['sale_id']}/verify", headers=desk.admin)
    assert settled.json()["payment_status"] == "paid"
    gone = api.client.post(f"/payments/sales/{refused['sale_id']}/verify", headers=desk.admin)
    assert gone.json()["payment_status"] == "failed"
    assert _state(container, desk, refused["sale_id"]) == ("failed", "cancelled")
    # Only money taken goes back; the paid one is refunded through Paystack.
    body = {"refund_id": str(uuid.uuid4()), "reason": "changed mind"}
    no = api.client.post(f"/sales/{refused['sale_id']}/refunds", json=body, headers=desk.admin)
    assert no.status_code == 409
    yes = api.client.post(f"/sales/{paid['sale_id']}/refunds", json=body, headers=desk.admin)
    assert yes.status_code == 201, yes.text
    assert [r["amount"] for r in psps.paystack.refunds] == [2500]


def test_a_declined_number_and_a_reused_reference(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "momo-decline")
    body = sale_body(
        desk,
        desk.member(),
        plan,
        "mobile_money",
        mobile_money={**MOMO, "phone": paystack_api.DECLINING_PHONE},
    )
    declined = api.client.post("/sales", json=body, headers=desk.desk)
    assert declined.status_code == 402 and "Declined by the network" in declined.text
    missing = sale_body(desk, desk.member(), plan, "mobile_money")
    assert api.client.post("/sales", json=missing, headers=desk.desk).status_code == 422
    # The charge went through but its answer was lost: the retry's duplicate reference
    # is answered from verify, and one transaction exists.
    psps.paystack.faults = ["timeout"]
    sale = _pending_sale(api, desk, plan)
    assert sale["payment_status"] == "pending"
    assert len(psps.paystack.transactions) == 2


def test_reconciliation_against_paystack(api: Api, container: Container, psps: Psps) -> None:
    desk, plan = psp_desk(api, container, "momo-recon")
    sales = [_pending_sale(api, desk, plan) for _ in range(3)]
    for sale in sales:
        psps.paystack.approve(sale["sale_id"])
        assert (
            _hook(
                api,
                desk.tenant.slug,
                {"event": "charge.success", "data": psps.paystack.transactions[sale["sale_id"]]},
            ).status_code
            == 200
        )
    psps.paystack.transactions[sales[0]["sale_id"]]["amount"] = 9900
    del psps.paystack.transactions[sales[1]["sale_id"]]
    psps.paystack.add("outside-zmos", 500, "GHS", "success")
    today = time.strftime("%Y-%m-%d", time.gmtime())
    report = api.client.get(
        "/payments/reconciliation",
        params={"provider": "paystack", "start": today},
        headers=desk.admin,
    )
    assert report.status_code == 200, report.text
    found = report.json()
    kinds = sorted((m["kind"], m["reference"]) for m in found["mismatches"])
    assert found["matched"] == 1
    assert kinds == sorted(
        [
            ("amount_mismatch", sales[0]["sale_id"]),
            ("missing_theirs", sales[1]["sale_id"]),
            ("missing_ours", "outside-zmos"),
        ]
    )


def test_without_a_psp_mobile_money_is_declined_clearly(api: Api, container: Container) -> None:
    container.payments = __import__(
        "server.adapters.in_person_payments", fromlist=["x"]
    ).InPersonPayments()
    desk, plan = psp_desk(api, container, "momo-off")
    body = sale_body(desk, desk.member(), plan, "mobile_money", mobile_money=MOMO)
    refused = api.client.post("/sales", json=body, headers=desk.desk)
    assert refused.status_code == 402 and "mobile_money" in refused.text


def test_the_cli_reconciles_a_day(
    api: Api,
    container: Container,
    psps: Psps,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    desk, plan = psp_desk(api, container, "momo-cli")
    sale = _pending_sale(api, desk, plan)
    monkeypatch.setenv("ZMOS_DATABASE_URL", db_url)
    monkeypatch.setenv("ZMOS_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ZMOS_SECRET_KEY", "test-secret-key-for-signing-tokens-0123456789")
    monkeypatch.setenv("ZMOS_PAYMENT_PROVIDERS", "paystack")
    monkeypatch.setenv("ZMOS_PAYSTACK_API_URL", psps.paystack_url)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    args = ["payments", "reconcile", "--tenant", "momo-cli", "--provider", "paystack"]
    # Pending here, pending there: the same record, so it matches.
    assert cli.main([*args, "--date", today]) == 0
    assert "1 matched, 0 mismatched" in capsys.readouterr().out
    psps.paystack.add("outside-zmos", 500, "GHS", "success")
    assert cli.main([*args, "--date", today]) == 1
    out = capsys.readouterr().out
    assert "missing_ours\toutside-zmos" in out and sale["sale_id"] not in out
    assert cli.main([*args, "--date", today, "--end", "2000-01-01"]) == 2


def test_the_job_settles_pending_sales_whose_webhook_never_came(
    api: Api, container: Container, psps: Psps
) -> None:
    desk, plan = psp_desk(api, container, "momo-job")
    approved, waiting = _pending_sale(api, desk, plan), _pending_sale(api, desk, plan)
    psps.paystack.approve(approved["sale_id"])
    [job] = [j for j in background_jobs(container) if j.name == "payments.verify_pending"]
    # Too recent for the job's sweep: a webhook may still come.
    assert job.run() == 0
    assert _state(container, desk, approved["sale_id"]) == ("pending", "awaiting")
    sweep = partial(
        payments_service.verify_pending,
        make_uow=container.uow,
        accounts=container.payment_accounts,
        gateways=container.payment_gateways,
        older_than=timedelta(0),
    )
    psps.paystack.faults = ["timeout", "timeout", "timeout"]
    assert sweep() == 0  # Paystack unreachable: tried again on the next run
    assert sweep() == 1
    assert _state(container, desk, approved["sale_id"]) == ("paid", "active")
    assert _state(container, desk, waiting["sale_id"]) == ("pending", "awaiting")
