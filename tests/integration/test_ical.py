"""iCalendar feeds, parsed back with icalendar: a location's timetable and a member's bookings."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import icalendar

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import open_studio, soon


def _parse(response: Any) -> icalendar.Calendar:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Component]:
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def test_location_timetable_feed(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "ical-gym", "America/New_York")
    yoga = studio.session_type()
    kept = studio.session(
        yoga["id"], soon(2), "07:00", instructor_id=studio.coach["id"], room="Roof"
    )
    moved = studio.session(yoga["id"], soon(3), "18:00")
    dropped = studio.session(yoga["id"], soon(4), "18:00")
    path = f"/public/ical-gym/locations/{studio.location['id']}/timetable.ics"
    first = _events(_parse(api.client.get(path)))
    assert set(first) == {f"{s['id']}@zmos" for s in (kept, moved, dropped)}
    studio.post(
        f"/sessions/{moved['id']}/move", {"local_date": soon(3).isoformat(), "local_start": "19:00"}
    )
    studio.post(f"/sessions/{dropped['id']}/cancel", {"reason": "coach away"})
    calendar = _parse(api.client.get(path))
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "America/New_York"
    events = _events(calendar)
    assert set(events) == set(first)  # stable UIDs
    event = events[f"{kept['id']}@zmos"]
    start = event.decoded("dtstart")
    assert isinstance(start, datetime) and start.tzinfo is not None
    assert str(start.tzinfo) == "America/New_York"
    assert event["dtstart"].params["TZID"] == "America/New_York"
    assert (start.hour, start.minute, start.date()) == (7, 0, soon(2))
    assert event.decoded("dtend").astimezone(ZoneInfo("America/New_York")).hour == 8
    assert str(event["summary"]) == "Sunrise yoga"
    assert str(event["location"]) == "Osu Studio, Roof, 1 Oxford St"
    assert "Kofi Coach" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED" and event.decoded("sequence") == 0
    assert "dtstamp" in event
    shifted = events[f"{moved['id']}@zmos"]
    assert shifted.decoded("dtstart").hour == 19 and shifted.decoded("sequence") == 1
    cancelled = events[f"{dropped['id']}@zmos"]
    assert str(cancelled["status"]) == "CANCELLED" and cancelled.decoded("sequence") == 1
    assert "coach away" in str(cancelled["description"])
    # Unknown provider or another provider's location: not found.
    assert api.client.get(path.replace("ical-gym", "nobody")).status_code == 404
    other = open_studio(api, container, "ical-other")
    foreign = f"/public/ical-other/locations/{studio.location['id']}/timetable.ics"
    assert api.client.get(foreign).status_code == 404
    assert other.location["id"] != studio.location["id"]


def test_member_bookings_feed(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "my-ical")
    yoga = studio.session_type(default_capacity=1)
    ama, kofi = studio.member("Ama"), studio.member("Kofi")
    going = studio.session(yoga["id"], soon(2), "07:00")
    waiting_on = studio.session(yoga["id"], soon(3), "07:00")
    dropped = studio.session(yoga["id"], soon(4), "07:00")
    confirmed = studio.book(going["id"], ama)
    studio.book(waiting_on["id"], kofi)
    waitlisted = studio.book(waiting_on["id"], ama)
    cancelled = studio.book(dropped["id"], ama)
    studio.post(f"/sessions/{dropped['id']}/cancel", {"reason": "storm"})
    studio.book(going["id"], kofi)  # Kofi's bookings never show in Ama's feed
    me = api.client.get("/me/calendar", headers=studio.member_headers(ama))
    assert me.status_code == 200, me.text
    feed = me.json()
    assert feed["feed_url"].endswith(feed["path"]) and feed["feed_url"].startswith("http")
    # Staff tokens and anonymous callers get no member feed address.
    assert api.client.get("/me/calendar", headers=studio.admin).status_code == 403
    assert api.client.get("/me/calendar").status_code == 401
    calendar = _parse(api.client.get(feed["path"]))  # no Authorization header
    events = _events(calendar)
    assert set(events) == {f"{b.id}@zmos" for b in (confirmed, waitlisted, cancelled)}
    assert str(events[f"{confirmed.id}@zmos"]["status"]) == "CONFIRMED"
    assert str(events[f"{waitlisted.id}@zmos"]["status"]) == "TENTATIVE"
    assert str(events[f"{cancelled.id}@zmos"]["status"]) == "CANCELLED"
    seq = events[f"{cancelled.id}@zmos"].decoded("sequence")
    assert seq > events[f"{confirmed.id}@zmos"].decoded("sequence")
    start = events[f"{confirmed.id}@zmos"].decoded("dtstart")
    assert (str(start.tzinfo), start.hour) == ("Europe/London", 7)
    assert [str(z["tzid"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    # The same address again: the same events (stable UIDs).
    assert set(_events(_parse(api.client.get(feed["path"])))) == set(events)
    # A forged or altered token is simply not found.
    token = feed["path"].removeprefix("/calendars/").removesuffix(".ics")
    altered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for bad in (altered, "not-a-token", token[:20], uuid.uuid4().hex):
        assert api.client.get(f"/calendars/{bad}.ics").status_code == 404, bad
    kofi_feed = api.client.get("/me/calendar", headers=studio.member_headers(kofi)).json()
    assert kofi_feed["path"] != feed["path"]
    kofi_events = _events(_parse(api.client.get(kofi_feed["path"])))
    assert len(kofi_events) == 2


def test_member_feed_address_is_opaque_and_can_be_reset(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "reset-ical")
    yoga = studio.session_type()
    ama, kofi = studio.member("Ama"), studio.member("Kofi")
    studio.book(studio.session(yoga["id"], soon(2), "07:00")["id"], ama)
    ama_headers, kofi_headers = studio.member_headers(ama), studio.member_headers(kofi)
    first = api.client.get("/me/calendar", headers=ama_headers).json()
    kofi_path = api.client.get("/me/calendar", headers=kofi_headers).json()["path"]
    # Asking again shows the same address: it is kept, not made anew.
    assert api.client.get("/me/calendar", headers=ama_headers).json() == first
    token = first["path"].removeprefix("/calendars/").removesuffix(".ics")
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for known in (uuid.UUID(studio.tenant.id), uuid.UUID(ama)):
        assert known.bytes not in raw and known.hex not in token and str(known) not in token
    # Addresses made the old way, from the ids, lead nowhere.
    ids = uuid.UUID(studio.tenant.id).bytes + uuid.UUID(ama).bytes
    legacy = base64.urlsafe_b64encode(ids + bytes(16)).rstrip(b"=").decode()
    assert api.client.get(f"/calendars/{legacy}.ics").status_code == 404
    forged = ("A" if token[0] != "A" else "B") + token[1:]
    assert api.client.get(f"/calendars/{forged}.ics").status_code == 404
    assert len(_events(_parse(api.client.get(first["path"])))) == 1
    # Only the member resets their own address.
    assert api.client.post("/me/calendar/reset").status_code == 401
    assert api.client.post("/me/calendar/reset", headers=studio.admin).status_code == 403
    reset = api.client.post("/me/calendar/reset", headers=ama_headers)
    assert reset.status_code == 200, reset.text
    second = reset.json()
    assert second["path"] != first["path"] and second["feed_url"].endswith(second["path"])
    gone = api.client.get(first["path"])
    assert gone.status_code == 404
    assert gone.headers["content-type"] == "application/problem+json"
    assert len(_events(_parse(api.client.get(second["path"])))) == 1
    assert api.client.get("/me/calendar", headers=ama_headers).json() == second
    # Kofi's address is untouched by Ama's reset.
    assert api.client.get(kofi_path).status_code == 200
    assert api.client.get("/me/calendar", headers=kofi_headers).json()["path"] == kofi_path
