"""Driving the web pages as a browser does: forms with their CSRF token, cookies."""

from __future__ import annotations

import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from server.bootstrap import Container
from server.members.models import Member
from shared.clock import utcnow
from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member

WEB_PASSWORD = "member web password"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, html
    return found.group(1)


def member_who_signs_in(
    api: Api, container: Container, tenant: Tenant, email: str, first: str = "Ama"
) -> dict[str, Any]:
    """A member with a confirmed email and a password (the sign-up flow has its own tests)."""
    member = create_member(api, tenant, first=first, email=email)
    with container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.id == uuid.UUID(member["id"]))
            .values(
                password_hash=container.identity.hash_password(WEB_PASSWORD),
                email_verified_at=utcnow(),
            )
        )
        uow.commit()
    return member


def post_form(client: TestClient, page: str, action: str, **fields: str) -> Any:
    """Opens ``page`` for its CSRF token, then posts ``fields`` to ``action``."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={"csrf": csrf_of(shown.text), **fields}, follow_redirects=False)


def member_signs_in(client: TestClient, slug: str, email: str, password: str = WEB_PASSWORD) -> Any:
    page = f"/app/{slug}/signin"
    return post_form(client, page, page, email=email, password=password)


def staff_signs_in(client: TestClient, slug: str, email: str, password: str) -> Any:
    return post_form(
        client, "/manage/signin", "/manage/signin", tenant=slug, email=email, password=password
    )
