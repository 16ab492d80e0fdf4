"""Migration in, what the imported history does afterwards: attended bookings in the
movement ledger, imported memberships renewing, existing members linked by email."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from server.bootstrap import Container
from server.engagement import projection
from server.engagement.models import MemberEngagement, MovementEvent
from server.members.models import Member
from server.migration_in.models import MigrationKey
from server.plans import renewals
from server.plans.models import Membership
from server.scheduling.models import ClassSession, Schedule
from tests.fakes.payments import FakePayments
from tests.integration.helpers import Api
from tests.integration.test_migration_in import (
    BOOKINGS,
    BOOKINGS_MAP,
    MEMBERS,
    MEMBERS_MAP,
    MEMBERSHIPS,
    MEMBERSHIPS_MAP,
    TYPES,
    TYPES_MAP,
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


def test_an_imported_recurring_membership_renews_on_its_anniversary_and_an_ended_one_never(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-renew")
    _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    today = date.today()
    # K1 began 40 days ago on the monthly plan: its first renewal (start + 1 month, at most
    # 31 days) has begun by today, the second (start + 2 months, at least 59 days) has not:
    # 2 periods billed by the other system, next renewal start + 2 months.
    started = today - timedelta(days=40)
    # K2 ended yesterday; K3 was cancelled with no end date: neither renews.
    ended = (today - timedelta(days=1), today - timedelta(days=100))
    csv = (
        "Contract,Member,Product,From,Until,State\n"
        f"K1,C1,Monthly unlimited,{started:%d/%m/%Y},,\n"
        f"K2,C2,Monthly unlimited,{ended[1]:%d/%m/%Y},{ended[0]:%d/%m/%Y},\n"
        f"K3,C3,Monthly unlimited,{started:%d/%m/%Y},,cancelled\n"
    )
    mapping = MEMBERSHIPS_MAP | {"State": "status"}
    assert _ok(_import(api, tenant, "memberships", csv, mapping))["counts"]["created"] == 3
    renews = started + relativedelta(months=2)
    with container.uow() as uow:
        rows = {
            m.status: (m.periods_billed, m.next_renewal_on, m.next_charge_on)
            for m in uow.db.execute(select(Membership)).scalars()
        }
    assert rows == {
        "active": (2, renews, renews),
        "expired": (None, None, None),
        "cancelled": (None, None, None),
    }

    payments = FakePayments()
    early = renewals.renew_due(
        make_uow=container.uow, payments=payments, today=renews - timedelta(days=1)
    )
    assert early.charged == 0
    run = renewals.renew_due(make_uow=container.uow, payments=payments, today=renews)
    assert run.charged == 1 and len(payments.charges) == 1
    (charge,) = payments.charges.values()
    assert f"renewal from {renews.isoformat()}" in charge.description
    # A re-run of the same file leaves the renewed membership alone.
    _ok(_import(api, tenant, "memberships", csv, mapping))
    with container.uow() as uow:
        active = uow.db.execute(
            select(Membership).where(Membership.status == "active")
        ).scalar_one()
        assert active.periods_billed == 3


def test_an_existing_member_with_the_same_email_is_linked_when_asked_and_keeps_their_values(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-link")
    created = api.client.post(
        "/members",
        json={"first_name": "Old", "last_name": "Timer", "email": "ama@x.example"},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    ama_id = created.json()["id"]
    # Without the flag, the old refusal stays.
    refused = _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    assert not refused["applied"] and refused["counts"]["error"] == 1

    linked = _ok(
        _import(api, tenant, "members", MEMBERS, MEMBERS_MAP, link_existing_by_email="true")
    )
    assert linked["applied"] and linked["counts"] == {
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "error": 0,
    }
    assert linked["rows"][0]["message"] == "linked to the existing member with this email"
    member = api.client.get(f"/members/{ama_id}", headers=tenant.headers).json()
    # Their own names stay; the phone and birthday they lacked come from the file.
    assert (member["first_name"], member["last_name"]) == ("Old", "Timer")
    assert (member["phone"] is not None, member["date_of_birth"]) == (True, "1990-01-31")
    with container.uow() as uow:
        assert len(list(uow.db.execute(select(Member)).scalars())) == 3
        key = uow.db.execute(
            select(MigrationKey).where(MigrationKey.external_id == "C1")
        ).scalar_one()
        assert str(key.zmos_id) == ama_id

    # The source id now names her: her membership and booking history follow, and a second
    # run changes nothing.
    again = _ok(
        _import(api, tenant, "members", MEMBERS, MEMBERS_MAP, link_existing_by_email="true")
    )
    assert again["counts"]["unchanged"] == 3
    result = _ok(_import(api, tenant, "memberships", MEMBERSHIPS, MEMBERSHIPS_MAP))
    assert result["counts"]["created"] == 2
    with container.uow() as uow:
        owners = set(uow.db.execute(select(Membership.member_id)).scalars())
        assert uuid.UUID(ama_id) in owners


def test_a_member_already_linked_to_another_record_of_the_system_is_not_linked_twice(
    api: Api,
) -> None:
    tenant = _setup(api, "mig-link-twice")
    _ok(_import(api, tenant, "members", MEMBERS, MEMBERS_MAP))
    # C9 names Ama's email, but Ama is C1 of this system already: still a clash.
    other = "ID,First,Last,Mail\nC9,Ama,Again,ama@x.example\n"
    mapping = {"ID": "external_id", "First": "first_name", "Last": "last_name", "Mail": "email"}
    result = _ok(_import(api, tenant, "members", other, mapping, link_existing_by_email="true"))
    assert not result["applied"]
    assert [r["message"] for r in result["rows"]] == [
        "there is already a member with the email ama@x.example"
    ]


# Two weeks of 2030 from Monday 4 March to Sunday 17 March: Mon/Wed makes 4 sessions
# (4, 6, 11, 13 March), Sunday 2 (10, 17 March). The 2020 slot is all past: a series with
# no session (its history comes with the dated sessions' file).
SLOTS = (
    "Slot;Type;Day;Time;From;Until;Room\n"
    "W1;T1;Mon/Wed;07:00;04/03/2030;17/03/2030;Studio 1\n"
    "W2;T2;Sunday;18:30;04/03/2030;17/03/2030;\n"
    "W3;T2;Tue;12:00;06/01/2020;02/02/2020;\n"
)
SLOTS_MAP = {
    "Slot": "external_id",
    "Type": "class_type",
    "Day": "weekday",
    "Time": "start_time",
    "From": "starts_on",
    "Until": "ends_on",
    "Room": "room",
}


def test_weekly_slots_import_as_series_with_their_future_sessions(
    api: Api, container: Container
) -> None:
    tenant = _setup(api, "mig-slots")
    _ok(_import(api, tenant, "class_types", TYPES, TYPES_MAP))
    suggested = api.client.post(
        "/migration-in/schedules/mapping",
        content=SLOTS.encode(),
        headers={**tenant.headers, "content-type": "text/csv"},
    )
    assert _ok(suggested)["mapping"]["Day"] == "weekday"
    result = _ok(_import(api, tenant, "schedules", SLOTS, SLOTS_MAP))
    assert result["applied"] and result["counts"]["created"] == 3
    with container.uow() as uow:
        rows = {s.room or str(s.weekdays): s for s in uow.db.execute(select(Schedule)).scalars()}
        spin = rows["Studio 1"]
        assert (spin.weekdays, spin.local_start.hour, spin.capacity) == ([1, 3], 7, 2)
        sessions = list(uow.db.execute(select(ClassSession)).scalars())
        by_series = {
            s.id: sorted(
                x.occurrence_date.day
                for x in sessions
                if x.schedule_id == s.id and x.occurrence_date
            )
            for s in rows.values()
        }
        assert by_series[spin.id] == [4, 6, 11, 13]
        assert by_series[rows["[7]"].id] == [10, 17]
        assert by_series[rows["[2]"].id] == []
        # 07:00 in London on 4 March (GMT) is 07:00 UTC.
        first = min((x for x in sessions if x.schedule_id == spin.id), key=lambda x: x.starts_at)
        assert (first.starts_at.hour, first.room) == (7, "Studio 1")

    again = _ok(_import(api, tenant, "schedules", SLOTS, SLOTS_MAP))
    assert again["counts"]["unchanged"] == 3
    moved = SLOTS.replace("Mon/Wed;07:00", "Mon/Wed;08:00") + "W4;T1;Funday;07:00;;;\n"
    refused = _ok(_import(api, tenant, "schedules", moved, SLOTS_MAP))
    assert not refused["applied"]
    assert [(r["line"], r["message"]) for r in refused["rows"] if r["outcome"] == "error"] == [
        (
            2,
            "this slot was imported already as a series and has changed since: edit the "
            "series in Schedule (its booked members are told)",
        ),
        (
            5,
            "weekday 'Funday' is not a day of the week (Mon … Sun or 1 … 7); "
            "'' is not a date (dd/mm/yyyy)",
        ),
    ]
