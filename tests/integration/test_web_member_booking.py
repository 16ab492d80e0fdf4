"""The member app's timetable, booking and bookings pages, and the provider's public pages:
what they show (in the location's time and locale), what their forms do (through the same
booking services and rules as the API), and what they refuse."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.bootstrap import Container
from server.main import create_app
from server.web.formatting import Formats
from shared.clock import utcnow
from tests.integration.bookings_helpers import Studio
from tests.integration.helpers import PASSWORD, Api
from tests.integration.plans_helpers import MONTHLY, PACK, open_desk
from tests.integration.web_helpers import (
    csrf_of,
    member_signs_in,
    member_who_signs_in,
    staff_signs_in,
)

SLUG = "tokyo-gym"
EMAIL = f"ama@{SLUG}.example"
#: The studio is in Tokyo (UTC+9, no daylight saving) and writes times the American way.
TOKYO = Formats("en_US", "Asia/Tokyo")


def _studio(api: Api, container: Container, slug: str = SLUG) -> Studio:
    desk = open_desk(
        api,
        container,
        slug,
        timezone="Asia/Tokyo",
        locale="en_US",
        address="1-2-3 Shibuya, Tokyo",
    )
    studio = Studio(desk=desk, session_type_id="", monthly_plan="", pack_plan="")
    studio.session_type_id = studio.session_type("HIIT")
    studio.monthly_plan = desk.plan(MONTHLY)
    studio.pack_plan = desk.plan(PACK)
    return studio


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return _studio(api, container)


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    """A browser of its own (no cookies of the API client's sign-ins)."""
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _at(studio: Studio, session_id: str, day_offset: int, local: time) -> datetime:
    """Puts a session at a Tokyo wall-clock time ``day_offset`` days from now; its UTC start."""
    day = (utcnow().astimezone(TOKYO.zone) + timedelta(days=day_offset)).date()
    start = datetime.combine(day, local, tzinfo=TOKYO.zone).astimezone(UTC)
    studio.move_start(session_id, start)
    return start


def _sessions(html: str) -> set[str]:
    return set(re.findall(r'<li class="card session-card" data-session="([^"]+)"', html))


def _member(studio: Studio, browser: TestClient, email: str = EMAIL, plan: bool = True) -> str:
    """A member with a monthly membership (unless not ``plan``), signed in in ``browser``."""
    member = member_who_signs_in(studio.api, studio.container, studio.desk.tenant, email)
    if plan:
        studio.desk.membership(member["id"], studio.monthly_plan)
    assert member_signs_in(browser, studio.desk.tenant.slug, email).status_code == 303
    return str(member["id"])


def _my_bookings(studio: Studio, member_id: str) -> list[dict[str, Any]]:
    """The member's upcoming bookings, read through the API."""
    got = studio.api.client.get("/me/bookings", headers=studio.member_headers(member_id))
    assert got.status_code == 200, got.text
    items: list[dict[str, Any]] = got.json()["items"]
    return items


def _book(browser: TestClient, session_id: str, page: str = "/app/timetable") -> Any:
    shown = browser.get(page)
    return browser.post(
        "/app/timetable/book",
        data={"csrf": csrf_of(shown.text), "session_id": session_id, "back": page},
        follow_redirects=False,
    )


def _cancel(browser: TestClient, booking_id: str, **extra: str) -> Any:
    shown = browser.get("/app/bookings")
    return browser.post(
        f"/app/bookings/{booking_id}/cancel",
        data={"csrf": csrf_of(shown.text), "back": "/app/bookings", **extra},
        follow_redirects=False,
    )


def test_public_pages_show_sessions_in_local_time_without_a_cookie(
    studio: Studio, browser: TestClient
) -> None:
    evening = studio.session()
    start = _at(studio, evening, 1, time(19, 0))
    place = studio.desk.location
    assert not browser.cookies
    page = browser.get(f"/app/{SLUG}")
    assert page.status_code == 200, page.text
    # The name, each location with its address and hours, and the ways in.
    assert f"<h1>{SLUG} gym</h1>" in page.text
    assert "1-2-3 Shibuya, Tokyo" in page.text and "06:00–22:00" in page.text
    for link in ("signin", "signup", "timetable", f"locations/{place['id']}"):
        assert f'href="/app/{SLUG}/{link}"' in page.text
    timetable = browser.get(f"/app/{SLUG}/timetable")
    assert timetable.status_code == 200
    assert _sessions(timetable.text) == {evening}
    # 10:00 UTC is 7:00 PM in Tokyo, written as en_US writes it, under Tokyo's day.
    assert start.hour == 10
    assert f'<span data-field="starts">{TOKYO.time(start)}</span>' in timetable.text
    assert TOKYO.time(start) == "7:00\u202fPM" and TOKYO.day(start) in timetable.text
    assert "10:00" not in timetable.text.split('id="sessions"')[1]
    assert f'href="/app/{SLUG}/signin"' in timetable.text and "/app/timetable/book" not in (
        timetable.text
    )
    location = browser.get(f"/app/{SLUG}/locations/{place['id']}")
    assert location.status_code == 200
    assert "Monday" in location.text and "06:00–22:00" in location.text
    assert f'data-session="{evening}"><span data-field="starts">{TOKYO.time(start)}' in (
        location.text
    )
    # No member data and no sign-in cookie on the way.
    assert "zmos_member" not in browser.cookies
    # The provider chooser leads to the public page.
    chosen = browser.get(f"/app/signin?tenant={SLUG}", follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == f"/app/{SLUG}"


def test_unknown_providers_and_other_tenants_locations_are_no_page(
    studio: Studio, api: Api, container: Container, browser: TestClient
) -> None:
    other = _studio(api, container, "other-gym")
    for address in (
        "/app/no-such-gym",
        "/app/no-such-gym/timetable",
        f"/app/no-such-gym/locations/{studio.desk.location['id']}",
        f"/app/{SLUG}/locations/{other.desk.location['id']}",
        f"/app/{SLUG}/locations/not-a-uuid",
    ):
        got = browser.get(address)
        assert got.status_code == 404, address
        assert "No such page" in got.text or "was not found" in got.text


def test_filters_narrow_the_list(studio: Studio, browser: TestClient) -> None:
    yoga_type = studio.session_type("Yoga", category="Mind")
    coach = studio.api.create_staff(studio.desk.tenant, "coach", f"kofi@{SLUG}.example")
    second = studio.api.create_location(
        studio.desk.tenant, "Ginza", timezone="Asia/Tokyo", locale="en_US"
    )
    hiit_morning = studio.session()
    _at(studio, hiit_morning, 1, time(7, 0))
    yoga_evening = studio.session(session_type_id=yoga_type, instructor_id=coach["id"])
    _at(studio, yoga_evening, 1, time(18, 30))
    ginza_later = studio.session(location_id=second["id"])
    later = _at(studio, ginza_later, 2, time(12, 30))
    _member(studio, browser)
    everything = browser.get("/app/timetable")
    assert everything.status_code == 200
    assert _sessions(everything.text) == {hiit_morning, yoga_evening, ginza_later}
    day = later.astimezone(TOKYO.zone).date().isoformat()
    cases = {
        f"type={yoga_type}": {yoga_evening},
        "part=morning": {hiit_morning},
        "part=evening": {yoga_evening},
        "part=afternoon": {ginza_later},
        f"day={day}": {ginza_later},
        f"location={second['id']}": {ginza_later},
        f"instructor={coach['id']}": {yoga_evening},
        f"type={studio.session_type_id}&location={studio.desk.location['id']}": {hiit_morning},
    }
    for query, expected in cases.items():
        for address in (f"/app/timetable?{query}", f"/app/{SLUG}/timetable?{query}"):
            got = browser.get(address)
            assert got.status_code == 200, address
            assert _sessions(got.text) == expected, address
    # htmx asks for the list alone when a filter changes.
    fragment = browser.get(f"/app/timetable?type={yoga_type}", headers={"HX-Request": "true"})
    assert fragment.text.startswith('<div id="sessions"') and "<html" not in fragment.text
    assert _sessions(fragment.text) == {yoga_evening}
    # A filter that is not one: the page again with the message at its field.
    bad = browser.get("/app/timetable?day=tomorrow&type=nonsense")
    assert bad.status_code == 422
    assert 'id="f-day-error">Give a date as YYYY-MM-DD.' in bad.text
    assert 'id="f-type-error">Choose one of the list.' in bad.text


def test_booking_a_place_and_the_waitlist(studio: Studio, browser: TestClient) -> None:
    roomy = studio.session()
    full = studio.session(capacity=1, starts_in=timedelta(days=1, hours=3))
    studio.booked(full, studio.member())
    member = _member(studio, browser)
    booked = _book(browser, roomy)
    assert booked.status_code == 303, booked.text
    assert booked.headers["location"] == "/app/timetable?done=booked"
    # Only these pages are where a form may send the browser back to.
    elsewhere = ("https://evil.example/app/timetable", "/app/timetable/book", "//evil.example")
    for days, back in enumerate(elsewhere, start=3):
        other = studio.session(starts_in=timedelta(days=days))
        shown = browser.get("/app/timetable")
        sent = browser.post(
            "/app/timetable/book",
            data={"csrf": csrf_of(shown.text), "session_id": other, "back": back},
            follow_redirects=False,
        )
        assert sent.headers["location"] == "/app/timetable?done=booked", back
    mine = {b["session_id"]: b for b in _my_bookings(studio, member)}
    assert mine[roomy]["status"] == "confirmed"
    assert studio.counts(roomy) == (1, 0)
    page = browser.get(booked.headers["location"])
    assert "You are booked in." in page.text
    assert re.search(rf'data-session="{roomy}".*?data-mine="confirmed"', page.text, re.S)
    # A full class: the button says so, and the member joins the line.
    assert re.search(rf'data-session="{full}".*?Join waitlist', page.text, re.S)
    waiting = _book(browser, full)
    assert waiting.status_code == 303, waiting.text
    assert waiting.headers["location"] == "/app/timetable?done=waitlisted"
    mine = {b["session_id"]: b for b in _my_bookings(studio, member)}
    assert mine[full]["status"] == "waitlisted"
    assert studio.counts(full) == (1, 1)
    page = browser.get("/app/timetable")
    assert re.search(rf'data-session="{full}".*?Waitlist #1<', page.text, re.S)
    listed = browser.get("/app/bookings")
    assert listed.status_code == 200
    upcoming = listed.text.split('data-group="upcoming"')[1].split("</ul>")[0]
    line = listed.text.split('data-group="waiting"')[1].split("</ul>")[0]
    assert mine[roomy]["id"] in upcoming and mine[full]["id"] not in upcoming
    assert upcoming.count('class="card session-card"') == 1 + len(elsewhere)
    assert mine[full]["id"] in line and 'data-field="place">Number 1<' in line
    # The same class twice is refused with the reason, nothing booked.
    again = _book(browser, roomy)
    assert again.status_code == 409 and 'class="alert"' in again.text
    assert studio.counts(roomy) == (1, 0)


def test_a_refusal_is_a_message_and_another_tenants_session_is_no_page(
    studio: Studio, api: Api, container: Container, browser: TestClient
) -> None:
    session = studio.session()
    member = _member(studio, browser, plan=False)
    refused = _book(browser, session)
    assert refused.status_code in (403, 409, 422), refused.text
    assert 'class="alert" role="alert"' in refused.text and "Timetable" in refused.text
    # Its forms come back to the list, not to the form's address.
    assert 'name="back" value="/app/timetable"' in refused.text
    assert _my_bookings(studio, member) == [] and studio.counts(session) == (0, 0)
    # Outside the booking window (the policy opens bookings 14 days before).
    studio.desk.membership(member, studio.monthly_plan)
    far = studio.session(starts_in=timedelta(days=30))
    too_soon = _book(browser, far)
    assert too_soon.status_code in (403, 409, 422) and 'class="alert"' in too_soon.text
    assert studio.counts(far) == (0, 0)
    other = _studio(api, container, "other-gym")
    theirs = other.session()
    gone = _book(browser, theirs)
    assert gone.status_code == 404 and "No such page" in gone.text
    assert other.counts(theirs) == (0, 0)
    their_booking = other.booked(theirs, other.member())
    cancelled = _cancel(browser, their_booking["id"])
    assert cancelled.status_code == 404
    assert other.counts(theirs) == (1, 0)


def test_cancelling_outside_the_late_window_cancels_at_once(
    studio: Studio, browser: TestClient
) -> None:
    session = studio.session(starts_in=timedelta(days=2))
    member = _member(studio, browser)
    _book(browser, session)
    booking = _my_bookings(studio, member)[0]
    done = _cancel(browser, booking["id"])
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/app/bookings?done=cancelled"
    assert _my_bookings(studio, member)[0]["status"] == "cancelled"
    assert _my_bookings(studio, member)[0]["cancel_kind"] == "in_time"
    assert studio.counts(session) == (0, 0)
    assert "Your booking is cancelled." in browser.get(done.headers["location"]).text


def test_a_late_cancellation_warns_with_the_penalty_first(
    studio: Studio, browser: TestClient
) -> None:
    policy = studio.api.client.patch(
        "/booking-policy",
        json={"late_cancel_fee": "7.50", "grace_allowance": 0, "late_cancel_minutes": 180},
        headers=studio.admin,
    )
    assert policy.status_code == 200, policy.text
    session = studio.session(starts_in=timedelta(hours=1))
    member = _member(studio, browser)
    _book(browser, session)
    booking = _my_bookings(studio, member)[0]
    warned = _cancel(browser, booking["id"])
    assert warned.status_code == 200, warned.text
    assert "Cancel this late?" in warned.text and 'id="late-warning"' in warned.text
    assert "less than 3 hours" in warned.text
    currency = policy.json()["currency"]
    fee = TOKYO.money(Decimal("7.50"), currency)
    assert f"late-cancellation fee of {fee}" in warned.text
    assert 'name="confirmed" value="yes"' in warned.text
    # Nothing happened yet.
    assert _my_bookings(studio, member)[0]["status"] == "confirmed"
    assert studio.counts(session) == (1, 0)
    confirmed = browser.post(
        f"/app/bookings/{booking['id']}/cancel",
        data={"csrf": csrf_of(warned.text), "back": "/app/bookings", "confirmed": "yes"},
        follow_redirects=False,
    )
    assert confirmed.status_code == 303, confirmed.text
    after = _my_bookings(studio, member)[0]
    assert (after["status"], after["cancel_kind"]) == ("cancelled", "late")
    penalties = studio.api.client.get(f"/members/{member}/penalties", headers=studio.staff)
    assert [(p["kind"], p["outcome"], p["amount"]) for p in penalties.json()["items"]] == [
        ("late_cancel", "fee", "7.50")
    ]


def test_csrf_is_refused_on_each_form(studio: Studio, browser: TestClient) -> None:
    session = studio.session(starts_in=timedelta(hours=1))
    member = _member(studio, browser)
    for token in ("", "forged"):
        sent = browser.post(
            "/app/timetable/book",
            data={"csrf": token, "session_id": session},
            follow_redirects=False,
        )
        assert sent.status_code == 403 and "This form has expired" in sent.text
    assert studio.counts(session) == (0, 0)
    _book(browser, session)
    booking = _my_bookings(studio, member)[0]
    for fields in ({}, {"confirmed": "yes"}):
        sent = browser.post(
            f"/app/bookings/{booking['id']}/cancel",
            data={"csrf": "forged", **fields},
            follow_redirects=False,
        )
        assert sent.status_code == 403
    assert _my_bookings(studio, member)[0]["status"] == "confirmed"


def test_a_staff_cookie_does_not_sign_into_the_app(studio: Studio, browser: TestClient) -> None:
    owner = f"owner@{SLUG}.example"
    assert staff_signs_in(browser, SLUG, owner, PASSWORD).status_code == 303
    for page in ("/app/timetable", "/app/bookings"):
        sent = browser.get(page, follow_redirects=False)
        assert sent.status_code == 303 and sent.headers["location"] == "/app/signin"
    token = browser.cookies.get("zmos_staff", path="/manage")
    assert token
    with TestClient(browser.app) as forged:
        forged.cookies.set("zmos_member", token, path="/app")
        refused = forged.get("/app/timetable", follow_redirects=False)
        assert refused.status_code == 403 and "These pages are for members." in refused.text
        assert "session-card" not in refused.text
    assert uuid.UUID(studio.tenant_id)
