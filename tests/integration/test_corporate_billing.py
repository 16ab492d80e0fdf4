"""Corporate packages and monthly invoices, through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from server.bootstrap import Container
from server.corporate.models import CorporateAdmin
from server.corporate_billing import invoicing, service
from server.corporate_billing.jobs import issue_all_tenants
from server.corporate_billing.schemas import PackageCreate
from server.errors import Forbidden, NotFound
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind
from shared.ids import new_id
from tests.integration.corporate_billing_rows import (
    add_account,
    add_department,
    add_employee,
    add_member,
    add_movement,
    add_plan,
    add_visit,
    package_body,
)
from tests.integration.helpers import Api, Tenant
from tests.integration.journey_rows import add_journey
from zmos import cli

MARCH = "2026-03"


def _post(api: Api, tenant: Tenant, path: str, body: dict[str, Any], status: int) -> Any:
    response = api.client.post(path, json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return response.json()


def _packages(account_id: str) -> str:
    return f"/corporate/accounts/{account_id}/packages"


def test_a_package_binds_plans_and_journeys_with_its_split(api: Api, container: Container) -> None:
    tenant = api.sign_up("pk-a")
    api.create_location(tenant)
    plan_id = add_plan(api, tenant)
    journey_id = add_journey(container, tenant.id)
    account_id = add_account(container, tenant.id)
    body = package_body(plan_id, journey_template_ids=[journey_id], seats=2)
    package = _post(api, tenant, _packages(account_id), body, 201)
    # 75 % of 40.00 = 30.00 for the company; the employee pays 10.00.
    assert (package["company_share"], package["employee_share"]) == ("30.00", "10.00")
    assert (package["seats_taken"], package["seats_left"], package["currency"]) == (0, 2, "GBP")

    member = add_member(api, tenant, "Ama", "Mensah")
    add_employee(
        container, tenant.id, account_id, ref="E1", package_id=package["id"], member_id=member
    )
    # Not activated yet: no seat.
    add_employee(
        container, tenant.id, account_id, ref="E2", package_id=package["id"], member_id=None
    )
    ended = add_member(api, tenant, "Kofi", "Boateng")
    add_employee(
        container,
        tenant.id,
        account_id,
        ref="E3",
        package_id=package["id"],
        member_id=ended,
        status="ended",
        covered_until=date(2020, 1, 31),
    )
    read = api.client.get(f"{_packages(account_id)}/{package['id']}", headers=tenant.headers)
    assert (read.json()["seats_taken"], read.json()["seats_left"]) == (1, 1)

    # A fixed amount: 25.50 − 20.00 leaves 5.50 to the employee; the percentage is dropped.
    change = {"split": "fixed", "company_amount": "20.00", "seat_fee": "25.50"}
    patched = api.client.patch(
        f"{_packages(account_id)}/{package['id']}", json=change, headers=tenant.headers
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["company_share"], patched.json()["employee_share"]) == ("20.00", "5.50")
    assert patched.json()["company_percent"] is None

    ended_on = _post(
        api, tenant, f"{_packages(account_id)}/{package['id']}/end", {"ends_on": "2026-06-30"}, 200
    )
    assert ended_on["ends_on"] == "2026-06-30"
    listed = api.client.get(_packages(account_id), headers=tenant.headers).json()["items"]
    assert [p["id"] for p in listed] == [package["id"]]


def test_bad_packages_are_refused_and_change_nothing(api: Api, container: Container) -> None:
    tenant = api.sign_up("pk-bad")
    other = api.sign_up("pk-other")
    plan_id = add_plan(api, tenant)
    foreign_plan = add_plan(api, other)
    account_id = add_account(container, tenant.id)
    bad = [
        package_body(foreign_plan),
        package_body(plan_id, journey_template_ids=[str(uuid.uuid4())]),
        package_body(plan_id, split="fixed", company_amount="40.01"),
        package_body(plan_id, split="fixed"),
        package_body(plan_id, company_percent="101"),
        package_body(plan_id, company_percent=None),
        package_body(plan_id, seat_fee="-1"),
        package_body(plan_id, plan_ids=[]),
        package_body(plan_id, ends_on="2025-12-31"),
        package_body(plan_id, seats=0),
    ]
    for body in bad:
        response = api.client.post(_packages(account_id), json=body, headers=tenant.headers)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert api.client.get(_packages(account_id), headers=tenant.headers).json()["items"] == []

    package = _post(api, tenant, _packages(account_id), package_body(plan_id, seats=1), 201)
    path = f"{_packages(account_id)}/{package['id']}"
    member = add_member(api, tenant, "Ama", "Mensah")
    add_employee(
        container, tenant.id, account_id, ref="E1", package_id=package["id"], member_id=member
    )
    refused = [
        ({"split": "fixed", "company_amount": "41.00"}, 422),
        ({"seat_fee": None}, 422),
        ({"plan_ids": [foreign_plan]}, 422),
        ({"split": "fixed"}, 422),
    ]
    for change, status in refused:
        response = api.client.patch(path, json=change, headers=tenant.headers)
        assert response.status_code == status, (change, response.text)
    response = api.client.post(
        f"{path}/end", json={"ends_on": "2025-01-01"}, headers=tenant.headers
    )
    assert response.status_code == 422
    assert api.client.get(path, headers=tenant.headers).json() == {
        **package,
        "seats_taken": 1,
        "seats_left": 0,
    }
    # Nobody who holds a seat loses it to a smaller pool; an unlimited pool is fine.
    response = api.client.patch(path, json={"seats": None}, headers=tenant.headers)
    assert response.status_code == 200 and response.json()["seats_left"] is None


def test_a_coach_or_front_desk_may_not_touch_packages(api: Api, container: Container) -> None:
    tenant = api.sign_up("pk-roles")
    location = api.create_location(tenant)
    plan_id = add_plan(api, tenant)
    account_id = add_account(container, tenant.id)
    for role in ("coach", "front_desk"):
        email = f"{role}@pk-roles.example"
        api.create_staff(tenant, role, email, home_location_id=location["id"])
        headers = api.token_for("pk-roles", email)
        listed = api.client.get(_packages(account_id), headers=headers)
        assert listed.status_code == 403
        created = api.client.post(
            _packages(account_id), json=package_body(plan_id), headers=headers
        )
        assert created.status_code == 403


def _march_world(api: Api, container: Container, slug: str) -> tuple[Tenant, dict[str, str]]:
    """The hand-worked March of Acme Ltd (the test below does the arithmetic)."""
    tenant = api.sign_up(slug)
    location = api.create_location(tenant)  # Europe/London: the tenant's zone
    plan_id = add_plan(api, tenant)
    account = add_account(container, tenant.id)
    sales = add_department(container, tenant.id, account, "Sales", "CC-100")
    ops = add_department(container, tenant.id, account, "Operations", "CC-200")
    gym = _post(api, tenant, _packages(account), package_body(plan_id, name="Gym"), 201)
    swim = _post(
        api,
        tenant,
        _packages(account),
        package_body(plan_id, name="Swim", split="fixed", company_amount="20.00", seat_fee="25.50"),
        201,
    )
    ids = {"tenant": tenant.id, "account": account, "location": location["id"], "gym": gym["id"]}

    def employee(ref: str, department: str, package: str, **extra: Any) -> str:
        member = add_member(api, tenant, "Worker", ref)
        ids[ref] = member
        ids[f"{ref}-row"] = add_employee(
            container,
            tenant.id,
            account,
            ref=ref,
            package_id=package,
            member_id=member,
            department_id=department,
            **extra,
        )
        return member

    employee("e1", sales, gym["id"])
    employee("e2", sales, gym["id"], status="ended", covered_until=date(2026, 3, 1))
    employee("e3", ops, gym["id"])
    employee("e4", ops, swim["id"])
    employee("e5", ops, swim["id"], status="ended", covered_until=date(2026, 2, 28))
    employee("e6", sales, gym["id"], activated_at=datetime(2026, 4, 2, 9, tzinfo=UTC))
    add_employee(container, tenant.id, account, ref="e7", package_id=gym["id"], member_id=None)
    return tenant, ids


def test_a_months_invoice_per_cost_centre_with_usage(api: Api, container: Container) -> None:
    tenant, ids = _march_world(api, container, "inv-march")
    t, loc = ids["tenant"], ids["location"]
    first = add_visit(container, t, ids["e1"], loc, datetime(2026, 3, 2, 8, tzinfo=UTC))
    add_visit(container, t, ids["e1"], loc, datetime(2026, 3, 2, 9, tzinfo=UTC), repeat_of=first)
    add_visit(container, t, ids["e1"], loc, datetime(2026, 3, 20, 8, tzinfo=UTC))
    add_visit(container, t, ids["e1"], loc, datetime(2026, 3, 21, 8, tzinfo=UTC), admitted=False)
    # 23:30 GMT on 28 February is still February in London.
    add_visit(container, t, ids["e2"], loc, datetime(2026, 2, 28, 23, 30, tzinfo=UTC))
    add_movement(container, t, ids["e2"], date(2026, 3, 10))
    # 23:30 UTC on 31 March is 00:30 BST on 1 April: April's visit.
    add_visit(container, t, ids["e3"], loc, datetime(2026, 3, 31, 23, 30, tzinfo=UTC))
    add_movement(container, t, ids["e3"], date(2026, 3, 12), void=True)

    invoice = _post(
        api, tenant, f"/corporate/accounts/{ids['account']}/invoices", {"month": MARCH}, 200
    )
    # Seats: e1 and e2 (covered on 1 March) in Sales on Gym; e3 in Operations on Gym; e4 in
    # Operations on Swim. e5's cover ended in February, e6 was activated in April, e7 never.
    # Gym: 75 % of 40.00 = 30.00 a seat (employee 10.00); Swim: 20.00 a seat (employee 5.50).
    # Sales/Gym 2 × 30.00 = 60.00; Operations/Gym 1 × 30.00 = 30.00; Operations/Swim 20.00.
    # Total 60.00 + 30.00 + 20.00 = 110.00.
    # Usage: e1 2 visits (the re-entry and the refusal are none); e2 active by moving;
    # e3's visit is April's and its movement was voided.
    lines = [
        (
            line["cost_centre"],
            line["department"],
            line["package"],
            line["seats"],
            line["amount"],
            line["employees_owe"],
            line["active_employees"],
            line["visits"],
        )
        for line in invoice["lines"]
    ]
    assert lines == [
        ("CC-100", "Sales", "Gym", 2, "60.00", "20.00", 2, 2),
        ("CC-200", "Operations", "Gym", 1, "30.00", "10.00", 0, 0),
        ("CC-200", "Operations", "Swim", 1, "20.00", "5.50", 0, 0),
    ]
    assert (invoice["total"], invoice["employees_owe"]) == ("110.00", "35.50")
    assert (invoice["number"], invoice["month"]) == ("CI-000001", MARCH)

    # Re-issuing answers the same invoice, even after the roster changed.
    late = add_member(api, tenant, "Late", "Joiner")
    add_employee(container, t, ids["account"], ref="late", package_id=ids["gym"], member_id=late)
    again = _post(
        api, tenant, f"/corporate/accounts/{ids['account']}/invoices", {"month": MARCH}, 200
    )
    assert again == invoice
    month_run = _post(api, tenant, "/corporate/invoices", {"month": MARCH}, 200)
    assert [i["id"] for i in month_run["items"]] == [invoice["id"]]

    # Who owes what: 10.00 each for e1, e2, e3; 5.50 for e4; 35.50 in all.
    path = f"/corporate/accounts/{ids['account']}/invoices/{invoice['id']}"
    owed = api.client.get(f"{path}/employees", headers=tenant.headers).json()
    assert owed["total"] == "35.50"
    assert sorted((o["employee_ref"], o["amount"]) for o in owed["items"]) == [
        ("e1", "10.00"),
        ("e2", "10.00"),
        ("e3", "10.00"),
        ("e4", "5.50"),
    ]
    listed = api.client.get(
        f"/corporate/accounts/{ids['account']}/invoices?month={MARCH}", headers=tenant.headers
    ).json()["items"]
    assert [i["number"] for i in listed] == ["CI-000001"]


def test_invoice_files(api: Api, container: Container) -> None:
    tenant, ids = _march_world(api, container, "inv-files")
    invoice = _post(
        api, tenant, f"/corporate/accounts/{ids['account']}/invoices", {"month": MARCH}, 200
    )
    path = f"/corporate/accounts/{ids['account']}/invoices/{invoice['id']}"
    as_csv = api.client.get(f"{path}?format=csv", headers=tenant.headers)
    assert as_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert ["CC-100", "Sales", "Gym", "2", "40.00", "30.00", "60.00", "20.00", "0", "0"] in rows
    as_xlsx = api.client.get(f"{path}?format=xlsx", headers=tenant.headers)
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Cost centre", "Department", "Package"]
    as_pdf = api.client.get(f"{path}?format=pdf", headers=tenant.headers)
    assert as_pdf.status_code == 200 and as_pdf.content.startswith(b"%PDF")
    assert as_pdf.headers["content-type"] == "application/pdf"


def test_invoices_are_numbered_in_sequence_per_tenant_and_the_job_is_idempotent(
    api: Api, container: Container
) -> None:
    tenant, _ids = _march_world(api, container, "inv-seq")
    other = add_account(container, tenant.id, "Beta plc")
    plan_id = add_plan(api, tenant)
    _post(api, tenant, _packages(other), package_body(plan_id, starts_on="2026-03-15"), 201)
    # A package that starts in April has no March invoice.
    later = add_account(container, tenant.id, "Gamma GmbH")
    _post(api, tenant, _packages(later), package_body(plan_id, starts_on="2026-04-01"), 201)
    done = issue_all_tenants(container.uow, month=MARCH, slug="inv-seq")
    numbers = {i.account_id: i.number for i in done["inv-seq"].items}
    assert sorted(numbers.values()) == ["CI-000001", "CI-000002"]
    assert uuid.UUID(later) not in numbers
    again = issue_all_tenants(container.uow, month=MARCH, slug="inv-seq")
    assert {i.account_id: i.number for i in again["inv-seq"].items} == numbers
    # Beta has no seat holders: an invoice of nothing.
    beta = next(i for i in done["inv-seq"].items if i.account_id == uuid.UUID(other))
    assert str(beta.total) in ("0", "0.00")
    april = issue_all_tenants(container.uow, month="2026-04", slug="inv-seq")
    assert sorted(i.number for i in april["inv-seq"].items) == [
        "CI-000003",
        "CI-000004",
        "CI-000005",
    ]
    with pytest.raises(LookupError):
        issue_all_tenants(container.uow, month=MARCH, slug="nobody")


def test_bad_months_are_refused(api: Api, container: Container) -> None:
    tenant = api.sign_up("inv-bad")
    account = add_account(container, tenant.id)
    for month in ("2026-13", "2026-1", "march", "", None):
        response = api.client.post(
            f"/corporate/accounts/{account}/invoices", json={"month": month}, headers=tenant.headers
        )
        assert response.status_code == 422, (month, response.text)
    assert (
        api.client.get(f"/corporate/accounts/{account}/invoices", headers=tenant.headers).json()[
            "items"
        ]
        == []
    )


def _corporate_admin(container: Container, tenant_id: str, account_id: str) -> AccessClaims:
    admin_id = new_id()
    with container.uow() as uow:
        uow.db.add(
            CorporateAdmin(
                tenant_id=uuid.UUID(tenant_id),
                id=admin_id,
                account_id=uuid.UUID(account_id),
                email=f"{admin_id}@acme.example",
                full_name="Hana HR",
            )
        )
        uow.commit()
    return AccessClaims(
        kind=PrincipalKind.CORPORATE_ADMIN, subject_id=admin_id, tenant_id=uuid.UUID(tenant_id)
    )


def test_a_companys_admin_reads_its_own_and_changes_nothing(api: Api, container: Container) -> None:
    tenant, ids = _march_world(api, container, "inv-admin")
    account = uuid.UUID(ids["account"])
    other = uuid.UUID(add_account(container, tenant.id, "Beta plc"))
    invoice = _post(api, tenant, f"/corporate/accounts/{account}/invoices", {"month": MARCH}, 200)
    admin = _corporate_admin(container, tenant.id, ids["account"])
    packages = service.list_packages(uow=container.uow(), claims=admin, account_id=account)
    assert len(packages.items) == 2
    read = invoicing.get_invoice(
        uow=container.uow(), claims=admin, account_id=account, invoice_id=uuid.UUID(invoice["id"])
    )
    assert str(read.total) == "110.00"
    with pytest.raises(NotFound):
        service.list_packages(uow=container.uow(), claims=admin, account_id=other)
    with pytest.raises(Forbidden):
        invoicing.employee_shares(
            uow=container.uow(),
            claims=admin,
            account_id=account,
            invoice_id=uuid.UUID(invoice["id"]),
        )
    with pytest.raises(Forbidden):
        invoicing.issue_for_account(
            uow=container.uow(), claims=admin, account_id=account, month="2026-04"
        )
    cmd = PackageCreate.model_validate(package_body(str(uuid.uuid4())))
    with pytest.raises(Forbidden):
        service.create_package(uow=container.uow(), claims=admin, account_id=account, cmd=cmd)


def test_a_london_manager_sees_the_tenant_wide_packages(api: Api, container: Container) -> None:
    """Corporate accounts belong to the tenant, not to a location: a manager limited to one
    location manages them as an owner does."""
    tenant = api.sign_up("pk-scope")
    london = api.create_location(tenant, "London")
    api.create_location(tenant, "Accra", timezone="Africa/Accra")
    plan_id = add_plan(api, tenant)
    account = add_account(container, tenant.id)
    api.create_staff(
        tenant,
        "manager",
        "m@pk-scope.example",
        home_location_id=london["id"],
        location_ids=[london["id"]],
    )
    headers = api.token_for("pk-scope", "m@pk-scope.example")
    created = api.client.post(_packages(account), json=package_body(plan_id), headers=headers)
    assert created.status_code == 201, created.text


def test_the_command_line_issues_a_month_once(
    api: Api,
    container: Container,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _march_world(api, container, "inv-cli")
    monkeypatch.setenv("ZMOS_DATABASE_URL", db_url)
    monkeypatch.setenv("ZMOS_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ZMOS_SECRET_KEY", "test-secret-key-for-signing-tokens-0123456789")
    assert cli.main(["corporate", "invoice", "--month", MARCH, "--tenant", "inv-cli"]) == 0
    # The hand-worked March above: 110.00.
    assert "inv-cli: CI-000001 2026-03 110.00 GBP" in capsys.readouterr().out
    assert cli.main(["corporate", "invoice", "--month", MARCH]) == 0
    assert capsys.readouterr().out.count("CI-000001") == 1
    assert cli.main(["corporate", "invoice", "--month", MARCH]) == 0
    assert "CI-000002" not in capsys.readouterr().out
