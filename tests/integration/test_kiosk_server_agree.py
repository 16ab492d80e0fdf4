"""The kiosk decides offline with the server's rules: for the same members it admits and
refuses exactly as the server does, with the same reasons."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from desktop.app import build_core
from desktop.config import KioskSettings
from desktop.core.kiosk import KioskCore
from server.bootstrap import Container
from shared.clock import utcnow
from shared.enums import CheckinMethod
from tests.integration import chaos
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
    # Two visits moments apart at one kiosk: only with the re-entry window off.
    off = api.client.patch(
        "/checkin-policy", json={"reentry_window_minutes": 0}, headers=tenant.headers
    )
    assert off.status_code == 200, off.text
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


def _kiosk(api: Api, tenant: Tenant, location: dict[str, Any], path: Path) -> KioskCore:
    code = api.client.post(
        f"/locations/{location['id']}/enrolment-codes", headers=tenant.headers
    ).json()["code"]
    core = build_core(KioskSettings(data_dir=path, credential_store="file"), http_client=api.client)
    core.enrol("http://testserver", code, path.name)
    return core


def _pack_member(api: Api, tenant: Tenant, plan: dict[str, Any], name: str) -> tuple[str, str]:
    member = _post(api, tenant, "/members", {"first_name": name, "last_name": "Door"})
    held = _post(
        api,
        tenant,
        f"/members/{member['id']}/memberships",
        {"plan_id": plan["id"], "starts_on": str(date.today() - timedelta(days=1))},
    )
    return member["id"], held["id"]


def _credits(api: Api, tenant: Tenant, membership_id: str) -> int:
    found = api.client.get(f"/memberships/{membership_id}", headers=tenant.headers).json()
    credits: int = found["credits_remaining"]
    return credits


def _door(api: Api, tenant: Tenant, member_id: str, location: dict[str, Any]) -> dict[str, Any]:
    return _post(
        api,
        tenant,
        "/checkins",
        {"member_id": member_id, "location_id": location["id"], "method": "card"},
    )


def test_kiosk_and_server_agree_on_repeat_scans_and_booked_classes(
    api: Api, container: Container, tmp_path: Path
) -> None:
    tenant = api.sign_up("agree-door")
    here = api.create_location(tenant, "Here", timezone="Europe/London")
    pack = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "8 classes",
            "kind": "class_pack",
            "credits": 8,
            "validity_days": 90,
            "price": "80.00",
            "currency": "GBP",
        },
    )
    came, came_pack = _pack_member(api, tenant, pack, "Came")
    booked, booked_pack = _pack_member(api, tenant, pack, "Booked")
    early, _ = _pack_member(api, tenant, pack, "Early")
    # In already, through another door of this location, ten minutes ago.
    before = (utcnow() - timedelta(minutes=10)).replace(microsecond=0)
    _post(
        api,
        tenant,
        "/checkins",
        {
            "member_id": came,
            "location_id": here["id"],
            "method": "card",
            "occurred_at": before.isoformat(),
        },
    )
    soon = chaos.add_class(container, tenant.id, here["id"], capacity=5, name="Spin")
    tomorrow = chaos.add_class(
        container, tenant.id, here["id"], capacity=5, name="Yoga", starts_in=timedelta(hours=13)
    )
    for session_id, member_id in ((soon, booked), (tomorrow, early)):
        _post(api, tenant, f"/sessions/{session_id}/bookings", {"member_id": member_id})
    assert _credits(api, tenant, booked_pack) == 7

    core = _kiosk(api, tenant, here, tmp_path / "desk")
    try:
        at = f"{before.astimezone(ZoneInfo('Europe/London')):%H:%M}"
        expected = {
            came: (True, f"already checked in at {at}"),
            booked: (True, "admitted on 8 classes, credit taken when booked"),
            # Tomorrow's class is not open for check-in: a plain door check-in.
            early: (True, "admitted on 8 classes, 6 credits left"),
        }
        for member_id, decided in expected.items():
            kiosk = core.checkin.check_in(uuid.UUID(member_id), CheckinMethod.CARD)
            server = _door(api, tenant, member_id, here)
            assert (kiosk.admitted, kiosk.reason.split(" · ")[0]) == decided, member_id
            assert (server["admitted"], server["reason"]) == decided, member_id
        # Scanned again a few minutes later (not a double scan): already in, at both.
        for member_id in (came, booked):
            core.checkin.forget(uuid.UUID(member_id))
            again = core.checkin.check_in(uuid.UUID(member_id), CheckinMethod.SEARCH)
            server = _door(api, tenant, member_id, here)
            assert again.admitted and again.reason.startswith("already checked in at")
            assert again.warning is not None and again.warning.startswith("Already checked in")
            assert (server["admitted"], server["reason"][:21]) == (True, again.reason[:21])
        core.sync.push()
        assert core.sync.pending_count() == 0
        # The booking took the class's credit; nothing at either door took another.
        assert _credits(api, tenant, booked_pack) == 7
        assert _credits(api, tenant, came_pack) == 7
    finally:
        core.close()


def test_two_kiosks_of_a_location_and_one_enrolled_mid_day_agree_on_who_is_in(
    api: Api, tmp_path: Path
) -> None:
    tenant = api.sign_up("agree-two")
    here = api.create_location(tenant, "Here", timezone="Europe/London")
    there = api.create_location(tenant, "There", timezone="Europe/London")
    pack = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "8 classes",
            "kind": "class_pack",
            "credits": 8,
            "validity_days": 90,
            "price": "80.00",
            "currency": "GBP",
        },
    )
    member_id, membership_id = _pack_member(api, tenant, pack, "Akosua")
    member = uuid.UUID(member_id)
    a = _kiosk(api, tenant, here, tmp_path / "a")
    b = _kiosk(api, tenant, here, tmp_path / "b")
    cores = [a, b]
    try:
        first = a.checkin.check_in(member, CheckinMethod.CARD)
        assert first.reason == "admitted on 8 classes, 7 credits left"
        # B has not heard of A's admission yet (both offline): it admits on a credit too.
        assert b.checkin.check_in(member, CheckinMethod.CARD).admitted
        a.sync.push()
        b.sync.push()
        # The server decides: B's was a re-entry of A's visit, and takes nothing.
        assert _credits(api, tenant, membership_id) == 7
        b.sync.pull()
        b.checkin.forget(member)
        again = b.checkin.check_in(member, CheckinMethod.SEARCH)
        server = _door(api, tenant, member_id, here)
        assert again.reason == server["reason"]
        assert server["reason"].startswith("already checked in at")
        # A kiosk enrolled now downloads the day's admissions here: it knows who is in.
        c = _kiosk(api, tenant, here, tmp_path / "c")
        cores.append(c)
        late = c.checkin.check_in(member, CheckinMethod.CARD)
        assert (late.admitted, late.reason) == (True, server["reason"])
        # Another location: a visit of its own.
        d = _kiosk(api, tenant, there, tmp_path / "d")
        cores.append(d)
        elsewhere = d.checkin.check_in(member, CheckinMethod.CARD)
        assert elsewhere.reason == "admitted on 8 classes, 6 credits left"
        for core in cores:
            core.sync.push()
        assert _credits(api, tenant, membership_id) == 6
    finally:
        for core in cores:
            core.close()


def test_a_change_of_the_door_rules_reaches_the_kiosk_by_pull(api: Api, tmp_path: Path) -> None:
    tenant = api.sign_up("agree-policy")
    here = api.create_location(tenant, "Here", timezone="Europe/London")
    pack = _post(
        api,
        tenant,
        "/plans",
        {
            "name": "8 classes",
            "kind": "class_pack",
            "credits": 8,
            "validity_days": 90,
            "price": "80.00",
            "currency": "GBP",
        },
    )
    member_id, _ = _pack_member(api, tenant, pack, "Esi")
    member = uuid.UUID(member_id)
    core = _kiosk(api, tenant, here, tmp_path / "desk")
    try:
        assert core.checkin.check_in(member, CheckinMethod.CARD).admitted
        core.checkin.forget(member)
        assert core.checkin.check_in(member, CheckinMethod.CARD).reason.startswith("already")
        put = api.client.patch(
            "/checkin-policy", json={"reentry_window_minutes": 0}, headers=tenant.headers
        )
        assert put.status_code == 200, put.text
        core.sync.pull()
        core.checkin.forget(member)
        third = core.checkin.check_in(member, CheckinMethod.CARD)
        assert third.reason == "admitted on 8 classes, 6 credits left"
    finally:
        core.close()
