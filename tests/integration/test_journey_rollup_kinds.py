"""Which activities a journey's weeks count: the Tiles a journey names, and strength days
from any strength activity in the ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from server.bootstrap import Container
from server.engagement import service as engagement
from server.prescriptions import service as prescriptions
from server.prescriptions.schemas import ProfileContent
from server.tiles.models import Tile
from shared.carepath.plans import ActivityKind, JourneyPlan, PermittedActivity, WeekTarget
from shared.enums import Intensity, MovementKind
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


def _tile_of_type(clinic: Clinic, title: str, types: list[str]) -> str:
    """A Tile following a profile of the given FITT types."""
    tenant = uuid.UUID(clinic.tenant_id)
    content = ProfileContent(
        name=f"{title} profile",
        intensity_ceiling=Intensity.MODERATE,
        frequency_min=1,
        frequency_max=3,
        intensity=Intensity.MODERATE,
        minutes_per_session=10,
        minutes_per_week=30,
        types=types,
    )
    with clinic.container.uow() as uow:
        profile, _ = prescriptions._add_profile(uow.db, tenant, content, by=None)
        tile = Tile(
            tenant_id=tenant,
            id=new_id(),
            title=title,
            summary=title,
            steps=["Go."],
            minutes=10,
            intensity="moderate",
            contraindications=[],
            profile_id=profile.id,
        )
        uow.db.add(tile)
        uow.commit()
        return str(tile.id)


def test_strength_days_come_from_any_strength_activity(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "strength-days")
    plan = JourneyPlan(
        weeks=(WeekTarget(1, strength_days=3),),
        permitted=(
            PermittedActivity(ActivityKind.SESSION_TYPE),
            PermittedActivity(ActivityKind.TILE),
            PermittedActivity(ActivityKind.OUTDOOR),
        ),
    )
    journey = add_journey(container, clinic.tenant_id, "Strong", plan)
    squats = _tile_of_type(clinic, "Chair squats", ["strength", "mobility"])
    walk = _tile_of_type(clinic, "Brisk walk", ["aerobic"])
    ama = clinic.member()
    # Enrolled Wednesday 25 Feb 2026: week 1 is 2–8 March.
    enrolment_id = _enrol(clinic, ama, journey, _london(date(2026, 2, 25)))
    # Monday: a Tile of a strength profile: a strength day.
    _record(clinic, ama, date(2026, 3, 2), MovementKind.TILE, {"tile_id": squats})
    # Tuesday: an aerobic Tile: not.
    _record(clinic, ama, date(2026, 3, 3), MovementKind.TILE, {"tile_id": walk})
    # Wednesday: an imported strength workout: a strength day.
    _record(clinic, ama, date(2026, 3, 4), MovementKind.OUTDOOR, {"activity_type": "strength"})
    # Thursday: an imported run: not. Friday: a class with no strength session type: not.
    _record(clinic, ama, date(2026, 3, 5), MovementKind.OUTDOOR, {"activity_type": "run"})
    _record(clinic, ama, date(2026, 3, 6), MovementKind.ATTENDANCE, {})
    _rollup(container, _london(date(2026, 3, 10)))
    (week,) = _weeks(container, enrolment_id)
    # 2 strength days (Monday, Wednesday) of 3: dose 2/3 = 0.6667, not met.
    assert week.strength_days == 2
    assert week.dose == 0.6667
    assert not week.met
