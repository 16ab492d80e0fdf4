"""Migration in, what the imported history does afterwards: attended bookings in the
movement ledger, imported memberships renewing, existing members linked by email."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from server.bootstrap import Container
from server.engagement import projection
from server.engagement.models import MemberEngagement, MovementEvent
from tests.integration.helpers import Api
from tests.integration.test_migration_in import (
    BOOKINGS,
    BOOKINGS_MAP,
    _everything,
    _import,
    _ok,
    _setup,
)


def _events(container: Container) -> list[MovementEvent]:
    with container.uow() as uow:
        found = uow.db.execute(select(MovementEvent).order_by(MovementEvent.recorded_at))
        rows = list(found.scalars())
        uow.db.expunge_all()
    return rows


def test_an_imported_attendance_is_a_movement_event_once_and_engagement_counts_it(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-move")
    _everything(api, tenant)
    # B1: C1 attended S1 (Spin, 45 minutes, 07:00 on 2 March 2026); B2 was a no-show and
    # B3 cancelled: one event.
    (event,) = _events(container)
    assert (event.kind, event.source, event.provenance) == (
        "attendance",
        "import",
        "staff_recorded",
    )
    assert (event.minutes, event.local_date, event.zone) == (45, date(2026, 3, 2), "Europe/London")
    assert event.session_id is not None and event.data["session_id"] == str(event.session_id)
    assert event.projected_seq is None  # the projector job applies it

    _everything(api, tenant)
    assert len(_events(container)) == 1  # a second run adds no event

    applied = projection.project_pending(
        container.uow,
        uuid.UUID(tenant.id),
        projector=container.projector(),
        events=container.events,
    )
    assert applied == 1
    with container.uow() as uow:
        state = uow.db.execute(
            select(MemberEngagement).where(MemberEngagement.member_id == event.member_id)
        ).scalar_one()
        assert state.last_active_on == date(2026, 3, 2)


def test_a_reimport_that_unattends_voids_the_event_and_one_that_attends_adds_it(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-move-change")
    _everything(api, tenant)
    # B1 is now a no-show and B2 (C2 at S1) attended: B1's event is voided, B2 gets one.
    changed = BOOKINGS.replace("B1,C1,S1,booked,yes", "B1,C1,S1,booked,no").replace(
        "B2,C2,S1,booked,no", "B2,C2,S1,booked,late"
    )
    result = _ok(_import(api, tenant, "bookings", changed, BOOKINGS_MAP))
    assert result["counts"]["updated"] == 2
    events = _events(container)
    live = [e for e in events if not e.is_void and e.voided_by is None]
    voids = [e for e in events if e.is_void]
    assert len(events) == 3 and len(live) == 1 and len(voids) == 1
    assert voids[0].member_id != live[0].member_id
    _ok(_import(api, tenant, "bookings", changed, BOOKINGS_MAP))
    assert len(_events(container)) == 3
