"""The web pages' sign-in: cookie sessions for members (``/app``) and staff (``/manage``)
made by the API's own sign-in services, CSRF tokens on every form, and the pages' policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from server.api.security_headers import WEB_POLICY
from server.bootstrap import Container
from server.main import create_app
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.web_helpers import (
    WEB_PASSWORD,
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    staff_signs_in,
)

SLUG = "web-gym"
EMAIL = "ama@web-gym.example"
OWNER = f"owner@{SLUG}.example"


@pytest.fixture
def tenant(api: Api) -> Tenant:
    return api.sign_up(SLUG)


@pytest.fixture
def member(api: Api, container: Container, tenant: Tenant) -> dict[str, object]:
    return member_who_signs_in(api, container, tenant, EMAIL)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    """A second browser on the same server, with its own cookies."""
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _set_cookies(response: httpx.Response) -> list[str]:
    return [v for name, v in response.headers.multi_items() if name == "set-cookie"]


def _cookie(response: httpx.Response, name: str) -> str:
    found = [c for c in _set_cookies(response) if c.startswith(f"{name}=")]
    assert found, _set_cookies(response)
    return found[-1]


def test_a_member_signs_in_sees_the_pass_and_signs_out_everywhere(
    api: Api, member: dict[str, object]
) -> None:
    client = api.client
    signed = member_signs_in(client, SLUG, EMAIL)
    assert signed.status_code == 303, signed.text
    assert signed.headers["location"] == "/app/pass"
    cookie = _cookie(signed, "zmos_member").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/app" in cookie
    assert "secure" not in cookie  # plain HTTP here; see the HTTPS test
    page = client.get("/app/pass")
    assert page.status_code == 200, page.text
    assert "Ama Mensah" in page.text
    assert re.search(r'<img class="qr" src="data:image/png;base64,[A-Za-z0-9+/=]{200,}"', page.text)
    # The session is the API's own sign-in: its access token works as a bearer token too.
    access = client.cookies.get("zmos_member", path="/app")
    assert access
    bearer = {"Authorization": f"Bearer {access}"}
    assert api.client.get("/members/me", headers=bearer).status_code == 200
    out = client.post("/app/signout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 200, out.text
    assert 'class="signed-out"' in out.text
    assert re.search(r"zmos_member=\"?\"?;", _cookie(out, "zmos_member"))
    # Every sign-in ended, the API's included; the page sends the browser to sign in.
    assert api.client.get("/members/me", headers=bearer).status_code == 401
    again = client.get("/app/pass", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/app/signin"
    # An address no provider can have is no page (nothing of it is echoed into a form).
    odd = client.get("/app/a%22%3E%3Cb%3E%3Fx/signin")
    assert odd.status_code == 404 and "<b>" not in odd.text
    # The provider signed in with is remembered for the next sign-in.
    assert client.get("/app/signin", follow_redirects=False).headers["location"] == (
        f"/app/{SLUG}/signin"
    )


def test_a_wrong_password_is_refused_and_locks_out_as_the_api_does(
    api: Api, member: dict[str, object]
) -> None:
    wrong = member_signs_in(api.client, SLUG, EMAIL, "not the password")
    assert wrong.status_code == 401
    assert "zmos_member=" not in " ".join(_set_cookies(wrong))
    assert 'role="alert"' in wrong.text and "email or password" in wrong.text.lower()
    assert EMAIL in wrong.text  # the form keeps what was typed, bar the password
    assert api.client.get("/app/pass", follow_redirects=False).status_code == 303
    for _ in range(4):
        assert member_signs_in(api.client, SLUG, EMAIL, "guess").status_code == 401
    locked = member_signs_in(api.client, SLUG, EMAIL)  # even the right password waits
    assert locked.status_code == 429
    assert "try again in 15 minutes" in locked.text
    # The same lock-out as the API's: the API refuses this member too.
    body = {"tenant": SLUG, "email": EMAIL, "password": WEB_PASSWORD}
    assert api.client.post("/members/login", json=body).status_code == 429


def test_a_form_without_its_csrf_token_is_refused_with_a_page(
    api: Api, member: dict[str, object]
) -> None:
    client = api.client
    page = f"/app/{SLUG}/signin"
    fields = {"email": EMAIL, "password": WEB_PASSWORD}
    client.get(page)  # the browser has its CSRF cookie
    for data in (fields, {**fields, "csrf": ""}, {**fields, "csrf": "f" * 64}):
        refused = client.post(page, data=data, follow_redirects=False)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")
        assert "This form has expired" in refused.text
        assert "zmos_member=" not in " ".join(_set_cookies(refused))
    # A token from another browser does not fit this browser's cookie.
    with TestClient(client.app) as other:
        foreign = csrf_of(other.get(page).text)
    assert client.post(page, data={**fields, "csrf": foreign}).status_code == 403
    # Without the CSRF cookie (a cross-site post from a fresh browser) no token fits.
    client.cookies.clear()
    assert client.post(page, data={**fields, "csrf": foreign}).status_code == 403
    # Staff forms too, and signing out.
    staff = client.post(
        "/manage/signin", data={"tenant": SLUG, "email": OWNER, "password": PASSWORD}
    )
    assert staff.status_code == 403
    assert member_signs_in(client, SLUG, EMAIL).status_code == 303
    assert client.post("/app/signout", data={}).status_code == 403
    assert client.get("/app/pass").status_code == 200  # still signed in


def test_an_oversized_form_is_refused_clearly(api: Api, member: dict[str, object]) -> None:
    """A large provider's long set-up forms fit; a form past the limits gets its own page."""
    client = api.client
    page = f"/app/{SLUG}/signin"
    token = csrf_of(client.get(page).text)
    fields = {"email": EMAIL, "password": WEB_PASSWORD, "csrf": token}
    many = {**fields, **{f"extra{i}": "on" for i in range(200)}}
    assert client.post(page, data=many, follow_redirects=False).status_code == 303
    client.cookies.clear()
    token = csrf_of(client.get(page).text)
    too_many = {**fields, "csrf": token, **{f"x{i}": "" for i in range(700)}}
    refused = client.post(page, data=too_many, follow_redirects=False)
    assert refused.status_code == 413 and "more fields than it can hold" in refused.text
    too_big = {**fields, "csrf": token, "note": "x" * 20_000}
    refused = client.post(page, data=too_big, follow_redirects=False)
    assert refused.status_code == 413 and "Too much data" in refused.text


