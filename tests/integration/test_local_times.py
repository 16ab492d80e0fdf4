"""Sessions and bookings carry the location's local start and end and its zone next to UTC,
on both sides of a clock change; the iCal feeds name the zone of every location (TZID),
Accra's included (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import icalendar

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import next_change, open_studio, soon


def _local(body: dict[str, Any], key: str = "starts_at") -> datetime:
    return datetime.fromisoformat(body[f"{key}_local"])


def test_sessions_and_bookings_carry_local_times_across_the_clock_change(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "local-london", "Europe/London")
    kind = studio.session_type()
    change = next_change("Europe/London", spring=True)
    before = studio.session(kind["id"], change - timedelta(days=1), "07:00")
    after = studio.session(kind["id"], change + timedelta(days=1), "07:00")
    for session, offset in ((before, 0), (after, 1)):
        read = studio.get_session(session["id"])
        start, end = _local(read), _local(read, "ends_at")
        assert read["timezone"] == "Europe/London"
        assert (start.hour, start.minute) == (7, 0) and start.date().isoformat() == read[
            "local_date"
        ]
        assert start.utcoffset() == timedelta(hours=offset)
        assert start == datetime.fromisoformat(read["starts_at"])  # the same moment
        assert end - start == timedelta(minutes=kind["duration_minutes"])
    listed = {s["id"]: s for s in studio.sessions()}
    assert _local(listed[after["id"]]).utcoffset() == timedelta(hours=1)
    public = api.client.get("/public/local-london/sessions").json()["items"]
    shown = {s["id"]: s for s in public}
    if after["id"] in shown:  # inside the public window
        assert _local(shown[after["id"]]).hour == 7
    # A booking says when the class is, where it is.
    member = studio.member("Ama")
    booking = studio.book(after["id"], member)
    read = api.client.get(f"/bookings/{booking.id}", headers=studio.admin).json()
    assert read["timezone"] == "Europe/London"
    assert (_local(read).hour, _local(read).utcoffset()) == (7, timedelta(hours=1))
    mine = api.client.get("/me/bookings", headers=studio.member_headers(member)).json()
    assert [(_local(b).hour, b["timezone"]) for b in mine["items"]] == [(7, "Europe/London")]


def test_accra_times_read_as_accra_times(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "local-accra", "Africa/Accra")
    kind = studio.session_type()
    session = studio.session(kind["id"], soon(2), "06:30")
    read = studio.get_session(session["id"])
    assert read["timezone"] == "Africa/Accra"
    assert read["starts_at_local"] == f"{soon(2).isoformat()}T06:30:00Z"
    today = api.client.get(
        "/overview/today",
        params={"location_id": studio.location["id"], "day": soon(2).isoformat()},
        headers=studio.admin,
    ).json()
    [row] = today["sessions"]
    assert (_local(row).hour, _local(row).minute, row["timezone"]) == (6, 30, "Africa/Accra")
    # The feed names the zone: an Accra class is at 06:30 Accra time, not "06:30Z".
    path = f"/public/local-accra/locations/{studio.location['id']}/timetable.ics"
    feed = api.client.get(path)
    assert feed.status_code == 200, feed.text
    assert b"DTSTART;TZID=Africa/Accra:" in feed.content
    calendar = icalendar.Calendar.from_ical(feed.content)
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == ["Africa/Accra"]
    [event] = calendar.walk("VEVENT")
    assert event["dtstart"].params["TZID"] == "Africa/Accra"
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, start.date()) == (6, 30, soon(2))
    # The member's own feed alike.
    member = studio.member("Kwame")
    studio.book(session["id"], member)
    headers = studio.member_headers(member)
    link = api.client.get("/me/calendar", headers=headers).json()
    mine = api.client.get(link["path"])
    assert mine.status_code == 200, mine.text
    assert b"DTSTART;TZID=Africa/Accra:" in mine.content
