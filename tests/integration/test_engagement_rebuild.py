"""Property: rebuilding a tenant's engagement from the ledger gives exactly the state the
projector reached one batch at a time, for random ledgers with late events, voids, pauses
and a member whose zone changes (Accra → London), on both databases."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from server.bootstrap import Container
from server.config import Settings
from server.engagement import service
from server.engagement.models import MovementEvent, StreakPause
from server.errors import Conflict
from shared.ids import new_id
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.engagement_helpers import at, awards_of, rebuild, row_of, run
from tests.integration.helpers import Api

START = date(2026, 9, 7)
ZONES = ("Africa/Accra", "Europe/London")

moves = st.tuples(
    st.just("move"),
    st.integers(0, 2),  # member
    st.integers(0, 60),  # day
    st.integers(0, 120),  # minutes
    st.sampled_from(["light", "moderate", "vigorous"]),
    st.sampled_from(["attendance", "floor_checkin", "outdoor", "tile"]),
    st.sampled_from(ZONES),
)
voids = st.tuples(st.just("void"), st.integers(0, 1000))
pauses = st.tuples(st.just("pause"), st.integers(0, 2), st.integers(0, 60), st.integers(0, 20))
projects = st.tuples(st.just("project"), st.integers(1, 7))
ops = st.lists(st.one_of(moves, moves, moves, voids, pauses, projects), min_size=1, max_size=40)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests project when they mean to: no background projector racing them."""
    return settings.model_copy(update={"background_jobs": False})


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "rebuild-gym")


def _insert(studio: Studio, member: str, op: tuple[Any, ...]) -> uuid.UUID:
    _, _, day, minutes, intensity, kind, zone = op
    # Random ids: a kiosk's events carry ids made offline, so a late push may sort before
    # events projected long ago; the projector's own sequence, not the ids, is the order.
    event_id = uuid.uuid4()
    with studio.container.uow() as uow:
        uow.db.add(
            MovementEvent(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=event_id,
                member_id=uuid.UUID(member),
                kind=kind,
                occurred_at=at(START + timedelta(days=day)),
                data={},
                minutes=minutes,
                intensity=intensity,
                provenance="self_reported" if kind == "tile" else "scanner_verified",
                source="kiosk",
                local_date=START + timedelta(days=day),
                zone=zone,
                is_void=False,
            )
        )
        uow.commit()
    return event_id


def _pause(studio: Studio, member: str, day: int, length: int) -> None:
    with studio.container.uow() as uow:
        uow.db.add(
            StreakPause(
                tenant_id=uuid.UUID(studio.tenant_id),
                id=new_id(),
                member_id=uuid.UUID(member),
                starts_on=START + timedelta(days=day),
                ends_on=START + timedelta(days=day + length),
                reason="travel",
            )
        )
        uow.commit()


def _snapshot(studio: Studio, members: list[str]) -> list[Any]:
    rows = []
    for member in members:
        row = row_of(studio, member)
        rows.append(None if row is None else {**row, "updated_at": None})
        rows.append(awards_of(studio, member))
    return rows


@examples(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops)
def test_rebuild_equals_incremental(studio: Studio, steps: list[tuple[Any, ...]]) -> None:
    members = [studio.member(plan="") for _ in range(3)]
    events: list[uuid.UUID] = []
    for op in steps:
        if op[0] == "move":
            events.append(_insert(studio, members[op[1]], op))
        elif op[0] == "void" and events:
            with contextlib.suppress(Conflict):  # voided already
                service.void_movement(
                    uow=studio.container.uow(),
                    tenant_id=uuid.UUID(studio.tenant_id),
                    event_id=events[op[1] % len(events)],
                    reason="a test void",
                    recorded_by=None,
                )
        elif op[0] == "pause":
            _pause(studio, members[op[1]], op[2], op[3])
        elif op[0] == "project":
            run(studio, limit=op[1])
    run(studio)
    incremental = _snapshot(studio, members)
    rebuild(studio)
    assert _snapshot(studio, members) == incremental
    # And a second rebuild changes nothing either.
    rebuild(studio)
    assert _snapshot(studio, members) == incremental