def test_another_tenants_member_cannot_sign_in_here(
    api: Api, container: Container, tenant: Tenant, member: dict[str, object]
) -> None:
    other = api.sign_up("other-web-gym")
    member_who_signs_in(api, container, other, "kofi@other.example", first="Kofi")
    here = member_signs_in(api.client, SLUG, "kofi@other.example")
    assert here.status_code == 401
    assert api.client.get("/app/pass", follow_redirects=False).status_code == 303
    there = member_signs_in(api.client, "other-web-gym", "kofi@other.example")
    assert there.status_code == 303
    assert "Kofi Mensah" in api.client.get("/app/pass").text


def test_staff_sign_in_to_the_console_and_see_their_tenants_locations(
    api: Api, tenant: Tenant, browser: TestClient
) -> None:
    api.create_location(tenant, "Accra Central")
    other = api.sign_up("far-web-gym")
    api.create_location(other, "Kumasi North")
    assert browser.get("/manage", follow_redirects=False).headers["location"] == "/manage/signin"
    wrong = staff_signs_in(browser, SLUG, OWNER, "wrong password")
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    signed = staff_signs_in(browser, SLUG, OWNER, PASSWORD)
    assert signed.status_code == 303 and signed.headers["location"] == "/manage"
    cookie = _cookie(signed, "zmos_staff").lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/manage" in cookie
    today = browser.get("/manage")
    assert today.status_code == 200
    assert "Accra Central" in today.text and "Kumasi North" not in today.text
    out = browser.post(
        "/manage/signout", data={"csrf": csrf_of(today.text)}, follow_redirects=False
    )
    assert out.status_code == 303 and out.headers["location"] == "/manage/signin"
    assert browser.get("/manage", follow_redirects=False).status_code == 303


def test_a_member_cannot_reach_the_console(api: Api, member: dict[str, object]) -> None:
    client = api.client
    assert member_signs_in(client, SLUG, EMAIL).status_code == 303
    # The member's cookies are not sent to /manage: sign in as staff first.
    assert client.get("/manage", follow_redirects=False).headers["location"] == "/manage/signin"
    # A member's token put in the staff cookie is refused, not taken for staff.
    token = client.cookies.get("zmos_member", path="/app")
    assert token
    with TestClient(client.app) as forged:
        forged.cookies.set("zmos_staff", token, path="/manage")
        refused = forged.get("/manage", follow_redirects=False)
    assert refused.status_code == 403
    assert "for staff accounts" in refused.text


def test_staff_are_not_members_in_the_member_app(api: Api, tenant: Tenant) -> None:
    with TestClient(api.client.app) as forged:
        forged.cookies.set("zmos_member", tenant.token, path="/app")
        refused = forged.get("/app/pass", follow_redirects=False)
    assert refused.status_code == 403
    assert "for members" in refused.text


