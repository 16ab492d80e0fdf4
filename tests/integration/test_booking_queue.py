"""The booking queue (group commit): a batch of waiting requests is one transaction.

A refusal answers only its own request and leaves no trace (counters, positions); a database
error answers every request of the batch 503 and applies none of it; requests waiting
together are applied together, in arrival order — on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, text

from server.bookings.placement import BookingOrder
from server.bookings.queue import BookingQueue, BookingRequest, apply_batch
from server.bookings.schemas import BookingRead
from server.bootstrap import Container
from server.errors import Conflict, DatabaseUnavailable, NotFound
from shared.enums import BookingSource
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api
from tests.waiting import wait_for


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "queue-gym")


def _request(studio: Studio, session_id: str, member_id: str) -> BookingRequest:
    return BookingRequest(
        tenant_id=uuid.UUID(studio.tenant_id),
        session_id=uuid.UUID(session_id),
        member_id=uuid.UUID(member_id),
        source=BookingSource.STAFF,
    )


def test_a_refusal_in_the_middle_of_a_batch_answers_alone(
    studio: Studio, container: Container
) -> None:
    session_id = studio.session(capacity=2)
    first, second, third = (studio.member() for _ in range(3))
    no_membership = studio.member(plan="")
    outcomes = apply_batch(
        container.uow(),
        [
            _request(studio, session_id, first),
            _request(studio, session_id, first),  # already booked (by this same batch)
            _request(studio, session_id, no_membership),  # not eligible
            _request(studio, session_id, str(uuid.uuid4())),  # no such member
            _request(studio, session_id, second),
            _request(studio, session_id, third),
        ],
        eligibility=container.eligibility,
    )
    assert isinstance(outcomes[1], Conflict) and outcomes[1].code == "already_booked"
    assert isinstance(outcomes[2], Conflict) and outcomes[2].code == "not_eligible"
    assert isinstance(outcomes[3], NotFound)
    placed = [o for o in outcomes if isinstance(o, BookingRead)]
    assert [(str(o.member_id), o.status.value, o.position) for o in placed] == [
        (first, "confirmed", 1),
        (second, "confirmed", 2),
        (third, "waitlisted", 3),
    ]
    # The refused requests changed nothing: counters and positions are those of the others.
    assert studio.counts(session_id) == (2, 1)
    rows = studio.bookings(session_id)
    assert [(str(r.member_id), r.position) for r in rows] == [(first, 1), (second, 2), (third, 3)]


@pytest.fixture
def failing_member(studio: Studio, container: Container) -> Iterator[str]:
    """A member whose booking row the database itself refuses (a trigger): a real error."""
    member_id = studio.member()
    engine = container.engine
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_booking BEFORE INSERT ON bookings "
                f"WHEN NEW.member_id = '{uuid.UUID(member_id).hex}' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
            )
        else:
            connection.exec_driver_sql(
                "CREATE FUNCTION refuse_booking() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.member_id = '{member_id}' THEN "
                "RAISE EXCEPTION 'refused by the test trigger'; END IF; RETURN NEW; END "
                "$$ LANGUAGE plpgsql"
            )
            connection.exec_driver_sql(
                "CREATE TRIGGER refuse_booking BEFORE INSERT ON bookings "
                "FOR EACH ROW EXECUTE FUNCTION refuse_booking()"
            )
    try:
        yield member_id
    finally:
        with engine.begin() as connection:
            if engine.dialect.name == "sqlite":
                connection.exec_driver_sql("DROP TRIGGER refuse_booking")
            else:
                connection.exec_driver_sql("DROP TRIGGER refuse_booking ON bookings")
                connection.exec_driver_sql("DROP FUNCTION refuse_booking()")


def test_a_database_error_fails_the_whole_batch_and_applies_nothing(
    studio: Studio, container: Container, failing_member: str
) -> None:
    session_id = studio.session(capacity=2)
    before, after = studio.member(), studio.member()
    with container.uow() as uow:
        changes_before = uow.db.execute(text("SELECT count(*) FROM sync_changes")).scalar()
    requests = [
        _request(studio, session_id, before),
        _request(studio, session_id, failing_member),
        _request(studio, session_id, after),
    ]
    outcomes = apply_batch(container.uow(), requests, eligibility=container.eligibility)
    assert all(isinstance(o, DatabaseUnavailable) and o.status == 503 for o in outcomes)
    assert studio.bookings(session_id) == []
    assert studio.counts(session_id) == (0, 0)
    with container.uow() as uow:
        changes = uow.db.execute(text("SELECT count(*) FROM sync_changes")).scalar()
    assert changes == changes_before  # no change reached the kiosks either
    # Through the API the request answers 503 as a problem document, and nothing is booked.
    response = studio.book(session_id, failing_member)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "database_unavailable"
    # The queue goes on: the others book fine afterwards, in order.
    assert [studio.booked(session_id, m)["position"] for m in (before, after)] == [1, 2]


def test_a_refusal_after_a_write_fails_the_whole_batch(
    studio: Studio, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The placement core refuses only before it writes. Should a later change break that,
    the queue must not commit half a booking: the batch answers 503 and applies nothing.
    No real request can cause it, so this one fault is injected."""
    from server.bookings import batch_placing
    from server.bookings.placement import place as real

    session_id = studio.session(capacity=2)
    before, broken, after = studio.member(), studio.member(), studio.member()

    def refuse_after_writing(uow: Any, placement: Any, order: BookingOrder) -> object:
        booking = real(uow, placement, order)
        if str(order.member_id) == broken:
            raise Conflict("refused after the write", code="injected")
        return booking

    monkeypatch.setattr(batch_placing, "place", refuse_after_writing)
    outcomes = apply_batch(
        container.uow(),
        [_request(studio, session_id, m) for m in (before, broken, after)],
        eligibility=container.eligibility,
    )
    assert all(isinstance(o, DatabaseUnavailable) and o.status == 503 for o in outcomes)
    assert studio.bookings(session_id) == []
    assert studio.counts(session_id) == (0, 0)
    monkeypatch.undo()
    assert [studio.booked(session_id, m)["position"] for m in (before, after)] == [1, 2]


