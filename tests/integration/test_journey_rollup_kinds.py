"""Which activities a journey's weeks count: the Tiles a journey names, and strength days
from any strength activity in the ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from server.bootstrap import Container
from server.engagement import service as engagement
from shared.carepath.plans import ActivityKind, JourneyPlan, PermittedActivity, WeekTarget
from shared.enums import MovementKind
from shared.ids import new_id
from shared.movement import MovementIntensity
from tests.integration.helpers import Api
from tests.integration.journey_rows import LONDON, Clinic, add_journey, open_clinic
from tests.integration.test_journey_rollup import _enrol, _london, _rollup, _weeks


def _record(
    clinic: Clinic,
    member_id: str,
    day: date,
    kind: MovementKind,
    data: dict[str, Any],
    *,
    minutes: int = 10,
) -> None:
    occurred = datetime.combine(day, time(10), tzinfo=LONDON).astimezone(UTC)
    with clinic.container.uow() as uow:
        engagement.record_movement(
            uow=uow,
            tenant_id=uuid.UUID(clinic.tenant_id),
            member_id=uuid.UUID(member_id),
            kind=kind,
            occurred_at=occurred,
            minutes=minutes,
            intensity=MovementIntensity.MODERATE,
            data=data,
        )
        uow.commit()


def test_a_journey_that_names_its_tiles_counts_only_those(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "named-tiles")
    named, other = str(new_id()), str(new_id())
    plan = JourneyPlan(
        weeks=(WeekTarget(1, tiles=2), WeekTarget(2, tiles=2)),
        permitted=(PermittedActivity(ActivityKind.TILE, (named,)),),
    )
    journey = add_journey(container, clinic.tenant_id, "Named Tiles", plan)
    ama = clinic.member()
    # Enrolled Wednesday 25 Feb 2026: week 1 is 2–8 March, week 2 is 9–15 March.
    enrolment_id = _enrol(clinic, ama, journey, _london(date(2026, 2, 25)))
    # Week 1: the named Tile and another one: 1 of 2 Tiles (the other is not counted):
    # dose 1/2 = 0.5, not met.
    _record(clinic, ama, date(2026, 3, 3), MovementKind.TILE, {"tile_id": named})
    _record(clinic, ama, date(2026, 3, 4), MovementKind.TILE, {"tile_id": other})
    # Week 2: the named Tile twice: 2 of 2, met.
    _record(clinic, ama, date(2026, 3, 10), MovementKind.TILE, {"tile_id": named})
    _record(clinic, ama, date(2026, 3, 11), MovementKind.TILE, {"tile_id": named})
    _rollup(container, _london(date(2026, 3, 17)))
    weeks = _weeks(container, enrolment_id)
    assert [w.tiles for w in weeks] == [1, 2]
    assert [w.dose for w in weeks] == [0.5, 1.0]
    assert [w.met for w in weeks] == [False, True]


def test_a_journey_of_any_tile_counts_every_tile(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "any-tiles")
    plan = JourneyPlan(
        weeks=(WeekTarget(1, tiles=2),), permitted=(PermittedActivity(ActivityKind.TILE),)
    )
    journey = add_journey(container, clinic.tenant_id, "Any Tile", plan)
    ama = clinic.member()
    enrolment_id = _enrol(clinic, ama, journey, _london(date(2026, 2, 25)))
    _record(clinic, ama, date(2026, 3, 3), MovementKind.TILE, {"tile_id": str(new_id())})
    _record(clinic, ama, date(2026, 3, 4), MovementKind.TILE, {"tile_id": str(new_id())})
    _rollup(container, _london(date(2026, 3, 10)))
    assert [(w.tiles, w.met) for w in _weeks(container, enrolment_id)] == [(2, True)]
