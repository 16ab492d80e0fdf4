"""The kiosk decides offline with the server's rules: for the same members it admits and
refuses exactly as the server does, with the same reasons."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from desktop.app import build_core
from desktop.config import KioskSettings
from shared.enums import CheckinMethod
from tests.integration.helpers import Api, Tenant


def _post(api: Api, tenant: Tenant, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.client.post(path, json=body, headers=tenant.headers)
    assert response.status_code in (200, 201), (path, response.text)
    result: dict[str, Any] = response.json()
    return result


def test_kiosk_and_server_agree_on_every_kind_of_member(api: Api, tmp_path: Path) -> None:
    tenant = api.sign_up("agree-gym")
    here = api.create_location(tenant, "Here", timezone="Europe/London")
    there = api.create_location(tenant, "There", timezone="Europe/London")
    monthly = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "Monthly",
            "kind": "recurring",
            "billing_period": "month",
            "price": "40.00",
            "currency": "GBP",
        },
    )
    limited = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "Two a week",
            "kind": "recurring",
            "billing_period": "month",
            "price": "20.00",
            "currency": "GBP",
            "visit_limit": 2,
            "visit_limit_period": "week",
            "visit_limit_mode": "block",
        },
    )
    pack = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "5 classes",
            "kind": "class_pack",
            "credits": 5,
            "validity_days": 90,
            "price": "50.00",
            "currency": "GBP",
        },
    )
    elsewhere = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "There only",
            "kind": "recurring",
            "billing_period": "month",
            "price": "30.00",
            "currency": "GBP",
            "location_rule": "listed",
            "location_ids": [there["id"]],
        },
    )
    today = date.today()
    cases: dict[str, tuple[dict[str, Any] | None, dict[str, Any]]] = {
        "active": (monthly, {"starts_on": str(today - timedelta(days=3))}),
        "expired": (
            monthly,
            {
                "starts_on": str(today - timedelta(days=60)),
                "ends_on": str(today - timedelta(days=2)),
            },
        ),
        "not yet": (monthly, {"starts_on": str(today + timedelta(days=5))}),
        "pack": (pack, {"starts_on": str(today)}),
        "wrong place": (elsewhere, {"starts_on": str(today)}),
        "limited": (limited, {"starts_on": str(today - timedelta(days=10))}),
        "nothing": (None, {}),
    }
    members: dict[str, str] = {}
    for name, (plan, extra) in cases.items():
        member = _post(api, tenant, "/members", {"first_name": name.title(), "last_name": "Case"})
        members[name] = member["id"]
        if plan is not None:
            _post(
                api,
                tenant,
                f"/members/{member['id']}/memberships",
                {"plan_id": plan["id"], **extra},
            )
    frozen = _post(api, tenant, "/members", {"first_name": "Frozen", "last_name": "Case"})
    membership = _post(
        api,
        tenant,
        f"/members/{frozen['id']}/memberships",
        {"plan_id": monthly["id"], "starts_on": str(today - timedelta(days=3))},
    )
    _post(
        api,
        tenant,
        f"/memberships/{membership['id']}/freeze",
        {"until": str(today + timedelta(days=20))},
    )
    members["frozen"] = frozen["id"]
    # Two visits this week already, counted by the server before the kiosk downloads.
    for _ in range(2):
        _post(
            api,
            tenant,
            "/checkins",
            {"member_id": members["limited"], "location_id": here["id"], "method": "search"},
        )

    code = api.client.post(
        f"/locations/{here['id']}/enrolment-codes", headers=tenant.headers
    ).json()["code"]
    core = build_core(
        KioskSettings(data_dir=tmp_path / "kiosk", credential_store="file"), http_client=api.client
    )
    try:
        core.enrol("http://testserver", code, "Desk")
        for name, member_id in members.items():
            kiosk = core.checkin.check_in(uuid.UUID(member_id), CheckinMethod.SEARCH)
            server = _post(
                api,
                tenant,
                "/checkins",
                {"member_id": member_id, "location_id": here["id"], "method": "search"},
            )
            assert (kiosk.admitted, kiosk.reason) == (server["admitted"], server["reason"]), name
        assert core.sync.pending_count() == len(members)
    finally:
        core.close()


def test_visit_limits_count_visits_made_at_other_kiosks(api: Api, tmp_path: Path) -> None:
    """Two visits at kiosk A this week; kiosk B (synced) and kiosk C (enrolled afterwards)
    both refuse a third on a two-a-week plan."""
    tenant = api.sign_up("limit-gym")
    here = api.create_location(tenant, "Here", timezone="Europe/London")
    there = api.create_location(tenant, "There", timezone="Europe/London")
    plan = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "Two a week",
            "kind": "recurring",
            "billing_period": "month",
            "price": "20.00",
            "currency": "GBP",
            "visit_limit": 2,
            "visit_limit_period": "week",
            "visit_limit_mode": "block",
        },
    )
    member = _post(api, tenant, "/members", {"first_name": "Kofi", "last_name": "Limit"})
    _post(
        api,
        tenant,
        f"/members/{member['id']}/memberships",
        {"plan_id": plan["id"], "starts_on": str(date.today() - timedelta(days=30))},
    )

    def kiosk(name: str, location: dict[str, Any]) -> Any:
        code = api.client.post(
            f"/locations/{location['id']}/enrolment-codes", headers=tenant.headers
        ).json()["code"]
        core = build_core(
            KioskSettings(data_dir=tmp_path / name, credential_store="file"), http_client=api.client
        )
        core.enrol("http://testserver", code, name)
        return core

    a, b = kiosk("a", here), kiosk("b", there)
    try:
        member_id = uuid.UUID(member["id"])
        for _ in range(2):
            outcome = a.checkin.check_in(member_id, CheckinMethod.CARD)
            assert outcome.admitted, outcome.reason
            a.checkin.forget(member_id)  # a second visit later on, not a double scan
        a.sync.push()
        b.sync.pull()
        refused = b.checkin.check_in(member_id, CheckinMethod.CARD)
        assert not refused.admitted
        assert refused.reason == "weekly limit of 2 visits reached"
        c = kiosk("c", there)
        try:
            late = c.checkin.check_in(member_id, CheckinMethod.CARD)
            assert (late.admitted, late.reason) == (False, "weekly limit of 2 visits reached")
        finally:
            c.close()
    finally:
        a.close()
        b.close()
