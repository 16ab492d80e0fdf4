"""Two requests of one browser that find the access cookie expired at the same moment both
renew it: both succeed and the sign-in lives on. The rotated refresh token may be used
again only briefly, and only while its sign-in lives; later, or after a sign-out, a reuse
is still taken for a leak and ends every sign-in of the account."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from server.bootstrap import Container
from server.main import create_app
from server.signins.models import RefreshToken
from shared.clock import utcnow
from tests.integration.helpers import PASSWORD, Api
from tests.integration.web_helpers import (
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    staff_signs_in,
)

SLUG = "race-gym"
OWNER = f"owner@{SLUG}.example"
ACCESS, REFRESH = "zmos_staff", "zmos_staff_refresh"


@pytest.fixture
def signed_in(api: Api, container: Container) -> Iterator[tuple[Any, str]]:
    """The app and the refresh cookie of a staff sign-in."""
    api.sign_up(SLUG)
    app = create_app(container=container)
    with TestClient(app) as browser:
        assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
        refresh = browser.cookies.get(REFRESH, path="/manage")
        assert refresh
        yield app, refresh


def _tab(app: Any, refresh: str) -> TestClient:
    """A request of the browser whose access cookie has expired."""
    tab = TestClient(app)
    tab.cookies.set(ACCESS, "expired.or.garbled", domain="testserver.local", path="/manage")
    tab.cookies.set(REFRESH, refresh, domain="testserver.local", path="/manage")
    return tab


def _renewed(app: Any, refresh: str, page: str = "/manage/today/live") -> tuple[int, str | None]:
    """The status of one request with an expired access cookie and its new refresh cookie."""
    with _tab(app, refresh) as tab:
        response = tab.get(page, follow_redirects=False)
        # The polled fragment sends an ended sign-in's page elsewhere with htmx's header.
        status = 303 if "hx-redirect" in response.headers else response.status_code
        return status, tab.cookies.get(REFRESH, path="/manage")


def _lives(app: Any, refresh: str | None) -> bool:
    assert refresh
    status, _ = _renewed(app, refresh, "/manage")
    return status == 200


def test_two_requests_renew_the_same_cookie_at_once(signed_in: tuple[Any, str]) -> None:
    app, refresh = signed_in
    start = threading.Barrier(2)
    results: list[tuple[int, str | None]] = []
    failures: list[BaseException] = []

    def renew() -> None:
        try:
            start.wait(timeout=10)
            results.append(_renewed(app, refresh))
        except BaseException as exc:  # reported below, from the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=renew) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures and len(results) == 2
    assert [status for status, _ in results] == [200, 200]
    (_, first), (_, second) = results
    assert first and second and len({first, second, refresh}) == 3
    # Whichever pair the browser keeps, its sign-in lives on.
    assert _lives(app, first) and _lives(app, second)


def test_a_reuse_after_the_grace_is_still_a_leak(
    signed_in: tuple[Any, str], container: Container
) -> None:
    app, refresh = signed_in
    status, renewed = _renewed(app, refresh)
    assert status == 200 and renewed
    # Within the grace, the old token is good once more; after it, not.
    status, sibling = _renewed(app, refresh)
    assert status == 200 and sibling
    with container.uow() as uow:
        uow.db.execute(
            update(RefreshToken)
            .where(RefreshToken.replaced_by.is_not(None))
            .values(revoked_at=utcnow() - timedelta(seconds=31))
        )
        uow.commit()
    status, _ = _renewed(app, refresh)
    assert status == 303  # sent to sign in
    # Taken for a leak: every sign-in of the account has ended.
    assert not _lives(app, renewed) and not _lives(app, sibling)


def test_no_grace_after_a_sign_out(signed_in: tuple[Any, str]) -> None:
    app, refresh = signed_in
    with _tab(app, refresh) as tab:
        page = tab.get("/manage")
        assert page.status_code == 200
        signout = {"csrf": csrf_of(page.text)}
        out = tab.post("/manage/signout", data=signout, follow_redirects=False)
        assert out.status_code == 303
    status, _ = _renewed(app, refresh)
    assert status == 303


def test_a_member_cookie_gets_the_grace_too(api: Api, container: Container) -> None:
    tenant = api.sign_up("race-members")
    member_who_signs_in(api, container, tenant, "ama@race-members.example")
    with TestClient(create_app(container=container)) as browser:
        signed = member_signs_in(browser, "race-members", "ama@race-members.example")
        assert signed.status_code == 303
        refresh = browser.cookies.get("zmos_member_refresh", path="/app")
        assert refresh
        for _ in range(2):
            with TestClient(browser.app) as tab:
                tab.cookies.set("zmos_member", "expired", domain="testserver.local", path="/app")
                tab.cookies.set(
                    "zmos_member_refresh", refresh, domain="testserver.local", path="/app"
                )
                assert tab.get("/app/pass", follow_redirects=False).status_code == 200


def test_the_api_keeps_no_grace(api: Api) -> None:
    tenant = api.sign_up("race-api")
    first = api.client.post("/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert first.status_code == 200
    again = api.client.post("/auth/refresh", json={"refresh_token": tenant.refresh_token})
    assert again.status_code == 401
