"""The console's Today: each location the account sees with the figures the API's overview
gives, its kiosks and open review items; the live fragment the open page polls."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from server.bootstrap import Container
from server.devices.models import Device
from server.main import create_app
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import PASSWORD
from tests.integration.web_helpers import member_signs_in, member_who_signs_in, staff_signs_in

# The day at two branches puts classes 90 minutes back and 30 ahead: noon keeps them today.
pytestmark = pytest.mark.usefixtures("midday")

SLUG = "today-gym"
OWNER = f"owner@{SLUG}.example"
DESK = f"desk@{SLUG}.example"
LIVE = "/manage/today/live"


@pytest.fixture
def studio(api: Any, container: Container) -> Studio:
    return open_studio(api, container, SLUG)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _cards(html: str) -> dict[str, str]:
    """Location id -> the HTML of its card."""
    parts = html.split('data-location="')[1:]
    return {part.split('"', 1)[0]: part for part in parts}


def _figures(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', html))


def _rows(card: str) -> dict[str, dict[str, str]]:
    """Session id -> its figures and status as the page shows them."""
    rows = {}
    for sid, row in re.findall(r'<tr data-session="([^"]+)"[^>]*>(.*?)</tr>', card, re.S):
        status = re.search(r'class="tag tag-(\w+)"', row)
        assert status, row
        rows[sid] = {**_figures(row), "status": status.group(1)}
    return rows


def _a_day_at_two_branches(studio: Studio) -> dict[str, Any]:
    """London (the studio's location) and Accra, with sessions, bookings, a waitlist,
    check-ins, door visits, kiosks and an open review item."""
    api, client = studio.api, studio.api.client
    london = studio.desk.location
    accra = api.create_location(studio.desk.tenant, "Accra", timezone="Africa/Accra")
    ended = studio.session(starts_in=timedelta(minutes=-90))
    soon = studio.session(capacity=2, starts_in=timedelta(minutes=30))
    accra_class = studio.session(starts_in=timedelta(minutes=20), location_id=accra["id"])
    members = [studio.member() for _ in range(3)]
    bookings = [studio.booked(soon, m) for m in members]
    assert [b["status"] for b in bookings].count("waitlisted") == 1
    attended = client.post(f"/bookings/{bookings[0]['id']}/attendance", headers=studio.staff)
    assert attended.status_code == 200, attended.text
    studio.booked(accra_class, studio.member())
    for who, where in ((members[0], london["id"]), (members[1], accra["id"])):
        came = client.post(
            "/checkins",
            json={"member_id": who, "location_id": where, "method": "manual"},
            headers=studio.staff,
        )
        assert came.status_code == 201, came.text
    back_door = api.enrol_device(studio.desk.tenant, london["id"], "Back door")
    api.review_item(back_door, "Mensa", members[0])
    asleep = api.enrol_device(studio.desk.tenant, london["id"], "Side door")
    with studio.container.uow() as uow:
        uow.db.execute(
            update(Device)
            .where(Device.id == uuid.UUID(asleep["device_id"]))
            .values(last_seen_at=utcnow() - timedelta(hours=2))
        )
        uow.commit()
    api.enrol_device(studio.desk.tenant, accra["id"], "Accra desk")  # never in touch
    return {"london": london, "accra": accra, "ended": ended, "soon": soon}


def test_today_shows_the_figures_the_api_gives(studio: Studio, browser: TestClient) -> None:
    day = _a_day_at_two_branches(studio)
    api_today = studio.api.client.get("/overview/today", headers=studio.admin).json()
    assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
    page = browser.get("/manage")
    live = browser.get(LIVE)
    assert page.status_code == 200 and live.status_code == 200, live.text
    # The page polls the fragment every second, with no script of its own.
    assert f'hx-get="{LIVE}"' in page.text and 'hx-trigger="every 1s"' in page.text
    assert "<html" not in live.text and "<script" not in live.text and " style=" not in live.text
    assert live.headers["cache-control"] == "no-store"
    for html in (page.text, live.text):
        cards = _cards(html)
        assert set(cards) == {d["location_id"] for d in api_today["locations"]}
        for location in api_today["locations"]:
            card = cards[location["location_id"]]
            figures = _figures(card)
            assert (figures["sessions"], figures["door_visits"], figures["class_checkins"]) == (
                str(location["sessions"]),
                str(location["door_visits"]),
                str(location["class_checkins"]),
            )
            rows = _rows(card)
            sessions = [s for s in api_today["sessions"] if s["location_id"] == card[:36]]
            assert len(rows) == len(sessions) == location["sessions"]
            for s in sessions:
                assert rows[s["session_id"]] == {
                    "booked": f"{s['confirmed_count']}/{s['capacity']}",
                    "waitlisted": str(s["waitlist_count"]),
                    "checked_in": str(s["checked_in"]),
                    "no_shows": str(s["no_shows"]),
                    "status": s["status"],
                }
        london, accra = cards[day["london"]["id"]], cards[day["accra"]["id"]]
        assert _rows(london)[day["soon"]] == {
            "booked": "2/2",
            "waitlisted": "1",
            "checked_in": "1",
            "no_shows": "0",
            "status": "scheduled",
        }
        assert _rows(london)[day["ended"]]["status"] == "ended"
        assert _figures(london)["door_visits"] == "1" and _figures(accra)["door_visits"] == "1"
        # Kiosks: in touch just now, two hours ago, never.
        assert re.search(r"tag-online\">Online</span>\s*Back door", london)
        assert re.search(r"tag-online\">Online</span>\s*Front desk", london)
        assert re.search(r"tag-offline\">Offline</span>\s*Side door", london)
        assert re.search(r"tag-offline\">Offline</span>\s*Accra desk", accra)
        assert "last sync never" in accra and "Accra desk" not in london
        # The review item opened by the Back door kiosk, at London only.
        assert _figures(london)["open_review_items"] == "1"
        assert _figures(accra)["open_review_items"] == "0"
        assert "Kwame Mensa" in london


def test_a_manager_of_london_does_not_see_accra(studio: Studio, browser: TestClient) -> None:
    day = _a_day_at_two_branches(studio)
    email = f"london@{SLUG}.example"
    studio.api.create_staff(
        studio.desk.tenant, "manager", email, location_ids=[day["london"]["id"]]
    )
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    for html in (browser.get("/manage").text, browser.get(LIVE).text):
        assert set(_cards(html)) == {day["london"]["id"]}
        assert "Accra" not in html
        assert day["soon"] in html


def test_front_desk_see_today_and_coaches_do_not(studio: Studio, browser: TestClient) -> None:
    day = _a_day_at_two_branches(studio)
    assert staff_signs_in(browser, SLUG, DESK, PASSWORD).status_code == 303
    page = browser.get("/manage")
    assert page.status_code == 200
    assert set(_cards(page.text)) == {day["london"]["id"], day["accra"]["id"]}
    coach = f"coach@{SLUG}.example"
    studio.api.create_staff(studio.desk.tenant, "coach", coach)
    with TestClient(browser.app) as other:
        assert staff_signs_in(other, SLUG, coach, PASSWORD).status_code == 303
        # The day is not theirs: a coach lands on their own section, and the figures'
        # fragment sends the page away.
        sent = other.get("/manage", follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"].endswith("/manage/coaching")
        assert day["soon"] not in sent.text
        live = other.get(LIVE)
        assert live.headers["hx-redirect"] == "/manage" and day["soon"] not in live.text


def test_a_member_gets_no_figures(studio: Studio, container: Container) -> None:
    _a_day_at_two_branches(studio)
    client = studio.api.client
    email = f"ama@{SLUG}.example"
    member_who_signs_in(studio.api, container, studio.desk.tenant, email)
    assert member_signs_in(client, SLUG, email).status_code == 303
    # The member's cookies do not reach /manage: the page and the fragment send to sign-in.
    assert client.get("/manage", follow_redirects=False).headers["location"] == ("/manage/signin")
    gone = client.get(LIVE, follow_redirects=False)
    assert gone.status_code == 200 and gone.headers["hx-redirect"] == "/manage/signin"
    assert gone.text == ""
    token = client.cookies.get("zmos_member", path="/app")
    assert token
    with TestClient(client.app) as forged:
        forged.cookies.set("zmos_staff", token, path="/manage")
        refused = forged.get("/manage", follow_redirects=False)
        assert refused.status_code == 403 and "data-location" not in refused.text
        live = forged.get(LIVE, follow_redirects=False)
        assert live.headers["hx-redirect"] == "/manage" and live.text == ""


def _version(html: str) -> str:
    found = re.search(r'id="today-version" name="v" value="(\w+)"', html)
    assert found, html
    return found.group(1)


def test_an_unchanged_day_is_no_content_and_a_change_is_the_new_figures(
    studio: Studio, browser: TestClient
) -> None:
    day = _a_day_at_two_branches(studio)
    assert staff_signs_in(browser, SLUG, OWNER, PASSWORD).status_code == 303
    page = browser.get("/manage")
    assert 'hx-include="#today-version"' in page.text
    version = _version(page.text)
    same = browser.get(LIVE, params={"v": version})
    assert same.status_code == 204 and same.content == b""
    assert same.headers["cache-control"] == "no-store"
    # Another member joins the full class's waitlist: the next poll has the new figures.
    studio.booked(day["soon"], studio.member())
    changed = browser.get(LIVE, params={"v": version})
    assert changed.status_code == 200
    assert _version(changed.text) != version
    assert _rows(_cards(changed.text)[day["london"]["id"]])[day["soon"]]["waitlisted"] == "2"
    assert browser.get(LIVE, params={"v": _version(changed.text)}).status_code == 204
    # Without a version (or a stale one) the figures always come.
    assert browser.get(LIVE).status_code == 200
    assert browser.get(LIVE, params={"v": "x" * 32}).status_code == 200
