"""Corporate accounts in tests: an account with a department and a package, and reading
the one-time codes of corporate emails."""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from typing import Any

from server.bootstrap import Container
from server.corporate.models import CorporatePackage
from tests.integration.helpers import Api, Tenant

ACCOUNT = {
    "name": "Acme Ltd",
    "legal_name": "Acme Limited",
    "contact_name": "Hana Mensah",
    "contact_email": "hana@acme.example",
    "billing_email": "accounts@acme.example",
    "tax_number": "GB123456789",
    "po_reference": "PO-7781",
}


def corporate_plan(api: Api, tenant: Tenant, name: str = "Corporate access") -> str:
    response = api.client.post(
        "/plans",
        json={
            "name": name,
            "kind": "recurring",
            "billing_period": "month",
            "price": "30.00",
            "currency": "GBP",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 201, response.text
    plan_id: str = response.json()["id"]
    return plan_id


def add_package(
    container: Container,
    tenant_id: str,
    account_id: str,
    plan_id: str,
    *,
    name: str = "Gold",
    seats: int | None = None,
) -> str:
    """A package written straight to the database (packages have their own routes)."""
    package_id = uuid.uuid4()
    with container.uow() as uow:
        uow.db.add(
            CorporatePackage(
                id=package_id,
                tenant_id=uuid.UUID(tenant_id),
                account_id=uuid.UUID(account_id),
                name=name,
                plan_ids=[plan_id],
                journey_template_ids=[],
                seats=seats,
                seat_fee=Decimal("25.00"),
                split="company_all",
                starts_on=date(2026, 1, 1),
            )
        )
        uow.commit()
    return str(package_id)


def corporate_world(
    api: Api, container: Container, tenant: Tenant, name: str = "Acme Ltd", seats: int | None = None
) -> dict[str, Any]:
    """An account with a department "Finance" (cost centre CC-10) and a package "Gold"."""
    account = api.client.post(
        "/corporate/accounts", json={**ACCOUNT, "name": name}, headers=tenant.headers
    )
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    department = api.client.post(
        f"/corporate/accounts/{account_id}/departments",
        json={"name": "Finance", "cost_centre": "CC-10"},
        headers=tenant.headers,
    )
    assert department.status_code == 201, department.text
    plan_id = corporate_plan(api, tenant, f"{name} access")
    package_id = add_package(container, tenant.id, account_id, plan_id, seats=seats)
    return {
        "account_id": account_id,
        "department_id": department.json()["id"],
        "package_id": package_id,
        "plan_id": plan_id,
    }


def upload(
    api: Api,
    headers: dict[str, str],
    account_id: str,
    text: str,
    *,
    mode: str = "delta",
    dry_run: bool = False,
    good_rows: bool = False,
) -> Any:
    return api.client.post(
        f"/corporate/accounts/{account_id}/roster",
        params={"mode": mode, "dry_run": dry_run, "apply_good_rows": good_rows},
        content=text.encode(),
        headers={**headers, "content-type": "text/csv"},
    )


def code_in(message: EmailMessage, prefix: str) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    found = re.search(
        rf"\b{prefix}\.[0-9a-f]{{32}}\.[0-9a-f]{{32}}\.[A-Za-z0-9_\-]+", body.get_content()
    )
    assert found, body.get_content()
    return found.group(0)


def invite_admin(
    api: Api, tenant: Tenant, account_id: str, mailbox: Any, email: str, password: str
) -> dict[str, str]:
    """Invite an admin, accept with ``password`` and sign in: their bearer headers."""
    invited = api.client.post(
        f"/corporate/accounts/{account_id}/admins",
        json={"email": email, "full_name": "Kofi Admin"},
        headers=tenant.headers,
    )
    assert invited.status_code == 201, invited.text
    code = code_in(mailbox.to(email)[-1], "cpw")
    accepted = api.client.post(
        "/corporate/admins/password", json={"token": code, "password": password}
    )
    assert accepted.status_code == 200, accepted.text
    signed = api.client.post(
        "/corporate/sign-in", json={"tenant": tenant.slug, "email": email, "password": password}
    )
    assert signed.status_code == 200, signed.text
    return {"Authorization": f"Bearer {signed.json()['access_token']}"}


#: Bodies of the corporate routes for the isolation walk (valid, so a 404 is isolation).
CORPORATE_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/corporate/accounts/{account_id}"): {"json": {"po_reference": "PO-1"}},
    ("POST", "/corporate/accounts/{account_id}/departments"): {
        "json": {"name": f"Dept {uuid.uuid4().hex[:6]}"}
    },
    ("POST", "/corporate/accounts/{account_id}/admins"): {
        "json": {"email": "walk-admin@firm.example", "full_name": "Walk Admin"}
    },
    ("POST", "/corporate/accounts/{account_id}/roster"): {
        "content": b"employee_id,work_email\nW1,w1@firm.example\n",
        "headers": {"content-type": "text/csv"},
    },
    ("POST", "/corporate/accounts/{account_id}/packages"): {
        "json": {
            "name": "Walk package",
            "plan_ids": [str(uuid.uuid4())],
            "seat_fee": "10.00",
            "split": "company_all",
            "starts_on": "2026-01-01",
        }
    },
    ("PATCH", "/corporate/accounts/{account_id}/packages/{package_id}"): {"json": {"seats": 5}},
    ("POST", "/corporate/accounts/{account_id}/packages/{package_id}/end"): {
        "json": {"ends_on": "2026-12-31"}
    },
    ("POST", "/corporate/accounts/{account_id}/invoices"): {"json": {"month": "2026-01"}},
}
#: The walk archives the account and deactivates the admin before some of these run: then
#: the caller's own call is a 409.
CORPORATE_STATE_DEPENDENT = {
    "/corporate/accounts/{account_id}/roster",
    "/corporate/accounts/{account_id}/invitations",
    "/corporate/accounts/{account_id}/admins/{admin_id}/invitation",
}


def corporate_ids(api: Api, tenant: Tenant) -> dict[str, str]:
    """An account with an invited admin (no password yet), for the isolation walk."""
    account = api.client.post("/corporate/accounts", json=ACCOUNT, headers=tenant.headers)
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    admin = api.client.post(
        f"/corporate/accounts/{account_id}/admins",
        json={"email": f"kofi@{tenant.slug}.example", "full_name": "Kofi Admin"},
        headers=tenant.headers,
    )
    assert admin.status_code == 201, admin.text
    return {"account_id": account_id, "admin_id": admin.json()["id"]}