def _hold_write_lock(connection: Connection, session_id: str) -> None:
    """What another process's batch does: SQLite's write lock, or the session row's lock."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        connection.execute(
            text("SELECT id FROM class_sessions WHERE id = :id FOR UPDATE"),
            {"id": uuid.UUID(session_id)},
        )


def test_requests_waiting_together_are_one_batch_in_arrival_order(
    studio: Studio, container: Container
) -> None:
    session_id = studio.session(capacity=3)
    members = [studio.member() for _ in range(8)]
    queue = BookingQueue(container.uow, container.eligibility, idle_seconds=0.2)
    futures: list[Future[BookingRead]] = []
    with container.engine.connect() as blocker:
        _hold_write_lock(blocker, session_id)
        futures.append(queue.submit(_request(studio, session_id, members[0])))
        # The writer took the first request and waits for the lock; the rest queue up
        # (``submit`` has queued a request when it returns) before the lock is let go.
        wait_for(lambda: len(queue.batch_sizes) == 1, timeout=10)
        futures += [queue.submit(_request(studio, session_id, m)) for m in members[1:]]
        blocker.rollback()
    results = [f.result(timeout=30) for f in futures]
    assert list(queue.batch_sizes) == [1, 7]
    assert [(str(r.member_id), r.position) for r in results] == [
        (m, i) for i, m in enumerate(members, start=1)
    ]
    assert [r.status.value for r in results] == ["confirmed"] * 3 + ["waitlisted"] * 5
    assert studio.counts(session_id) == (3, 5)
    rows = studio.bookings(session_id)
    assert [r.booked_at for r in rows] == sorted(r.booked_at for r in rows)
    # The idle writer thread ends; the next request starts another.
    wait_for(lambda: not queue._writing, timeout=10)
    later = studio.session(starts_in=timedelta(days=2))
    again = queue.submit(_request(studio, later, members[0]))
    assert again.result(timeout=30).status.value == "confirmed"
