"""The weekly roll-up of enrolments against the ledger, on hand-worked examples."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from sqlalchemy import select

from server.bootstrap import Container
from server.journeys import adherence, service
from server.journeys.models import JourneyEnrolment, JourneyEnrolmentWeek
from server.ports.identity import AccessClaims
from shared.carepath.enrolment import EnrolmentStatus
from shared.carepath.plans import JourneyPlan, WeekTarget
from shared.enums import MovementKind, PrincipalKind
from shared.movement import MovementIntensity
from tests.integration.helpers import Api
from tests.integration.journey_rows import LONDON, Clinic, add_journey, open_clinic
from tests.integration.outbox_helpers import OutboxEvents
from zmos import cli


def _london(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON).astimezone(UTC)


def _member_claims(clinic: Clinic, member_id: str) -> AccessClaims:
    return AccessClaims(
        kind=PrincipalKind.MEMBER,
        subject_id=uuid.UUID(member_id),
        tenant_id=uuid.UUID(clinic.tenant_id),
    )


def _enrol(clinic: Clinic, member_id: str, journey_id: str, on: datetime) -> uuid.UUID:
    read, _ = service.enrol(
        clinic.container.uow(),
        clinic.container.enrolment_gate,
        _member_claims(clinic, member_id),
        member_id=uuid.UUID(member_id),
        template_id=uuid.UUID(journey_id),
        starts_on=None,
        now=on,
    )
    return read.id


def _rollup(container: Container, on: datetime) -> OutboxEvents:
    events = OutboxEvents(container)
    adherence.rollup_all(container.uow, now=lambda: on)
    return events


def _weeks(container: Container, enrolment_id: uuid.UUID) -> list[JourneyEnrolmentWeek]:
    with container.uow() as uow:
        return list(
            uow.db.scalars(
                select(JourneyEnrolmentWeek)
                .where(JourneyEnrolmentWeek.enrolment_id == enrolment_id)
                .order_by(JourneyEnrolmentWeek.week)
            )
        )


def _enrolment(container: Container, enrolment_id: uuid.UUID) -> JourneyEnrolment:
    with container.uow() as uow:
        row = uow.db.scalars(
            select(JourneyEnrolment).where(JourneyEnrolment.id == enrolment_id)
        ).one()
        uow.db.expunge(row)
        return row


def test_a_four_week_journey_with_a_paused_week_and_a_vigorous_class(
    api: Api, container: Container
) -> None:
    clinic = open_clinic(api, container, "rollup")
    ama = clinic.member()
    # Enrolled on Wednesday 25 Feb 2026: it starts the coming Monday, 2 March.
    enrolment_id = _enrol(clinic, ama, clinic.journey_id, _london(date(2026, 2, 25)))
    vigorous, light = MovementIntensity.VIGOROUS, MovementIntensity.LIGHT
    # Week 1 (2–8 Mar): 30 vigorous (= 60) + 40 moderate = 100 minutes, 2 classes: met.
    clinic.move(ama, date(2026, 3, 3), minutes=30, intensity=vigorous)
    clinic.move(ama, date(2026, 3, 5), minutes=40)
    # A light Tile: no minutes, no session, but an activity toward the habit point.
    clinic.move(ama, date(2026, 3, 6), minutes=20, intensity=light, kind=MovementKind.TILE)
    assert _rollup(container, _london(date(2026, 3, 8))).names() == []  # started, no week closed
    assert _enrolment(container, enrolment_id).status == EnrolmentStatus.ACTIVE
    # Week 2 (9–15 Mar): paused from Monday to the next Monday; a class in it is left out.
    claims = _member_claims(clinic, ama)
    service.move(
        container.uow(),
        claims,
        enrolment_id,
        EnrolmentStatus.PAUSED,
        "flu",
        _london(date(2026, 3, 9), 9),
    )
    clinic.move(ama, date(2026, 3, 10), minutes=30)
    service.move(
        container.uow(),
        claims,
        enrolment_id,
        EnrolmentStatus.ACTIVE,
        "",
        _london(date(2026, 3, 16), 8),
    )
    # Week 3 (16–22 Mar): raised from met week 1: ceil(100 × 1.2) = 120 minutes (cap 150).
    # 60 moderate minutes in 1 class: (60/120 + 1/2) / 2 = 0.5. A gym-floor visit does not
    # count: the journey permits classes, Tiles and outdoor activity only.
    clinic.move(ama, date(2026, 3, 18), minutes=60)
    clinic.move(ama, date(2026, 3, 19), minutes=60, kind=MovementKind.FLOOR_CHECKIN)
    # Week 4 (23–29 Mar): week 3 missed, so no raise: 100 minutes, 2 sessions. 90 outdoor
    # + a 20-minute Tile = 110 minutes (capped 1), 1 session of 2 (Tiles are not sessions):
    # (1 + 0.5) / 2 = 0.75.
    clinic.move(ama, date(2026, 3, 24), minutes=90, kind=MovementKind.OUTDOOR)
    clinic.move(ama, date(2026, 3, 26), minutes=20, kind=MovementKind.TILE)

    events = _rollup(container, _london(date(2026, 3, 31)))

    weeks = _weeks(container, enrolment_id)
    assert [w.target["minutes"] for w in weeks] == [100, 120, 120, 100]
    assert [(w.minutes, w.sessions, w.tiles) for w in weeks] == [
        (100, 2, 1),
        (30, 1, 0),
        (60, 1, 0),
        (110, 1, 1),
    ]
    assert [w.paused for w in weeks] == [False, True, False, False]
    assert [w.dose for w in weeks][2:] == [0.5, 0.75]
    assert [w.met for w in weeks] == [True, False, False, False]
    row = _enrolment(container, enrolment_id)
    # Adherence: weeks 1, 3 and 4 (week 2 paused): (1 + 0.5 + 0.75) / 3 = 0.75.
    assert row.adherence == 0.75
    assert row.weeks_met == 1
    # Habit point, 4 activities in weeks 1–2: 3 Mar, 5 Mar, 6 Mar (the Tile), 10 Mar.
    assert row.habit_point_on == date(2026, 3, 10)
    assert row.status == EnrolmentStatus.COMPLETED
    assert row.ended_on == date(2026, 3, 29)
    assert sorted(events.names()) == sorted(
        ["journey.week_closed"] * 4 + ["journey.habit_point", "journey.completed"]
    )
    closed = [e.data for e in events.events if e.name == "journey.week_closed"]
    assert {"enrolment_id", "member_id", "week", "dose", "met", "paused"} == set(closed[0])
    # Once only: a second run (another process, or the next interval) publishes nothing.
    assert _rollup(container, _london(date(2026, 3, 31), 13)).names() == []


def test_a_met_week_2_raises_week_3_again_up_to_the_cap(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "raise")
    ama = clinic.member()
    enrolment_id = _enrol(clinic, ama, clinic.journey_id, _london(date(2026, 2, 25)))
    for day, minutes in ((date(2026, 3, 2), 50), (date(2026, 3, 3), 50)):
        clinic.move(ama, day, minutes=minutes)
    for day, minutes in ((date(2026, 3, 9), 60), (date(2026, 3, 10), 60)):
        clinic.move(ama, day, minutes=minutes)
    _rollup(container, _london(date(2026, 3, 17)))
    # Week 1 met (100/100, 2/2): week 2 = 120. Week 2 met (120/120, 2/2): week 3 =
    # ceil(120 × 1.2) = 144, under the cap of 150.
    assert [w.target["minutes"] for w in _weeks(container, enrolment_id)] == [100, 120, 144]


def test_a_daylight_saving_week_counts_on_london_dates(api: Api, container: Container) -> None:
    clinic = open_clinic(api, container, "dst")
    plan = JourneyPlan(weeks=(WeekTarget(1, sessions=1), WeekTarget(2, sessions=1)))
    journey = add_journey(container, clinic.tenant_id, "Clocks", plan)
    ama = clinic.member()
    # Enrolled Wednesday 18 Mar: week 1 is 23–29 Mar (the clocks go forward on the 29th).
    enrolment_id = _enrol(clinic, ama, journey, _london(date(2026, 3, 18)))
    # 23:30 on Sunday 29 Mar in London (BST) is 22:30 UTC: week 1.
    clinic.move(ama, date(2026, 3, 29), at=time(23, 30))
    # 00:30 on Monday 30 Mar in London is 23:30 UTC on the 29th: still week 2 by local date.
    clinic.move(ama, date(2026, 3, 30), at=time(0, 30))
    clinic.move(ama, date(2026, 3, 30), at=time(0, 45))
    _rollup(container, _london(date(2026, 4, 1)))
    weeks = _weeks(container, enrolment_id)
    assert [w.sessions for w in weeks] == [1, 2]
    assert [w.met for w in weeks] == [True, True]


def test_zmos_journeys_rollup_runs_the_roll_up_now(
    api: Api,
    container: Container,
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    clinic = open_clinic(api, container, "cli-rollup")
    ama = clinic.member()
    # From February 2026: every week has ended, so the run starts it, closes its 4 weeks
    # and completes it: 5 events.
    enrolment_id = _enrol(clinic, ama, clinic.journey_id, _london(date(2026, 2, 25)))
    monkeypatch.setenv("ZMOS_DATABASE_URL", db_url)
    monkeypatch.setenv("ZMOS_DATA_DIR", str(tmp_path / "cli"))
    monkeypatch.setenv("ZMOS_SECRET_KEY", "test-secret-key-for-signing-tokens-0123456789")
    assert cli.main(["journeys", "rollup"]) == 0
    assert "journeys rolled up: 5 events recorded for delivery" in capsys.readouterr().out
    assert len(_weeks(container, enrolment_id)) == 4
    assert _enrolment(container, enrolment_id).status == EnrolmentStatus.COMPLETED
