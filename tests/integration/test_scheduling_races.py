"""Capacity changes racing with bookings never let a session hold more than its places."""

from __future__ import annotations

import threading
from typing import Any

from server.bootstrap import Container
from server.errors import Conflict
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import open_studio, soon


def test_lowering_capacity_while_members_book(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "race-gym")
    yoga = studio.session_type(default_capacity=10)
    made = studio.session(yoga["id"], soon(2), "18:00")
    people = [studio.member(f"M{i}") for i in range(12)]
    start = threading.Barrier(len(people) + 1)
    outcomes: list[Any] = []

    def book(member_id: str) -> None:
        start.wait()
        try:
            outcomes.append(studio.book(made["id"], member_id).status)
        except Conflict as exc:
            outcomes.append(exc.code)

    def shrink() -> None:
        start.wait()
        for capacity in (8, 6, 4):
            response = api.client.patch(
                f"/sessions/{made['id']}", json={"capacity": capacity}, headers=studio.admin
            )
            outcomes.append(response.status_code)

    threads = [threading.Thread(target=book, args=(p,)) for p in people]
    threads.append(threading.Thread(target=shrink))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    final = studio.get_session(made["id"])
    assert final["confirmed_count"] <= final["capacity"]
    statuses = [o for o in outcomes if isinstance(o, str)]
    assert statuses.count("confirmed") == final["confirmed_count"]
    assert statuses.count("waitlisted") == final["waitlist_count"]
    assert len(statuses) == len(people)
    codes = [o for o in outcomes if isinstance(o, int)]
    assert set(codes) <= {200, 409} and len(codes) == 3
    # Every refusal left the capacity at something the bookings fit in.
    assert final["capacity"] in (4, 6, 8, 10)
