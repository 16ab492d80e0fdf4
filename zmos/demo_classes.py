"""Demo classes: session types, instructors, two weeks of recurring classes at both
locations, class regulars, and bookings (some classes full, with a waitlist)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

from server.bookings import booking_service
from server.bootstrap import Container
from server.members import service as members_service
from server.members.schemas import MemberCreate
from server.plans import membership_service
from server.plans.schemas import MembershipCreate
from server.scheduling import series, sessions
from server.scheduling import service as scheduling_service
from server.scheduling.repository import SessionFilter
from server.scheduling.schemas import (
    InstructorsUpdate,
    ScheduleCreate,
    SessionRead,
    SessionTypeCreate,
)
from server.staff import service as staff_service
from server.staff.schemas import StaffCreate
from shared.clock import utcnow
from shared.enums import Intensity, SessionKind, StaffRole
from zmos.demo_data import PASSWORD, DemoTenant
from zmos.demo_members import SeededMembers

COACH = "coach@demo-fitness.example"
MANAGER = "manager@demo-fitness.example"
LONDON_COACH = "london.coach@demo-fitness.example"

#: Class regulars who fill the small classes: (first, last, home location).
REGULARS = [
    ("Abena", "Quaye", "Osu Studio"),
    ("Kofi", "Annan", "Osu Studio"),
    ("Efia", "Sarpong", "Osu Studio"),
    ("Nii", "Lamptey", "Osu Studio"),
    ("Akua", "Frimpong", "Osu Studio"),
    ("Fiifi", "Baidoo", "Osu Studio"),
    ("Harriet", "Cole", "Shoreditch Club"),
    ("Tom", "Okafor", "Shoreditch Club"),
    ("Priya", "Shah", "Shoreditch Club"),
]


@dataclass(frozen=True)
class DemoType:
    key: str
    fields: dict[str, object]


TYPES = [
    DemoType(
        "hiit",
        {
            "name": "HIIT Express",
            "kind": SessionKind.CLASS,
            "category": "HIIT",
            "duration_minutes": 45,
            "default_capacity": 12,
            "intensity": Intensity.VIGOROUS,
            "primary_goal": "cardiovascular fitness",
            "contraindications": ["uncontrolled hypertension", "recent joint surgery"],
            "suggested_per_week": 2,
        },
    ),
    DemoType(
        "yoga",
        {
            "name": "Vinyasa Yoga",
            "kind": SessionKind.CLASS,
            "category": "yoga",
            "duration_minutes": 60,
            "default_capacity": 16,
            "intensity": Intensity.MODERATE,
            "primary_goal": "mobility and balance",
            "suggested_per_week": 2,
        },
    ),
    DemoType(
        "pilates",
        {
            "name": "Reformer Pilates",
            "kind": SessionKind.CLASS,
            "category": "pilates",
            "duration_minutes": 50,
            "default_capacity": 4,
            "intensity": Intensity.MODERATE,
            "primary_goal": "core strength",
            "suggested_per_week": 2,
        },
    ),
    DemoType(
        "strength",
        {
            "name": "Strength Foundations",
            "kind": SessionKind.CLASS,
            "category": "strength",
            "duration_minutes": 60,
            "default_capacity": 10,
            "intensity": Intensity.HIGH,
            "primary_goal": "muscular strength",
            "suggested_per_week": 3,
        },
    ),
    DemoType(
        "pt",
        {
            "name": "Personal training",
            "kind": SessionKind.PERSONAL_TRAINING,
            "category": "personal training",
            "duration_minutes": 60,
            "default_capacity": 1,
            "requires_approval": True,
            "intensity": Intensity.HIGH,
            "primary_goal": "individual programme",
        },
    ),
    DemoType(
        "run",
        {
            "name": "Saturday Run Club",
            "kind": SessionKind.EVENT,
            "category": "outdoor",
            "duration_minutes": 90,
            "default_capacity": 30,
            "intensity": Intensity.MODERATE,
            "primary_goal": "endurance",
            "suggested_per_week": 1,
        },
    ),
]

#: (location, type, ISO weekdays, local start, instructor email)
SERIES = [
    ("Osu Studio", "hiit", [1, 3, 5], time(7, 0), COACH),
    ("Osu Studio", "hiit", [1, 2, 3, 4, 5], time(18, 0), COACH),
    ("Osu Studio", "yoga", [2, 4, 6], time(9, 30), MANAGER),
    ("Osu Studio", "pilates", [1, 2, 3, 4, 5, 6, 7], time(17, 30), MANAGER),
    ("Osu Studio", "strength", [1, 3, 5], time(12, 0), COACH),
    ("Osu Studio", "run", [6], time(7, 0), COACH),
    ("Shoreditch Club", "hiit", [1, 3, 5], time(7, 0), LONDON_COACH),
    ("Shoreditch Club", "yoga", [2, 4, 7], time(10, 0), LONDON_COACH),
    ("Shoreditch Club", "pilates", [1, 2, 3, 4, 5], time(19, 0), LONDON_COACH),
]


def seed_classes(container: Container, tenant: DemoTenant, members: SeededMembers) -> None:
    claims = tenant.owner_claims()
    london_coach = staff_service.create_staff(
        uow=container.uow(),
        identity=container.identity,
        claims=claims,
        cmd=StaffCreate(
            name="Grace Whitfield",
            email=LONDON_COACH,
            role=StaffRole.COACH,
            password=PASSWORD,
            home_location_id=tenant.locations["Shoreditch Club"],
        ),
    )
    staff = {**tenant.staff, LONDON_COACH: london_coach.id}
    types: dict[str, uuid.UUID] = {}
    for demo_type in TYPES:
        created = scheduling_service.create_session_type(
            uow=container.uow(),
            claims=claims,
            cmd=SessionTypeCreate.model_validate(demo_type.fields),
        )
        types[demo_type.key] = created.id
        leaders = {email for _l, key, _d, _t, email in SERIES if key == demo_type.key}
        leaders = leaders or {COACH}
        scheduling_service.set_instructors(
            uow=container.uow(),
            claims=claims,
            session_type_id=created.id,
            cmd=InstructorsUpdate(staff_ids=[staff[email] for email in sorted(leaders)]),
        )
    for location, key, weekdays, start, instructor in SERIES:
        zone = ZoneInfo("Africa/Accra" if location == "Osu Studio" else "Europe/London")
        today = utcnow().astimezone(zone).date()
        series.create_schedule(
            uow=container.uow(),
            claims=claims,
            cmd=ScheduleCreate(
                location_id=tenant.locations[location],
                session_type_id=types[key],
                instructor_id=staff[instructor],
                weekdays=weekdays,
                local_start=start,
                starts_on=today,
                ends_on=today + timedelta(days=13),
            ),
        )
    regulars = _regulars(container, tenant, members)
    _book(container, tenant, types, members, regulars)


def _regulars(
    container: Container, tenant: DemoTenant, members: SeededMembers
) -> dict[str, list[uuid.UUID]]:
    claims = tenant.owner_claims()
    by_location: dict[str, list[uuid.UUID]] = {}
    for number, (first, last, location) in enumerate(REGULARS, start=1):
        member = members_service.create_member(
            uow=container.uow(),
            claims=claims,
            cmd=MemberCreate(
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower()}@members.example",
                card_number=f"2000{number:02d}",
                home_location_id=tenant.locations[location],
            ),
        )
        membership_service.create_membership(
            uow=container.uow(),
            claims=claims,
            member_id=member.id,
            cmd=MembershipCreate.model_validate(
                {"plan_id": members.monthly_plan_id, "starts_on": date.today() - timedelta(days=30)}
            ),
        )
        by_location.setdefault(location, []).append(member.id)
    return by_location


def _next(
    container: Container, tenant: DemoTenant, location: str, type_id: uuid.UUID
) -> list[SessionRead]:
    page = sessions.list_sessions(
        uow=container.uow(),
        claims=tenant.owner_claims(),
        f=SessionFilter(
            location_id=tenant.locations[location],
            session_type_id=type_id,
            starts_after=utcnow() + timedelta(minutes=30),
        ),
        limit=3,
        offset=0,
    )
    return page.items


def _book(
    container: Container,
    tenant: DemoTenant,
    types: dict[str, uuid.UUID],
    members: SeededMembers,
    regulars: dict[str, list[uuid.UUID]],
) -> None:
    claims = tenant.owner_claims()

    def book(session: SessionRead, member_id: uuid.UUID) -> None:
        booking_service.book(
            uow=container.uow(),
            eligibility=container.eligibility,
            claims=claims,
            session_id=session.id,
            member_id=member_id,
        )

    # The next two Reformer Pilates classes at Osu (4 places): full, two on the waitlist.
    for pilates in _next(container, tenant, "Osu Studio", types["pilates"])[:2]:
        for member_id in regulars["Osu Studio"]:
            book(pilates, member_id)
    # The next HIIT: Akosua (monthly plan).
    book(_next(container, tenant, "Osu Studio", types["hiit"])[0], members.ids["Akosua"])
    # Yaw's 10-class pack pays for his yoga: a credit is taken when he books.
    book(_next(container, tenant, "Osu Studio", types["yoga"])[0], members.ids["Yaw"])
    # Shoreditch: Esi (Shoreditch-only plan) and the London regulars fill a pilates class.
    london = _next(container, tenant, "Shoreditch Club", types["pilates"])[0]
    for member_id in [members.ids["Esi"], *regulars["Shoreditch Club"]]:
        book(london, member_id)
