"""The console's Schedule: a location's week in its own wall-clock time, series and single
sessions made and changed through the same services as the API (members told), a
session's roster with check-in and approvals, and the refusals (roles, other tenants,
CSRF, bad input) as pages."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from server.bootstrap import Container
from server.main import create_app
from server.notices.models import Notice
from server.scheduling.models import ClassSession, Schedule
from shared.clock import utcnow
from tests.integration.helpers import PASSWORD
from tests.integration.scheduling_helpers import Studio, next_change, open_studio, soon
from tests.integration.web_helpers import csrf_of, post_form, staff_signs_in

SLUG = "schedule-gym"
OWNER = f"owner@{SLUG}.example"
COACH = f"coach@{SLUG}.example"
DESK = f"desk@{SLUG}.example"
BASE = "/manage/schedule"


@pytest.fixture
def studio(api: Any, container: Container) -> Studio:
    made = open_studio(api, container, SLUG)
    api.create_staff(made.tenant, "front_desk", DESK)
    return made


@pytest.fixture
def browser(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container=container), raise_server_exceptions=False) as client:
        yield client


def _signed_in(browser: TestClient, email: str = OWNER) -> TestClient:
    assert staff_signs_in(browser, SLUG, email, PASSWORD).status_code == 303
    return browser


def _cards(html: str) -> dict[str, str]:
    """Session id -> the HTML of its entry in the week."""
    found = re.findall(
        r'<li class="sched-session ([^"]+)" data-session="([^"]+)">(.*?)</li>', html, re.S
    )
    return {sid: f"{cls} {body}" for cls, sid, body in found}


def _day_of(html: str, session_id: str) -> str:
    """The ISO date of the day column the session is listed under."""
    before = html.split(f'data-session="{session_id}"')[0]
    days: list[str] = re.findall(r'data-day="([^"]+)"', before)
    return days[-1]


def _local_start_in(zone: str, minutes: int) -> tuple[date, str]:
    at = (utcnow() + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
    return at.date(), at.strftime("%H:%M")


def _count(container: Container, model: Any) -> int:
    with container.uow() as uow:
        return int(uow.db.execute(select(func.count()).select_from(model)).scalar_one())


def _series_fields(studio: Studio, type_id: str, **changes: str) -> dict[str, str]:
    fields = {
        "location_id": studio.location["id"],
        "session_type_id": type_id,
        "instructor_id": studio.coach["id"],
        "day_2": "on",
        "day_4": "on",
        "local_start": "07:00",
        "starts_on": soon(1).isoformat(),
        "ends_on": soon(15).isoformat(),
        "room": "Studio 1",
    }
    return {k: v for k, v in {**fields, **changes}.items() if v != "-"}


def test_the_week_shows_its_sessions_in_the_location_wall_clock(
    api: Any, container: Container, browser: TestClient
) -> None:
    studio = open_studio(api, container, SLUG, zone="America/New_York")
    yoga = studio.session_type()
    day = soon(3)
    evening = studio.session(yoga["id"], day, "19:30", instructor_id=studio.coach["id"])
    later = studio.session(yoga["id"], day + timedelta(days=7), "08:00")
    cancelled = studio.session(yoga["id"], day, "06:15")
    gone = api.client.post(
        f"/sessions/{cancelled['id']}/cancel", json={"reason": "roof leak"}, headers=studio.admin
    )
    assert gone.status_code == 200, gone.text
    _signed_in(browser)
    page = browser.get(BASE, params={"week": day.isoformat()})
    assert page.status_code == 200, page.text
    cards = _cards(page.text)
    assert set(cards) == {evening["id"], cancelled["id"]}
    # 19:30 in New York is 00:30 the next day in UTC: the page says 19:30 on its own day.
    assert "19:30–20:30" in cards[evening["id"]] and "Kofi Coach" in cards[evening["id"]]
    assert evening["starts_at"].startswith((day + timedelta(days=1)).isoformat())
    assert _day_of(page.text, evening["id"]) == day.isoformat()
    assert '<span data-figure="booked">0/12</span>' in cards[evening["id"]]
    assert (
        cards[cancelled["id"]].startswith("sched-cancelled")
        and "Cancelled" in cards[cancelled["id"]]
    )
    # The next week holds the other session; today is marked in the current week.
    following = browser.get(BASE, params={"week": (day + timedelta(days=7)).isoformat()})
    assert set(_cards(following.text)) == {later["id"]}
    current = browser.get(BASE).text
    today = utcnow().astimezone(ZoneInfo("America/New_York")).date()
    assert f'data-day="{today.isoformat()}" aria-current="date"' in current
    assert current.count('aria-current="date"') == 1


def test_a_series_made_on_the_page_makes_its_sessions(studio: Studio, browser: TestClient) -> None:
    yoga = studio.session_type()
    _signed_in(browser)
    made = post_form(
        browser, f"{BASE}/series/new", f"{BASE}/series", **_series_fields(studio, yoga["id"])
    )
    assert made.status_code == 303, made.text
    assert made.headers["location"].startswith(f"{BASE}?location={studio.location['id']}")
    with studio.container.uow() as uow:
        schedule = uow.db.execute(select(Schedule)).scalar_one()
        assert list(schedule.weekdays) == [2, 4] and schedule.room == "Studio 1"
    sessions = studio.sessions(schedule_id=str(schedule.id), limit=50)
    days = sorted(date.fromisoformat(s["local_date"]) for s in sessions)
    assert days and {d.isoweekday() for d in days} == {2, 4}
    assert all(s["local_start"] == "07:00:00" for s in sessions)
    week = browser.get(BASE, params={"week": days[0].isoformat()})
    shown = _cards(week.text)
    in_week = [s for s in sessions if s["id"] in shown]
    assert in_week and all("07:00–08:00" in shown[s["id"]] for s in in_week)
    # Editing the series moves its future sessions; the edit form shows what it holds.
    form = browser.get(f"{BASE}/series/{schedule.id}")
    assert form.status_code == 200 and 'value="07:00"' in form.text
    edited = browser.post(
        f"{BASE}/series/{schedule.id}",
        data={
            "csrf": csrf_of(form.text),
            **_series_fields(studio, yoga["id"], local_start="09:15"),
        },
        follow_redirects=False,
    )
    assert edited.status_code == 303, edited.text
    again = studio.sessions(schedule_id=str(schedule.id), limit=50)
    assert {s["local_start"] for s in again} == {"09:15:00"}


@pytest.mark.parametrize("spring", [True, False], ids=["clocks-forward", "clocks-back"])
def test_a_series_keeps_its_wall_clock_across_daylight_saving(
    studio: Studio, browser: TestClient, spring: bool
) -> None:
    change = next_change("Europe/London", spring=spring)  # a Sunday
    yoga = studio.session_type()
    _signed_in(browser)
    fields = _series_fields(
        studio,
        yoga["id"],
        day_2="-",
        day_4="-",
        day_7="on",
        starts_on=(change - timedelta(days=7)).isoformat(),
        ends_on=(change + timedelta(days=7)).isoformat(),
    )
    made = post_form(browser, f"{BASE}/series/new", f"{BASE}/series", **fields)
    assert made.status_code == 303, made.text
    before, after = change - timedelta(days=7), change + timedelta(days=7)
    found = {}
    for sunday in (before, after):
        page = browser.get(BASE, params={"week": sunday.isoformat()}).text
        cards = _cards(page)
        assert len(cards) == 1
        ((session_id, card),) = cards.items()
        assert "07:00–08:00" in card and _day_of(page, session_id) == sunday.isoformat()
        found[sunday] = studio.get_session(session_id)
    utc_hours = [datetime.fromisoformat(found[d]["starts_at"]).hour for d in (before, after)]
    # London is UTC+0 in winter and UTC+1 in summer: the same 07:00 is another UTC hour.
    assert utc_hours == ([7, 6] if spring else [6, 7])


def test_moving_and_cancelling_a_session_tells_its_members(
    studio: Studio, browser: TestClient
) -> None:
    yoga = studio.session_type()
    session = studio.session(yoga["id"], soon(2), "18:00")
    studio.book(session["id"], studio.member("Ama"))
    _signed_in(browser)
    page = f"{BASE}/sessions/{session['id']}"
    moved = post_form(
        browser, page, f"{page}/move", local_date=soon(3).isoformat(), local_start="19:00"
    )
    assert moved.status_code == 303, moved.text
    after = studio.get_session(session["id"])
    assert (after["local_date"], after["local_start"]) == (soon(3).isoformat(), "19:00:00")
    assert studio.notices_to("Ama")[-1] == "session.moved"
    shown = browser.get(page).text
    assert "19:00–20:00" in shown and "Ama" in shown
    cancelled = post_form(browser, page, f"{page}/cancel", reason="Instructor unwell")
    assert cancelled.status_code == 303, cancelled.text
    assert studio.get_session(session["id"])["status"] == "cancelled"
    assert studio.notices_to("Ama")[-1] == "session.cancelled"
    with studio.container.uow() as uow:
        body = uow.db.execute(
            select(Notice.body).where(Notice.topic == "session.cancelled")
        ).scalar_one()
    assert "Instructor unwell" in body
    gone = browser.get(page).text
    assert "Cancelled: Instructor unwell" in gone and "Move this session" not in gone


def test_one_session_gets_its_own_instructor_places_and_room(
    studio: Studio, browser: TestClient
) -> None:
    yoga = studio.session_type()
    series = studio.schedule(
        yoga["id"],
        weekdays=[soon(2).isoweekday()],
        local_start="07:00",
        starts_on=soon(1).isoformat(),
        ends_on=soon(9).isoformat(),
    )["schedule"]
    with studio.container.uow() as uow:
        first = (
            uow.db.execute(
                select(ClassSession.id)
                .where(ClassSession.schedule_id == uuid.UUID(series["id"]))
                .order_by(ClassSession.starts_at)
            )
            .scalars()
            .first()
        )
    assert first is not None
    studio.book(str(first), studio.member("Ama"))
    studio.book(str(first), studio.member("Kofi"))
    _signed_in(browser)
    page = f"{BASE}/sessions/{first}"

    def detached() -> bool:
        with studio.container.uow() as uow:
            row = uow.db.get(ClassSession, (uuid.UUID(str(studio.tenant.id)), first))
            return bool(row is not None and row.detached)

    def change(**fields: str) -> Any:
        shown = browser.get(page).text
        current = {
            "instructor_id": re.search(r'<option value="([^"]*)" selected>', shown),
            "capacity": re.search(r'id="change-capacity"[^>]* value="([^"]*)"', shown),
            "room": re.search(r'id="change-room"[^>]* value="([^"]*)"', shown),
        }
        sent = {k: m.group(1) if m else "" for k, m in current.items()}
        return post_form(browser, page, f"{page}/change", **{**sent, **fields})

    # Sending the form unchanged changes nothing: the session stays in its series.
    assert change().status_code == 303
    assert not detached()
    refused = change(capacity="0")
    assert refused.status_code == 422 and "change-capacity" in refused.text
    crowded = change(capacity="1")  # two are booked
    assert crowded.status_code == 422 and 'id="change_form-problem"' in crowded.text
    assert studio.get_session(str(first))["capacity"] == yoga["default_capacity"]
    done = change(capacity="14", room="Studio 3", instructor_id=studio.coach["id"])
    assert done.status_code == 303, done.text
    after = studio.get_session(str(first))
    assert (after["capacity"], after["room"], after["instructor_id"]) == (
        14,
        "Studio 3",
        studio.coach["id"],
    )
    assert detached()
    # A front-desk account cannot.
    browser.cookies.clear()
    assert staff_signs_in(browser, SLUG, DESK, PASSWORD).status_code == 303
    token = csrf_of(browser.get(BASE).text)
    desk = browser.post(f"{page}/change", data={"csrf": token, "room": "Mine"})
    assert desk.status_code == 403
    assert studio.get_session(str(first))["room"] == "Studio 3"


def test_the_roster_checks_a_member_in_and_shows_the_waitlist_in_order(
    studio: Studio, browser: TestClient
) -> None:
    yoga = studio.session_type()
    day, at = _local_start_in(studio.zone, 20)
    session = studio.session(yoga["id"], day, at, capacity=1, instructor_id=studio.coach["id"])
    ama = studio.book(session["id"], studio.member("Ama"))
    studio.book(session["id"], studio.member("Kwame"))
    studio.book(session["id"], studio.member("Yaw"))
    # The coach leads this class: they see its roster and check members in.
    _signed_in(browser, COACH)
    page = f"{BASE}/sessions/{session['id']}"
    roster = browser.get(page)
    assert roster.status_code == 200, roster.text
    waitlist = roster.text.split('<ol class="waitlist">')[1].split("</ol>")[0]
    assert waitlist.index("Kwame") < waitlist.index("Yaw")
    assert "Move this session" not in roster.text  # planning is not the coach's
    done = post_form(browser, page, f"{page}/bookings/{ama.id}/checkin")
    assert done.status_code == 303, done.text
    assert studio.booking(ama.id).attendance == "on_time"
    row = browser.get(page).text.split(f'data-booking="{ama.id}"')[1].split("</tr>")[0]
    assert "On time" in row and "Check in" not in row


def test_a_coach_sees_only_the_rosters_of_their_classes(
    studio: Studio, browser: TestClient
) -> None:
    yoga = studio.session_type()
    day, at = _local_start_in(studio.zone, 20)
    session = studio.session(yoga["id"], day, at)  # nobody leads it
    ama = studio.book(session["id"], studio.member("Ama"))
    _signed_in(browser, COACH)
    page = f"{BASE}/sessions/{session['id']}"
    assert browser.get(BASE).status_code == 200  # the week is every staff member's
    refused = browser.get(page)
    assert refused.status_code == 403 and "coaches act only on the classes they lead" in (
        refused.text.lower()
    )
    shown = browser.get(f"{BASE}").text
    checkin = browser.post(
        f"{page}/bookings/{ama.id}/checkin",
        data={"csrf": csrf_of(shown)},
        follow_redirects=False,
    )
    assert checkin.status_code == 403
    assert studio.booking(ama.id).attendance is None


def test_pending_bookings_are_approved_or_declined_on_the_roster(
    studio: Studio, browser: TestClient
) -> None:
    private = studio.session_type(name="Private reformer", requires_approval=True)
    session = studio.session(private["id"], soon(2), "10:00", capacity=2)
    ama = studio.book(session["id"], studio.member("Ama"))
    kofi = studio.book(session["id"], studio.member("Kwame"))
    assert ama.status == "pending"
    _signed_in(browser, DESK)
    page = f"{BASE}/sessions/{session['id']}"
    shown = browser.get(page).text
    assert 'aria-label="Approve Ama' in shown
    assert post_form(browser, page, f"{page}/bookings/{ama.id}/approve").status_code == 303
    assert post_form(browser, page, f"{page}/bookings/{kofi.id}/decline").status_code == 303
    assert studio.booking(ama.id).status == "confirmed"
    assert studio.booking(kofi.id).status == "declined"
    assert studio.notices_to("Ama")[-1] == "booking.confirmed"
    assert studio.notices_to("Kwame")[-1] == "booking.declined"
    # Approving twice is a conflict, said on a page rather than a server error.
    again = post_form(browser, page, f"{page}/bookings/{ama.id}/approve")
    assert again.status_code == 409 and "only a pending booking" in again.text.lower()


def test_front_desk_and_coaches_cannot_plan(studio: Studio, browser: TestClient) -> None:
    yoga = studio.session_type()
    session = studio.session(yoga["id"], soon(2), "18:00")
    for email in (DESK, COACH):
        with TestClient(browser.app) as other:
            _signed_in(other, email)
            week = other.get(BASE)
            assert week.status_code == 200 and "New series" not in week.text
            refused = other.get(f"{BASE}/series/new")
            assert refused.status_code == 403 and "owners and managers" in refused.text
            assert other.get(f"{BASE}/sessions/new").status_code == 403
            token = csrf_of(week.text)
            posts = {
                f"{BASE}/series": _series_fields(studio, yoga["id"]),
                f"{BASE}/sessions": {
                    "location_id": studio.location["id"],
                    "session_type_id": yoga["id"],
                    "local_date": soon(4).isoformat(),
                    "local_start": "10:00",
                },
                f"{BASE}/sessions/{session['id']}/cancel": {"reason": "no"},
                f"{BASE}/sessions/{session['id']}/move": {
                    "local_date": soon(4).isoformat(),
                    "local_start": "10:00",
                },
            }
            for action, fields in posts.items():
                answer = other.post(action, data={"csrf": token, **fields}, follow_redirects=False)
                assert answer.status_code == 403, (email, action, answer.text)
    assert _count(studio.container, Schedule) == 0
    assert _count(studio.container, ClassSession) == 1
    assert studio.get_session(session["id"])["status"] == "scheduled"


def test_another_tenants_session_and_series_are_not_found(
    studio: Studio, api: Any, container: Container, browser: TestClient
) -> None:
    other = open_studio(api, container, "other-schedule-gym")
    theirs = other.session(other.session_type()["id"], soon(2), "18:00")
    series = other.schedule(
        other.session_type()["id"],
        weekdays=[1],
        local_start="07:00",
        starts_on=soon(1).isoformat(),
        ends_on=soon(20).isoformat(),
    )["schedule"]
    member = other.book(theirs["id"], other.member("Efua"))
    _signed_in(browser)
    token = csrf_of(browser.get(BASE).text)
    for path in (
        f"{BASE}/sessions/{theirs['id']}",
        f"{BASE}/series/{series['id']}",
        f"{BASE}/sessions/{uuid.uuid4()}",
        f"{BASE}/sessions/not-an-id",
        f"{BASE}?location={other.location['id']}",
    ):
        page = browser.get(path)
        assert page.status_code == 404, (path, page.text)
        assert "Not found" in page.text and "Efua" not in page.text
    for action, fields in (
        (f"{BASE}/sessions/{theirs['id']}/cancel", {"reason": "mine now"}),
        (f"{BASE}/sessions/{theirs['id']}/bookings/{member.id}/checkin", {}),
        (f"{BASE}/sessions/{theirs['id']}/bookings/{member.id}/approve", {}),
    ):
        answer = browser.post(action, data={"csrf": token, **fields}, follow_redirects=False)
        assert answer.status_code == 404, (action, answer.text)
    assert other.get_session(theirs["id"])["status"] == "scheduled"


def test_a_manager_of_another_branch_does_not_reach_this_one(
    studio: Studio, browser: TestClient
) -> None:
    """As in the API: another location's week, series, sessions and rosters are not found
    for staff limited to their own branch, and their forms change nothing."""
    branch = studio.api.create_location(studio.tenant, "Accra", timezone="Africa/Accra")
    email = f"accra@{SLUG}.example"
    studio.api.create_staff(studio.tenant, "manager", email, location_ids=[branch["id"]])
    here = studio.session(studio.session_type()["id"], soon(2), "18:00")
    member = studio.book(here["id"], studio.member("Kofi"))
    series = studio.schedule(
        studio.session_type()["id"],
        weekdays=[1],
        local_start="07:00",
        starts_on=soon(1).isoformat(),
        ends_on=soon(20).isoformat(),
    )["schedule"]
    _signed_in(browser, email)
    assert browser.get(f"{BASE}?location={branch['id']}").status_code == 200
    token = csrf_of(browser.get(BASE).text)
    for path in (
        f"{BASE}?location={studio.location['id']}",
        f"{BASE}/sessions/{here['id']}",
        f"{BASE}/series/{series['id']}",
    ):
        page = browser.get(path)
        assert page.status_code == 404, (path, page.text)
        assert "Kofi" not in page.text
    for action, fields in (
        (f"{BASE}/sessions/{here['id']}/cancel", {"reason": "not yours"}),
        (f"{BASE}/sessions/{here['id']}/bookings/{member.id}/checkin", {}),
    ):
        answer = browser.post(action, data={"csrf": token, **fields}, follow_redirects=False)
        assert answer.status_code == 404, (action, answer.text)
    assert studio.get_session(here["id"])["status"] == "scheduled"


def test_every_form_refuses_a_missing_csrf_token(studio: Studio, browser: TestClient) -> None:
    yoga = studio.session_type()
    session = studio.session(yoga["id"], soon(2), "18:00")
    booking = studio.book(session["id"], studio.member("Ama"))
    schedule = studio.schedule(
        yoga["id"],
        weekdays=[1],
        local_start="07:00",
        starts_on=soon(1).isoformat(),
        ends_on=soon(20).isoformat(),
    )["schedule"]
    _signed_in(browser)
    page = f"{BASE}/sessions/{session['id']}"
    forms = {
        f"{BASE}/series": _series_fields(studio, yoga["id"]),
        f"{BASE}/series/{schedule['id']}": _series_fields(studio, yoga["id"], local_start="08:00"),
        f"{BASE}/sessions": {
            "location_id": studio.location["id"],
            "session_type_id": yoga["id"],
            "local_date": soon(4).isoformat(),
            "local_start": "10:00",
        },
        f"{page}/move": {"local_date": soon(4).isoformat(), "local_start": "10:00"},
        f"{page}/cancel": {"reason": "no"},
        f"{page}/bookings/{booking.id}/checkin": {},
        f"{page}/bookings/{booking.id}/approve": {},
        f"{page}/bookings/{booking.id}/decline": {},
    }
    for action, fields in forms.items():
        for token in (None, "forged"):
            data = fields if token is None else {"csrf": token, **fields}
            answer = browser.post(action, data=data, follow_redirects=False)
            assert answer.status_code == 403, (action, answer.text)
            assert "This form has expired" in answer.text
    assert _count(studio.container, Schedule) == 1
    assert _count(studio.container, ClassSession) > 1
    shown = studio.get_session(session["id"])
    assert (shown["status"], shown["local_start"]) == ("scheduled", "18:00:00")
    assert {s["local_start"] for s in studio.sessions(schedule_id=schedule["id"])} == {"07:00:00"}


def test_bad_input_comes_back_with_its_message(studio: Studio, browser: TestClient) -> None:
    yoga = studio.session_type()
    session = studio.session(yoga["id"], soon(2), "18:00")
    _signed_in(browser)
    new = f"{BASE}/series/new"
    no_days = post_form(
        browser, new, f"{BASE}/series", **_series_fields(studio, yoga["id"], day_2="-", day_4="-")
    )
    assert no_days.status_code == 422
    assert 'id="weekdays-problem"' in no_days.text and "at least 1 item" in no_days.text
    assert 'name="room" type="text" value="Studio 1"' in no_days.text  # kept as typed
    backwards = post_form(
        browser,
        new,
        f"{BASE}/series",
        **_series_fields(
            studio, yoga["id"], starts_on=soon(9).isoformat(), ends_on=soon(2).isoformat()
        ),
    )
    assert backwards.status_code == 422 and "before it starts" in backwards.text
    no_time = post_form(
        browser, new, f"{BASE}/series", **_series_fields(studio, yoga["id"], local_start="7am")
    )
    assert no_time.status_code == 422 and 'id="local_start-problem"' in no_time.text
    assert _count(studio.container, Schedule) == 0
    one_off = post_form(
        browser,
        f"{BASE}/sessions/new",
        f"{BASE}/sessions",
        location_id=studio.location["id"],
        session_type_id=yoga["id"],
        local_date=(date.today() - timedelta(days=2)).isoformat(),
        local_start="10:00",
    )
    assert one_off.status_code == 422 and "is in the past" in one_off.text
    page = f"{BASE}/sessions/{session['id']}"
    past = post_form(
        browser,
        page,
        f"{page}/move",
        local_date=(date.today() - timedelta(days=1)).isoformat(),
        local_start="10:00",
    )
    assert past.status_code == 422 and "is in the past" in past.text
    no_reason = post_form(browser, page, f"{page}/cancel", reason="  ")
    assert no_reason.status_code == 422 and 'id="cancel_reason-problem"' in no_reason.text
    shown = studio.get_session(session["id"])
    assert (shown["status"], shown["local_start"]) == ("scheduled", "18:00:00")
    assert _count(studio.container, ClassSession) == 1
    bad_week = browser.get(BASE, params={"week": "next tuesday"})
    assert bad_week.status_code == 422 and "2026-12-07" in bad_week.text


def test_a_series_time_that_does_not_exist_is_moved_after_the_gap(
    studio: Studio, browser: TestClient
) -> None:
    """01:30 does not happen in London on the spring change day: the series' default
    shifts that day's class to the first minute after the gap (the service's rule)."""
    change = next_change("Europe/London", spring=True)
    yoga = studio.session_type()
    _signed_in(browser)
    fields = _series_fields(
        studio,
        yoga["id"],
        day_2="-",
        day_4="-",
        day_7="on",
        local_start="01:30",
        starts_on=change.isoformat(),
        ends_on=change.isoformat(),
    )
    made = post_form(browser, f"{BASE}/series/new", f"{BASE}/series", **fields)
    assert made.status_code == 303, made.text
    (card,) = _cards(browser.get(BASE, params={"week": change.isoformat()}).text).values()
    assert "02:00" in card
    assert time(2, 0).isoformat() in studio.sessions()[0]["local_start"]
