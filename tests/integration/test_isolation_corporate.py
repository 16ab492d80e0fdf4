"""A company's admin is walked through every route: their own account answers; another
account of the same provider is not found; the provider's own routes (members, staff,
classes, reports) refuse them (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from server.bootstrap import Container
from server.config import Settings
from tests.integration.corporate_helpers import CORPORATE_BODIES, corporate_world, invite_admin
from tests.integration.helpers import Api
from tests.integration.members_helpers import SmtpSink, mailing_to

#: Routes anyone may call (no sign-in) or that a signed-in admin may use on their own.
PUBLIC_GETS = {"/health", "/health/ready", "/openapi.json", "/docs", "/redoc"}


@pytest.fixture
def settings(settings: Settings, smtp: tuple[SmtpSink, int]) -> Settings:
    return mailing_to(settings, smtp)


def _call(api: Api, method: str, template: str, path: str, headers: dict[str, str]) -> Any:
    options = dict(CORPORATE_BODIES.get((method, template), {}))
    headers = {**headers, **options.pop("headers", {})}
    return api.client.request(method, path, headers=headers, **options)


def test_an_admin_reaches_their_own_account_only(
    api: Api, container: Container, mailbox: SmtpSink
) -> None:
    tenant = api.sign_up("walk-corp")
    other_tenant = api.sign_up("walk-corp-b")
    acme = corporate_world(api, container, tenant)
    globex = corporate_world(api, container, tenant, name="Globex plc")
    elsewhere = corporate_world(api, container, other_tenant)
    admin = invite_admin(
        api, tenant, acme["account_id"], mailbox, "kofi@acme.example", "a long admin password"
    )
    globex_admin = api.client.post(
        f"/corporate/accounts/{globex['account_id']}/admins",
        json={"email": "ana@globex.example", "full_name": "Ana"},
        headers=tenant.headers,
    ).json()
    paths = api.client.get("/openapi.json").json()["paths"]
    walked = 0
    for template, methods in paths.items():
        if "{account_id}" not in template:
            continue
        for method in (m.upper() for m in methods):
            for foreign in (globex["account_id"], elsewhere["account_id"]):
                path = template.format(
                    account_id=foreign,
                    admin_id=globex_admin["id"],
                    package_id=uuid.uuid4(),
                    invoice_id=uuid.uuid4(),
                )
                response = _call(api, method, template, path, admin)
                # Another account is not found, before any route for the provider's
                # managers only would refuse the admin.
                assert response.status_code == 404, (method, template, response.text)
                assert response.headers["content-type"] == "application/problem+json"
            walked += 1
    assert walked >= 10
    # Their own account's reads answer.
    for suffix in ("", "/departments", "/employees"):
        own = api.client.get(f"/corporate/accounts/{acme['account_id']}{suffix}", headers=admin)
        assert own.status_code == 200, (suffix, own.text)
    # The provider's lists and everything keyed on a member: refused.
    refused = 0
    for template, methods in paths.items():
        if template.startswith("/corporate") or template in PUBLIC_GETS or "get" not in methods:
            continue
        if "{tenant_slug}" in template or "{token}" in template:
            continue  # public by design
        path = re.sub(r"{\w+}", str(uuid.uuid4()), template)
        response = api.client.get(path, headers=admin)
        assert response.status_code in (401, 403, 404, 422), (template, response.status_code)
        assert response.status_code != 404 or "{" in template, template
        refused += 1
    assert refused >= 40
