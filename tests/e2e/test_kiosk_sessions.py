"""Classes at the kiosk against a real `zmos server` process: two kiosks book the last place
while the server is down; once it is back the server decides, and both kiosks show it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from shared.enums import CheckinMethod
from tests.e2e.conftest import ServerProcess, start_server
from tests.e2e.sync_support import Provider, enrolled_core, pending


def _class(provider: Provider, capacity: int) -> uuid.UUID:
    kind = provider.post(
        "/session-types",
        {
            "name": "Spin",
            "kind": "class",
            "category": "cardio",
            "duration_minutes": 45,
            "default_capacity": capacity,
            "intensity": "high",
        },
    )
    # Half an hour from now on the location's clock (Europe/London, see Provider): its
    # check-in is open. Added in UTC so that it is a local time that exists even on the day
    # the clocks go forward.
    start = (datetime.now(UTC) + timedelta(minutes=30)).astimezone(ZoneInfo("Europe/London"))
    start = start.replace(second=0, microsecond=0)
    session = provider.post(
        "/sessions",
        {
            "location_id": provider.location_id,
            "session_type_id": kind["id"],
            "local_date": start.date().isoformat(),
            "local_start": start.strftime("%H:%M"),
            "capacity": capacity,
        },
    )
    return uuid.UUID(session["id"])


def test_the_last_place_booked_at_two_kiosks_while_the_server_was_down(
    server: ServerProcess, tmp_path: Path
) -> None:
    provider = Provider(server.url, slug="e2e-classes")
    ama, kofi = (
        uuid.UUID(provider.add_member("Ama", "Class")),
        uuid.UUID(provider.add_member("Kofi", "Class")),
    )
    session_id = _class(provider, capacity=1)
    first = enrolled_core(provider, tmp_path / "first")
    second = enrolled_core(provider, tmp_path / "second")
    port = int(server.url.rsplit(":", 1)[1])
    again: ServerProcess | None = None
    try:
        assert first.sessions.session(session_id).free == 1
        server.stop()
        booked = first.sessions.book(session_id, ama)
        walked_in = second.sessions.check_in(session_id, kofi, CheckinMethod.SEARCH)
        assert walked_in.booked_now and walked_in.outcome.admitted
        # Nothing leaves, nothing is lost.
        assert first.sync.push() is None and second.sync.push() is None
        assert pending(first) == 1 and pending(second) == 3

        again = start_server(server.log.parent, port=port)
        for core in (first, second, first):
            assert core.sync.push() is not None and core.sync.pull() is not None
        assert pending(first) == pending(second) == 0
        read = provider.get(f"/sessions/{session_id}")
        assert (read["confirmed_count"], read["waitlist_count"]) == (1, 1)
        [item] = provider.get("/review-items", status="open")["items"]
        assert item["kind"] == "checked_in_without_place" and item["member_id"] == str(kofi)
        roster = {e.member_id: e.state for e in second.sessions.roster(session_id)}
        assert roster == {ama: "booked", kofi: "waitlisted — review"}
        assert {e.booking_id for e in first.sessions.roster(session_id)} == {
            booked.booking_id,
            walked_in.booking_id,
        }

        # The studio cancels the class: every kiosk shows it, and nobody can book it.
        provider.post(f"/sessions/{session_id}/cancel", {"reason": "Instructor ill"})
        for core in (first, second):
            assert core.sync.pull() is not None
            assert core.sessions.session(session_id).cancelled
        assert first.sessions.roster(session_id) == []
        # Kofi was checked in at the second kiosk: he stays on its list for staff to see.
        assert [(e.member_id, e.state) for e in second.sessions.roster(session_id)] == [
            (kofi, "cancelled — review")
        ]
    finally:
        first.close()
        second.close()
        if again is not None:
            again.stop()