def test_an_expired_access_cookie_is_renewed_with_the_refresh_cookie(
    api: Api, member: dict[str, object]
) -> None:
    client = api.client
    assert member_signs_in(client, SLUG, EMAIL).status_code == 303
    old_refresh = client.cookies.get("zmos_member_refresh", path="/app")
    client.cookies.set("zmos_member", "expired.or.garbled", domain="testserver.local", path="/app")
    page = client.get("/app/pass")
    assert page.status_code == 200 and "Ama Mensah" in page.text
    new_refresh = client.cookies.get("zmos_member_refresh", path="/app")
    assert new_refresh and new_refresh != old_refresh  # rotated, as the API rotates
    assert client.cookies.get("zmos_member", path="/app") != "expired.or.garbled"


def test_a_page_asked_for_without_a_sign_in_clears_no_cookies(
    api: Api, member: dict[str, object], browser: TestClient
) -> None:
    # The member app's service worker asks for the pass as it starts, which can be while
    # the member signs in: answered after the sign-in, an order to clear the cookies would
    # erase the new ones, and the member would land on the sign-in form again.
    early = browser.get("/app/pass", follow_redirects=False)
    assert early.status_code == 303
    assert early.headers["location"].endswith("/signin")
    assert [c for c in _set_cookies(early) if c.startswith("zmos_member")] == []
    # A request that carried an ended sign-in still clears what it carried.
    browser.cookies.set("zmos_member", "expired.or.garbled", domain="testserver.local", path="/app")
    stale = browser.get("/app/pass", follow_redirects=False)
    assert stale.status_code == 303
    assert re.search(r"zmos_member=\"?\"?;", _cookie(stale, "zmos_member"))


def test_cookies_are_secure_over_https(container: Container, member: dict[str, object]) -> None:
    app = create_app(container=container)
    with TestClient(app, base_url="https://testserver") as client:
        form = client.get(f"/app/{SLUG}/signin")
        assert "secure" in _cookie(form, "zmos_csrf").lower()
        signed = client.post(
            f"/app/{SLUG}/signin",
            data={"csrf": csrf_of(form.text), "email": EMAIL, "password": WEB_PASSWORD},
            follow_redirects=False,
        )
        assert signed.status_code == 303
        for name in ("zmos_member", "zmos_member_refresh"):
            assert "secure" in _cookie(signed, name).lower()


_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def test_every_page_carries_a_policy_without_unsafe_inline(
    api: Api,
    tenant: Tenant,
    member: dict[str, object],
    browser: TestClient,
    container: Container,
) -> None:
    assert "unsafe-inline" not in WEB_POLICY and "unsafe-eval" not in WEB_POLICY
    assert "script-src 'self'" in WEB_POLICY and "frame-ancestors 'none'" in WEB_POLICY
    assert member_signs_in(api.client, SLUG, EMAIL).status_code == 303
    assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
    pages = [
        api.client.get(f"/app/{SLUG}/signin"),
        api.client.get("/app/pass"),
        api.client.get("/app/signin?tenant=Not%20A%20Slug"),
        browser.get("/manage/signin"),
        browser.get("/manage"),
        api.client.post("/manage/signin", data={}),  # the 403 page
        api.client.get("/static/zmos.css"),
        api.client.get("/app/sw.js"),
    ]
    assert [p.status_code for p in pages] == [200, 200, 422, 200, 200, 403, 200, 200]
    policy = WEB_POLICY
    if container.settings.oidc_enabled:  # integrated: the sign-in form leads to ZHEP's
        issuer = container.settings.oidc_issuer
        policy = policy.replace("form-action 'self'", f"form-action 'self' {issuer}")
    for page in pages:
        headers = page.headers
        assert headers["content-security-policy"] == policy, page.request.url
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        if headers["content-type"].startswith("text/html"):
            assert not _INLINE_SCRIPT.search(page.text), page.request.url
            assert " style=" not in page.text and "<style" not in page.text
            assert headers["cache-control"] == "no-store"
    # The API keeps its own, stricter policy.
    assert "form-action 'none'" in api.client.get("/health").headers["content-security-policy"]


def test_the_member_app_is_installable_and_ships_its_assets(api: Api) -> None:
    manifest = api.client.get("/app/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    data = manifest.json()
    assert (data["start_url"], data["scope"], data["display"]) == (
        "/app/pass",
        "/app/",
        "standalone",
    )
    for icon in data["icons"]:
        image = api.client.get(icon["src"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    worker = api.client.get("/app/sw.js")
    assert worker.headers["content-type"].startswith("text/javascript")
    assert '"/app/pass"' in worker.text
    htmx = api.client.get("/static/vendor/htmx.min.js")
    assert htmx.status_code == 200 and "htmx" in htmx.text[:2000]
    assert api.client.get("/static/vendor/htmx.LICENSE").status_code == 200
    assert api.client.get("/static/nothing.js").status_code == 404
    # Assets may be kept and revalidated; the pages themselves are never stored.
    css = api.client.get("/static/zmos.css")
    assert css.headers["cache-control"] == "no-cache"
    again = api.client.get("/static/zmos.css", headers={"if-none-match": css.headers["etag"]})
    assert again.status_code == 304
