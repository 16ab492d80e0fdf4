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
from tests.fakes.payments import FakePayments
from tests.integration.helpers import Api
from tests.integration.test_migration_in import (
    BOOKINGS,
    BOOKINGS_MAP,
    MEMBERS,
    MEMBERS_MAP,
    MEMBERSHIPS,
    MEMBERSHIPS_MAP,
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
