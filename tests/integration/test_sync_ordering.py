"""Concurrency: one device's pushes apply once; change numbers follow commit order."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text

from server.bootstrap import Container
from server.members.models import Member
from server.sync import changes
from tests.integration.helpers import Api
from tests.integration.plans_helpers import open_desk
from tests.integration.sync_helpers import Kiosk, checkin_count
from tests.waiting import wait_for


def test_two_concurrent_pushes_of_one_device_apply_once(api: Api, container: Container) -> None:
    desk = open_desk(api, container, "push-race")
    member = desk.member()
    kiosk = Kiosk.of(desk)
    batch = [kiosk.checkin(member, admitted=False) for _ in range(40)]
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: kiosk.push(batch), range(2)))
    assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
    statuses = sorted(r.json()["results"][0]["status"] for r in responses)
    assert statuses == ["applied", "duplicate"]
    assert checkin_count(desk) == 40


def _member(tenant_id: str, name: str) -> Member:
    return Member(
        tenant_id=uuid.UUID(tenant_id),
        id=uuid.uuid4(),
        first_name=name,
        last_name="Race",
        source="desk",
        fitness_goals=[],
        preferences={},
    )


def _a_transaction_waits_for_a_lock(container: Container) -> bool:
    """Whether a transaction on this test's database (this worker's own) waits for a lock."""
    with container.engine.connect() as connection:
        waiting = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return bool(waiting)


def _wait_for_more_pages(seen: list[list[int]]) -> None:
    """Until the reader has read two more pages: at least one read wholly from now on."""
    read = len(seen)
    wait_for(lambda: len(seen) >= read + 2, timeout=10)


# SQLite has one writer at a time, so the race this guards against exists on PostgreSQL only.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_reader_never_sees_a_later_number_before_an_earlier_one(
    api: Api, container: Container
) -> None:
    assert container.engine.dialect.name == "postgresql"
    desk = open_desk(api, container, "seq-order")
    kiosk = Kiosk.of(desk)
    _, start = kiosk.pull_all()

    first = container.session_factory()
    first.add(_member(desk.tenant.id, "First"))
    changes.number_pending(first)  # takes number start+1 and holds the counter's lock

    second_done = threading.Event()

    def second_writer() -> None:
        with container.session_factory() as db:
            db.add(_member(desk.tenant.id, "Second"))
            db.commit()  # needs the counter: waits for the first transaction
        second_done.set()

    seen: list[list[int]] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            body = kiosk.pull(start).json()
            seen.append([c["seq"] for c in body["changes"]])

    writer = threading.Thread(target=second_writer)
    watcher = threading.Thread(target=reader)
    writer.start()
    watcher.start()
    wait_for(lambda: _a_transaction_waits_for_a_lock(container), timeout=10)
    _wait_for_more_pages(seen)  # read while the second commit waits
    assert not second_done.is_set(), "the second commit must wait for the first's number"
    assert all(s == [] for s in seen)
    first.commit()
    first.close()
    writer.join(10)
    _wait_for_more_pages(seen)  # read after both commits
    stop.set()
    watcher.join(10)
    assert second_done.is_set()
    assert seen[-1] == [start + 1, start + 2]
    for page in seen:
        assert page == list(range(start + 1, start + 1 + len(page))), page
    names = [c["data"]["first_name"] for c in kiosk.pull(start).json()["changes"]]
    assert names == ["First", "Second"]
