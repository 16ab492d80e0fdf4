"""Corporate reports: figures worked by hand with the suppression they need, an attacker who
asks every crossed filter and subtracts totals, corporate admins kept to their own account,
and individual rows only with the employee's consent (SQLite and PostgreSQL)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update

from server.bootstrap import Container
from server.corporate.models import CorporateAdmin, CorporateConsent
from server.tenants.models import Tenant as TenantRow
from shared.disclosure import TOTAL, determined, lines
from shared.enums import PrincipalKind
from tests.integration.corporate_reports_helpers import (
    Corp,
    add_employees,
    admin_headers,
    member_headers,
    open_account,
    token,
)
from tests.integration.helpers import Api, Tenant

PERIOD = {"from": "2026-09", "to": "2026-11"}
OCT = [date(2026, 10, 6), date(2026, 10, 13)]
FIGURES = (
    "eligible",
    "activated",
    "active",
    "meeting_dose",
    "journeys_started",
    "journeys_adhered",
    "journeys_completed",
    "challenge_participants",
)


@pytest.fixture
def world(api: Api, container: Container) -> tuple[Tenant, Corp, str, str]:
    """Acme: Sales at A (15, 12 of them active in October), Ops at A (14, 11 active) and at
    B (3, 2 active)."""
    tenant = api.sign_up("corp-gym")
    a = api.create_location(tenant, "Alpha")["id"]
    b = api.create_location(tenant, "Beta")["id"]
    corp = open_account(container, tenant.id, "Acme", ["Sales", "Ops"])
    add_employees(corp, 12, department="Sales", location_id=a, active_in=OCT)
    add_employees(corp, 3, department="Sales", location_id=a)
    add_employees(corp, 11, department="Ops", location_id=a, active_in=OCT)
    add_employees(corp, 3, department="Ops", location_id=a)
    add_employees(corp, 2, department="Ops", location_id=b, active_in=OCT)
    add_employees(corp, 1, department="Ops", location_id=b)
    return tenant, corp, a, b


def _get(api: Api, corp: Corp, headers: dict[str, str], status: int = 200, **params: Any) -> Any:
    response = api.client.get(
        f"/corporate/accounts/{corp.account_id}/reports/participation",
        params={**PERIOD, **params},
        headers=headers,
    )
    assert response.status_code == status, response.text
    return response.json()


def _figures(body: Any) -> dict[str, Any]:
    return {f["figure"]: f for f in body["summary"]}


def test_hand_worked_eligible_with_complementary_suppression(
    api: Api, world: tuple[Tenant, Corp, str, str]
) -> None:
    tenant, corp, a, b = world
    body = _get(api, corp, tenant.headers)
    # Eligible: Sales (A 15, B 0 | 15), Ops (A 14, B 3 | 17); A 29, B 3; all 32.
    # B's 3 people are too few: Ops@B and B's total are hidden ("small"). Ops's row would
    # give Ops@B as 17 − 14, so Ops@A goes; then column A gives Ops@A as 29 − 15, so
    # Sales@A goes; Sales's row gives it as 15 − 0, so Sales@B (0) goes; the totals row
    # gives B as 32 − 29, so A's total goes. Department totals and the grand total stay.
    assert _figures(body)["eligible"]["count"] == 32
    depts = {r["name"]: r for r in body["by_department"]}
    assert depts["Sales"]["eligible"] == 15
    assert depts["Ops"]["eligible"] == 17
    locs = {r["name"]: r for r in body["by_location"]}
    assert locs["Alpha"]["eligible"] is None and "eligible: complement" in locs["Alpha"]["hidden"]
    assert locs["Beta"]["eligible"] is None and "eligible: small" in locs["Beta"]["hidden"]
    # Active (October): Sales 12, Ops 13 (11 + 2), all 25; every one of the 32 is
    # activated, so the share is 25 / 32 = 0.78125.
    assert _figures(body)["active"]["count"] == 25
    assert _figures(body)["active"]["share"] == pytest.approx(0.78125)
    assert depts["Ops"]["active"] == 13
    # Meeting the dose: 2 × 45 min in a 13-week period is far below 150 a week.
    assert _figures(body)["meeting_dose"]["count"] == 0
    # A filter is a slice of the same tables: Ops at Beta is hidden, Ops alone is shown.
    assert (
        _figures(
            _get(
                api, corp, tenant.headers, department_id=str(corp.departments["Ops"]), location_id=b
            )
        )["eligible"]["count"]
        is None
    )
    assert (
        _figures(_get(api, corp, tenant.headers, department_id=str(corp.departments["Ops"])))[
            "eligible"
        ]["count"]
        == 17
    )
    assert _figures(_get(api, corp, tenant.headers, location_id=a))["eligible"]["count"] is None


def test_crossing_every_filter_and_subtracting_totals_isolates_nobody(
    api: Api, world: tuple[Tenant, Corp, str, str]
) -> None:
    """The attacker asks the report for every department × location (and each alone, and
    neither), reads every breakdown, and tries to solve for a hidden cell."""
    _tenant, corp, a, b = world
    headers = admin_headers(corp, "hr@acme.example")
    depts: list[Any] = [str(d) for d in corp.departments.values()]
    locs: list[Any] = [a, b]
    known: dict[str, dict[tuple[Any, Any], int | None]] = {f: {} for f in FIGURES}

    def note(figure: str, key: tuple[Any, Any], value: int | None) -> None:
        before = known[figure].setdefault(key, value)
        assert before == value, f"{figure} at {key} differs between two views"

    for d, loc in itertools.product([None, *depts], [None, *locs]):
        params = {k: v for k, v in (("department_id", d), ("location_id", loc)) if v}
        body = _get(api, corp, headers, **params)
        here = (d or TOTAL, loc or TOTAL)
        for f in body["summary"]:
            note(f["figure"], here, f["count"])
            assert f["count"] is None or f["count"] == 0 or f["count"] >= 11
        for row in body["by_department"]:
            for figure in FIGURES:
                note(figure, (row["id"] or None, loc or TOTAL), row[figure])
        for row in body["by_location"]:
            for figure in FIGURES:
                note(figure, (d or TOTAL, row["id"]), row[figure])
    for figure, answers in known.items():
        hidden = [k for k, v in answers.items() if v is None]
        assert not determined(hidden, lines([depts, locs])), figure


def test_corporate_admins_see_only_their_own_account(
    api: Api, container: Container, world: tuple[Tenant, Corp, str, str]
) -> None:
    tenant, corp, _a, _b = world
    other = open_account(container, tenant.id, "Globex", ["Legal"])
    theirs = admin_headers(other, "admin@globex.example")
    _get(api, corp, theirs, status=404)
    mine = admin_headers(corp, "admin@acme.example")
    assert _get(api, corp, mine)["account_name"] == "Acme"
    # An admin who was deactivated is refused.
    with container.uow() as uow:
        uow.db.execute(
            update(CorporateAdmin)
            .where(CorporateAdmin.email == "admin@acme.example")
            .values(active=False)
        )
        uow.commit()
    _get(api, corp, mine, status=403)
    # Front desk, coaches and members are not readers; another tenant's owner finds nothing.
    api.create_staff(tenant, "front_desk", "desk@corp-gym.example")
    _get(api, corp, api.token_for(tenant.slug, "desk@corp-gym.example"), status=403)
    employee = next(iter(corp.members))
    _get(api, corp, member_headers(corp, employee), status=403)
    stranger = api.sign_up("other-gym")
    _get(api, corp, stranger.headers, status=404)
    response = api.client.get(
        f"/corporate/accounts/{corp.account_id}/reports/individuals", headers=theirs
    )
    assert response.status_code == 404


def test_individual_rows_only_with_consent_and_never_health_data(
    api: Api, container: Container, world: tuple[Tenant, Corp, str, str]
) -> None:
    _tenant, corp, _a, _b = world
    url = f"/corporate/accounts/{corp.account_id}/reports/individuals"
    admin = admin_headers(corp, "people@acme.example")
    assert api.client.get(url, params=PERIOD, headers=admin).json()["individuals"] == []
    employee = next(iter(corp.members))
    me = member_headers(corp, employee)
    given = api.client.post("/me/corporate-consents", json={"scope": "participation"}, headers=me)
    assert given.status_code == 201, given.text
    assert [c["scope"] for c in given.json()["consents"]] == ["participation"]
    rows = api.client.get(url, params=PERIOD, headers=admin).json()["individuals"]
    assert [r["employee_id"] for r in rows] == [str(employee)]
    row = rows[0]
    assert row["visits"] == 2 and row["active_months"] == 1
    assert row["journeys_started"] is None  # not consented to
    assert set(row) == {
        "employee_id",
        "employee_ref",
        "name",
        "department",
        "location",
        "scopes",
        "visits",
        "active_months",
        "meeting_dose",
        "challenges_joined",
        "journeys_started",
        "journeys_completed",
        "adherence_band",
    }
    # Giving it again keeps the first consent; revoking ends it, dated, and the row goes.
    again = api.client.post("/me/corporate-consents", json={"scope": "participation"}, headers=me)
    assert len(again.json()["consents"]) == 1
    gone = api.client.delete(
        "/me/corporate-consents", params={"scope": "participation"}, headers=me
    )
    assert gone.status_code == 204
    assert api.client.get(url, params=PERIOD, headers=admin).json()["individuals"] == []
    with container.uow() as uow:
        kept = uow.db.execute(select(CorporateConsent)).scalars().all()
        assert len(kept) == 1 and kept[0].revoked_at is not None
    listed = api.client.get("/me/corporate-consents", headers=me).json()
    assert listed["employers"] == ["Acme"] and listed["consents"][0]["revoked_at"]


def test_consent_bad_input_and_not_on_a_roster(
    api: Api, container: Container, world: tuple[Tenant, Corp, str, str]
) -> None:
    tenant, corp, _a, _b = world
    me = member_headers(corp, next(iter(corp.members)))
    bad = api.client.post("/me/corporate-consents", json={"scope": "health"}, headers=me)
    assert bad.status_code == 422
    bad = api.client.delete("/me/corporate-consents", params={"scope": "health"}, headers=me)
    assert bad.status_code == 422
    body = {"first_name": "Nadia", "last_name": "Free"}
    member = api.client.post("/members", json=body, headers=tenant.headers).json()
    loner = token(container, PrincipalKind.MEMBER, corp.tenant_id, uuid.UUID(member["id"]))
    missing = api.client.post("/me/corporate-consents", json={"scope": "journeys"}, headers=loner)
    assert missing.status_code == 404
    staff = api.client.post(
        "/me/corporate-consents", json={"scope": "journeys"}, headers=tenant.headers
    )
    assert staff.status_code == 403
    with container.uow() as uow:
        assert uow.db.execute(select(CorporateConsent)).first() is None


def test_report_bad_input(api: Api, world: tuple[Tenant, Corp, str, str]) -> None:
    tenant, corp, _a, _b = world
    h = tenant.headers
    _get(api, corp, h, status=422, **{"from": "2026-11", "to": "2026-01"})
    _get(api, corp, h, status=422, **{"from": "2024-01", "to": "2026-11"})
    _get(api, corp, h, status=422, **{"from": "2026-13"})
    _get(api, corp, h, status=404, department_id=str(uuid.uuid4()))
    _get(api, corp, h, status=404, location_id=str(uuid.uuid4()))
    missing = api.client.get(f"/corporate/accounts/{uuid.uuid4()}/reports/participation", headers=h)
    assert missing.status_code == 404


def test_the_tenants_minimum_never_below_five(
    api: Api, container: Container, world: tuple[Tenant, Corp, str, str]
) -> None:
    tenant, corp, _a, _b = world
    with container.uow() as uow:
        uow.db.execute(
            update(TenantRow).where(TenantRow.id == corp.tenant_id).values(corporate_min_group=3)
        )
        uow.commit()
    body = _get(api, corp, tenant.headers)
    assert body["min_group"] == 5
    # Beta's 3 are still below 5: hidden.
    locs = {r["name"]: r for r in body["by_location"]}
    assert locs["Beta"]["eligible"] is None


def test_files(api: Api, world: tuple[Tenant, Corp, str, str]) -> None:
    tenant, corp, _a, _b = world
    for fmt, media in (("csv", "text/csv"), ("xlsx", "spreadsheetml"), ("pdf", "application/pdf")):
        response = api.client.get(
            f"/corporate/accounts/{corp.account_id}/reports/participation",
            params={**PERIOD, "format": fmt},
            headers=tenant.headers,
        )
        assert response.status_code == 200, response.text
        assert media in response.headers["content-type"]
    text = api.client.get(
        f"/corporate/accounts/{corp.account_id}/reports/participation",
        params={**PERIOD, "format": "csv"},
        headers=tenant.headers,
    ).content.decode("utf-8-sig")
    assert "By department" in text and "Sales" in text


def test_a_manager_limited_to_alpha_cannot_filter_on_beta(
    api: Api, world: tuple[Tenant, Corp, str, str]
) -> None:
    tenant, corp, a, b = world
    api.create_staff(tenant, "manager", "alpha@corp-gym.example", location_ids=[a])
    manager = api.token_for(tenant.slug, "alpha@corp-gym.example")
    _get(api, corp, manager, status=404, location_id=b)
    assert _get(api, corp, manager, location_id=a)["location_id"] == a


def test_a_location_limited_manager_reads_only_their_locations(
    api: Api, world: tuple[Tenant, Corp, str, str]
) -> None:
    """Unfiltered, a manager of one location gets that location's figures, never the whole
    account's; a manager of several must name one of theirs."""
    tenant, corp, a, b = world
    api.create_staff(tenant, "manager", "only-a@corp-gym.example", location_ids=[a])
    one = api.token_for(tenant.slug, "only-a@corp-gym.example")
    whole = _get(api, corp, tenant.headers)
    mine = _get(api, corp, one)
    assert mine["location_id"] == a
    assert mine["summary"] == _get(api, corp, tenant.headers, location_id=a)["summary"]
    assert mine["summary"] != whole["summary"]
    api.create_staff(tenant, "manager", "both@corp-gym.example", location_ids=[a, b])
    both = api.token_for(tenant.slug, "both@corp-gym.example")
    refused = _get(api, corp, both, status=422)
    assert "choose one of your locations" in refused["detail"]
    assert _get(api, corp, both, location_id=b)["location_id"] == b
    individuals = api.client.get(
        f"/corporate/accounts/{corp.account_id}/reports/individuals",
        params=PERIOD,
        headers=both,
    )
    assert individuals.status_code == 422, individuals.text
