"""The Tiles and Circles pages without a browser: a "Done" posted twice with its id counts
once, the day's cap and an archived Tile answer with the page and the reason, bad input is
the form again (422) with nothing stored, other tenants' ids are not found, the desk and
members cannot open the console's pages, and every form needs its CSRF token."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from tests.integration.helpers import PASSWORD, Api, Tenant
from tests.integration.web_helpers import (
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    staff_signs_in,
)

SLUG = "community-gym"
OWNER = f"owner@{SLUG}.example"
MEMBER = f"ama@{SLUG}.example"
TILE = {
    "title": "Desk stretch",
    "summary": "Loosen up at the desk.",
    "steps": ["Roll your shoulders.", "Reach up."],
    "minutes": 5,
    "intensity": "light",
}


@pytest.fixture
def tenant(api: Api) -> Tenant:
    tenant = api.sign_up(SLUG)
    api.create_location(tenant, "Central")
    return tenant


def _browser(container: Container) -> TestClient:
    return TestClient(create_app(container=container), raise_server_exceptions=False)


@pytest.fixture
def owner(container: Container, tenant: Tenant) -> Iterator[TestClient]:
    with _browser(container) as client:
        assert staff_signs_in(client, SLUG, OWNER, PASSWORD).status_code == 303
        yield client


@pytest.fixture
def member(api: Api, container: Container, tenant: Tenant) -> Iterator[TestClient]:
    member_who_signs_in(api, container, tenant, MEMBER)
    with _browser(container) as client:
        assert member_signs_in(client, SLUG, MEMBER).status_code == 303
        yield client


def _tile(api: Api, tenant: Tenant, **changes: Any) -> str:
    made = api.client.post("/tiles", json={**TILE, **changes}, headers=tenant.headers)
    assert made.status_code == 201, made.text
    tile_id: str = made.json()["id"]
    return tile_id


def _done_form(client: TestClient, tile_id: str) -> dict[str, str]:
    shown = client.get(f"/app/tiles/{tile_id}")
    assert shown.status_code == 200, shown.text
    found = re.search(r'name="completion_id" value="([0-9a-f-]{36})"', shown.text)
    assert found, shown.text
    return {"csrf": csrf_of(shown.text), "completion_id": found.group(1)}


def _count(html: str) -> str:
    found = re.search(r'data-field="done">([^<]*)<', html)
    assert found, html
    return found.group(1)


def test_done_twice_with_one_id_counts_once_and_the_cap_shows_its_reason(
    api: Api, tenant: Tenant, member: TestClient
) -> None:
    tile_id = _tile(api, tenant)
    form = _done_form(member, tile_id)
    action = f"/app/tiles/{tile_id}/done"
    for _ in range(2):  # a double click, or the form sent again
        sent = member.post(action, data=form, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    assert _count(member.get(f"/app/tiles/{tile_id}").text) == "1 of 3"
    for _ in range(2):
        assert member.post(action, data=_done_form(member, tile_id)).status_code == 200
    page = member.get("/app/tiles")
    assert _count(page.text) == "3 of 3"
    # A 4th posted anyway (a page left open): the Tile again with the reason, a 409.
    refused = member.post(action, data=form | {"completion_id": str(uuid.uuid4())})
    assert refused.status_code == 409
    assert "come back tomorrow" in refused.text and 'role="alert"' in refused.text
    # A broken id: the page again, nothing stored.
    broken = member.post(action, data=form | {"completion_id": "not-an-id"})
    assert broken.status_code == 422
    assert _count(member.get("/app/tiles").text) == "3 of 3"


def test_an_archived_or_unknown_tile(
    api: Api, tenant: Tenant, member: TestClient, owner: TestClient
) -> None:
    tile_id = _tile(api, tenant)
    form = _done_form(member, tile_id)
    shown = owner.get("/manage/setup/tiles")
    archived = owner.post(
        f"/manage/setup/tiles/{tile_id}/archive",
        data={"csrf": csrf_of(shown.text)},
        follow_redirects=False,
    )
    assert archived.status_code == 303
    # The open page's "Done" now: the Tile is gone for members.
    assert member.post(f"/app/tiles/{tile_id}/done", data=form).status_code == 404
    assert member.get(f"/app/tiles/{tile_id}").status_code == 404
    assert "Desk stretch" not in member.get("/app/tiles").text
    assert member.get(f"/app/tiles/{uuid.uuid4()}").status_code == 404
    assert member.get("/app/tiles/not-an-id").status_code == 404


def test_other_tenants_tiles_and_circles_are_not_found(
    api: Api, tenant: Tenant, owner: TestClient, member: TestClient
) -> None:
    other = api.sign_up("other-gym")
    theirs = _tile(api, other)
    circle = api.client.post(
        "/circles", json={"name": "Runners", "interest": "runners"}, headers=other.headers
    ).json()
    token = csrf_of(owner.get("/manage/setup").text)
    for path in (
        f"/manage/setup/tiles/{theirs}",
        f"/manage/setup/circles/{circle['id']}",
    ):
        assert owner.get(path).status_code == 404, path
    for action in (
        f"/manage/setup/tiles/{theirs}/archive",
        f"/manage/setup/circles/{circle['id']}",
        f"/manage/setup/circles/{circle['id']}/delete",
        f"/manage/setup/circles/{circle['id']}/announcements",
    ):
        sent = owner.post(action, data={"csrf": token, "name": "Taken", "title": "T", "body": "B"})
        assert sent.status_code == 404, action
    assert member.get(f"/app/tiles/{theirs}").status_code == 404
    assert member.get(f"/app/circles/{circle['id']}").status_code == 404
    app_token = csrf_of(member.get("/app/circles").text)
    joined = member.post(f"/app/circles/{circle['id']}/join", data={"csrf": app_token})
    assert joined.status_code == 404
    assert api.client.get(f"/tiles/{theirs}", headers=other.headers).json()["archived_at"] is None


def test_bad_circle_input_is_the_form_again_and_nothing_is_stored(
    api: Api, tenant: Tenant, owner: TestClient
) -> None:
    token = csrf_of(owner.get("/manage/setup/circles").text)
    bad = owner.post(
        "/manage/setup/circles", data={"csrf": token, "name": "", "interest": "run!ners"}
    )
    assert bad.status_code == 422
    assert 'id="c-name-error"' in bad.text and 'id="c-interest-error"' in bad.text
    assert api.client.get("/circles", headers=tenant.headers).json()["items"] == []
    made = owner.post(
        "/manage/setup/circles",
        data={"csrf": token, "name": "Runners", "interest": "runners"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = made.headers["location"]
    empty = owner.post(f"{page}/announcements", data={"csrf": token, "title": "", "body": ""})
    assert empty.status_code == 422 and 'id="a-title-error"' in empty.text
    circle_id = page.rsplit("/", 1)[1]
    said = api.client.get(f"/circles/{circle_id}/announcements", headers=tenant.headers)
    assert said.json()["items"] == []


def test_who_opens_the_console_pages_and_csrf(
    api: Api, container: Container, tenant: Tenant, owner: TestClient, member: TestClient
) -> None:
    email = f"desk@{SLUG}.example"
    api.create_staff(tenant, "front_desk", email)
    with _browser(container) as desk:
        assert staff_signs_in(desk, SLUG, email, PASSWORD).status_code == 303
        for path in ("/manage/setup/tiles", "/manage/setup/circles"):
            assert desk.get(path).status_code == 403, path
    for path in ("/manage/setup/tiles", "/manage/setup/circles"):
        assert member.get(path, follow_redirects=False).status_code in (303, 401, 403)
    tile_id = _tile(api, tenant)
    for action in (
        f"/manage/setup/tiles/{tile_id}/archive",
        "/manage/setup/tiles-starter",
        "/manage/setup/circles",
    ):
        assert owner.post(action, data={"csrf": "forged"}).status_code == 403, action
    assert api.client.get(f"/tiles/{tile_id}", headers=tenant.headers).json()["archived_at"] is None
    form = _done_form(member, tile_id)
    forged = member.post(f"/app/tiles/{tile_id}/done", data=form | {"csrf": "forged"})
    assert forged.status_code == 403
    assert _count(member.get("/app/tiles").text) == "0 of 3"


def test_an_announcement_about_a_challenge_names_it_for_staff_and_members(
    api: Api, tenant: Tenant, owner: TestClient, member: TestClient
) -> None:
    circle = api.client.post(
        "/circles", json={"name": "Runners", "interest": "runners"}, headers=tenant.headers
    ).json()
    today = date.today()
    challenge = api.client.post(
        "/challenges",
        json={
            "name": "Spring steps",
            "metric": "sessions",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=20)).isoformat(),
        },
        headers=tenant.headers,
    ).json()
    page = f"/manage/setup/circles/{circle['id']}"
    shown = owner.get(page)
    assert 'name="challenge_id"' in shown.text and "Spring steps" in shown.text
    token = csrf_of(shown.text)
    # Not an id at all: the form again, nothing stored.
    bad = owner.post(
        f"{page}/announcements",
        data={"csrf": token, "title": "Go", "body": "Join in", "challenge_id": "nope"},
    )
    assert bad.status_code == 422 and 'id="a-challenge-error"' in bad.text
    # Another tenant's or an unknown challenge: not found, nothing stored.
    unknown = owner.post(
        f"{page}/announcements",
        data={"csrf": token, "title": "Go", "body": "Join in", "challenge_id": str(uuid.uuid4())},
    )
    assert unknown.status_code == 404
    said = api.client.get(f"/circles/{circle['id']}/announcements", headers=tenant.headers)
    assert said.json()["items"] == []
    posted = owner.post(
        f"{page}/announcements",
        data={
            "csrf": token,
            "title": "Spring steps starts today",
            "body": "Join from the app.",
            "challenge_id": challenge["id"],
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303
    [item] = api.client.get(
        f"/circles/{circle['id']}/announcements", headers=tenant.headers
    ).json()["items"]
    assert item["challenge_id"] == challenge["id"]
    assert "about the challenge “Spring steps”" in owner.get(page).text
    member_token = csrf_of(member.get(f"/app/circles/{circle['id']}").text)
    joined = member.post(
        f"/app/circles/{circle['id']}/join", data={"csrf": member_token}, follow_redirects=True
    )
    assert joined.status_code == 200, joined.text
    read = member.get(f"/app/circles/{circle['id']}").text
    assert "Spring steps starts today" in read
    assert "About the challenge <strong>Spring steps</strong>" in read
