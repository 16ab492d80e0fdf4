"""Corporate accounts, departments and roster rows written straight to the database (the
accounts and the roster have their own API and tests), and door and ledger rows at chosen
times, for the tests of packages and invoices."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from server.bootstrap import Container
from server.checkin.models import Checkin
from server.corporate.models import CorporateAccount, CorporateDepartment, CorporateEmployee
from server.engagement.models import MovementEvent
from shared.ids import new_id
from tests.integration.helpers import Api, Tenant


def add_account(container: Container, tenant_id: str, name: str = "Acme Ltd") -> str:
    account_id = new_id()
    with container.uow() as uow:
        uow.db.add(CorporateAccount(tenant_id=uuid.UUID(tenant_id), id=account_id, name=name))
        uow.commit()
    return str(account_id)


def add_department(
    container: Container, tenant_id: str, account_id: str, name: str, cost_centre: str | None
) -> str:
    department_id = new_id()
    with container.uow() as uow:
        uow.db.add(
            CorporateDepartment(
                tenant_id=uuid.UUID(tenant_id),
                id=department_id,
                account_id=uuid.UUID(account_id),
                name=name,
                cost_centre=cost_centre,
            )
        )
        uow.commit()
    return str(department_id)


def add_employee(
    container: Container,
    tenant_id: str,
    account_id: str,
    *,
    ref: str,
    package_id: str | None,
    member_id: str | None,
    department_id: str | None = None,
    status: str = "active",
    covered_until: date | None = None,
    activated_at: datetime | None = datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    first_name: str = "Ama",
) -> str:
    employee_id = new_id()
    with container.uow() as uow:
        uow.db.add(
            CorporateEmployee(
                tenant_id=uuid.UUID(tenant_id),
                id=employee_id,
                account_id=uuid.UUID(account_id),
                employee_ref=ref,
                first_name=first_name,
                last_name=ref,
                department_id=uuid.UUID(department_id) if department_id else None,
                package_id=uuid.UUID(package_id) if package_id else None,
                member_id=uuid.UUID(member_id) if member_id else None,
                status=status,
                covered_until=covered_until,
                activated_at=activated_at if member_id else None,
            )
        )
        uow.commit()
    return str(employee_id)


def add_visit(
    container: Container,
    tenant_id: str,
    member_id: str,
    location_id: str,
    at: datetime,
    *,
    admitted: bool = True,
    repeat_of: uuid.UUID | None = None,
) -> uuid.UUID:
    checkin_id = new_id()
    with container.uow() as uow:
        uow.db.add(
            Checkin(
                tenant_id=uuid.UUID(tenant_id),
                id=checkin_id,
                member_id=uuid.UUID(member_id),
                location_id=uuid.UUID(location_id),
                method="search",
                admitted=admitted,
                reason="ok" if admitted else "no membership",
                occurred_at=at,
                recorded_at=at,
                repeat_of=repeat_of,
            )
        )
        uow.commit()
    return checkin_id


def add_movement(
    container: Container, tenant_id: str, member_id: str, on: date, *, void: bool = False
) -> None:
    at = datetime(on.year, on.month, on.day, 12, 0, tzinfo=UTC)
    with container.uow() as uow:
        uow.db.add(
            MovementEvent(
                tenant_id=uuid.UUID(tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member_id),
                kind="outdoor",
                occurred_at=at,
                minutes=30,
                local_date=on,
                zone="Europe/London",
                source="staff",
                is_void=void,
            )
        )
        uow.commit()


def add_member(api: Api, tenant: Tenant, first: str, last: str) -> str:
    body = {"first_name": first, "last_name": last}
    response = api.client.post("/members", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def package_body(plan_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": "Gym access",
        "plan_ids": [plan_id],
        "seats": 10,
        "seat_fee": "40.00",
        "split": "percentage",
        "company_percent": "75",
        "starts_on": "2026-01-01",
        **extra,
    }


def add_plan(api: Api, tenant: Tenant) -> str:
    body = {
        "name": "Corporate monthly",
        "kind": "recurring",
        "billing_period": "month",
        "price": "40.00",
        "currency": "GBP",
    }
    response = api.client.post("/plans", json=body, headers=tenant.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def corporate_billing_world(
    api: Api, tenant: Tenant, plan_id: str, account_id: str | None = None
) -> dict[str, str]:
    """An account (``account_id``, or a new one) with a package, one activated employee and
    January 2026's invoice. The employee is a member of their own, not the world's."""
    container: Container = api.client.app.state.container  # type: ignore[attr-defined]
    member_id = add_member(api, tenant, "Esi", "Corporate")
    account_id = account_id or add_account(container, tenant.id)
    response = api.client.post(
        f"/corporate/accounts/{account_id}/packages",
        json=package_body(plan_id),
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    package_id = response.json()["id"]
    add_employee(
        container, tenant.id, account_id, ref="E1", package_id=package_id, member_id=member_id
    )
    invoice = api.client.post(
        f"/corporate/accounts/{account_id}/invoices",
        json={"month": "2026-01"},
        headers=tenant.headers,
    )
    assert invoice.status_code == 200, invoice.text
    return {
        "account_id": account_id,
        "package_id": package_id,
        "invoice_id": invoice.json()["id"],
    }
