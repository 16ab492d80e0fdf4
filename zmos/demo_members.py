"""Demo members with every kind of door decision, their plans, passes and cards."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from PIL import Image
from sqlalchemy import update

from server.bootstrap import Container
from server.checkin import service as checkin_service
from server.checkin.schemas import CheckinCreate
from server.members import alerts as member_alerts
from server.members import service as members_service
from server.members.models import Member
from server.members.schemas import MemberAlertCreate, MemberCreate, MemberUpdate
from server.passes import service as passes_service
from server.passes.schemas import PassCreate
from server.plans import membership_service
from server.plans import service as plans_service
from server.plans.schemas import MembershipCreate, MembershipFreeze, PlanCreate
from shared.clock import utcnow
from shared.door_rules import DEFAULT_REENTRY_MINUTES
from shared.enums import CheckinMethod, LimitMode, LimitPeriod, LocationRule, PlanKind
from zmos.demo_data import PASSWORD, DemoTenant


@dataclass(frozen=True)
class DemoMember:
    first: str
    last: str
    card: str
    phone: str
    story: str


MEMBERS = [
    DemoMember(
        "Akosua",
        "Darko",
        "100001",
        "+233 20 100 0001",
        "monthly, active: admitted, with her photo, a birthday and two desk alerts",
    ),
    DemoMember("Kwabena", "Asare", "100002", "+233 20 100 0002", "frozen for two weeks: refused"),
    DemoMember("Adjoa", "Boateng", "100003", "+233 20 100 0003", "expired 10 days ago: refused"),
    DemoMember(
        "Yaw",
        "Mensah",
        "100004",
        "+233 20 100 0004",
        "10-class pack: admitted, a credit used, credits left shown",
    ),
    DemoMember("Esi", "Ofori", "100005", "+233 20 100 0005", "Shoreditch only: refused at Osu"),
    DemoMember("Kojo", "Appiah", "100006", "+233 20 100 0006", "off-peak, 8 visits used: refused"),
    DemoMember("Ama", "Serwaa", "100007", "+233 20 100 0007", "no membership: refused"),
]


#: What the desk should know about Akosua when she arrives (shown to staff only).
AKOSUA_ALERTS = ("waiver missing", "balance due: GHS 50")


def _admission_card_extras(
    container: Container, tenant: DemoTenant, member_id: uuid.UUID, today: date
) -> None:
    """A photo, a birthday today and staff alerts, so the admission card shows them all."""
    claims = tenant.owner_claims()
    members_service.update_member(
        uow=container.uow(),
        claims=claims,
        member_id=member_id,
        # A leap year holds every day of the year, 29 February included.
        cmd=MemberUpdate(date_of_birth=today.replace(year=1992)),
    )
    picture = io.BytesIO()
    Image.new("RGB", (240, 240), (214, 140, 69)).save(picture, "JPEG", quality=85)
    members_service.set_photo(
        uow=container.uow(),
        claims=claims,
        member_id=member_id,
        data=picture.getvalue(),
        content_type="image/jpeg",
    )
    for text in AKOSUA_ALERTS:
        member_alerts.add_alert(
            uow=container.uow(),
            claims=claims,
            member_id=member_id,
            cmd=MemberAlertCreate(text=text),
        )


#: The demo member who signs in to the member app (with the demo's password).
APP_MEMBER = "akosua@members.example"


def _signs_in(container: Container, tenant: DemoTenant, member_id: uuid.UUID) -> None:
    """A password and a confirmed email, as if she had signed up in the member app."""
    with container.uow() as uow:
        uow.db.execute(
            update(Member)
            .where(Member.tenant_id == tenant.tenant_id, Member.id == member_id)
            .values(
                password_hash=container.identity.hash_password(PASSWORD),
                email_verified_at=utcnow(),
            )
        )
        uow.commit()


def _plan(container: Container, tenant: DemoTenant, **fields: object) -> str:
    plan = plans_service.create_plan(
        uow=container.uow(), claims=tenant.owner_claims(), cmd=PlanCreate.model_validate(fields)
    )
    return str(plan.id)


@dataclass(frozen=True)
class SeededMembers:
    #: Member ids by first name.
    ids: dict[str, uuid.UUID]
    monthly_plan_id: str
    pack_plan_id: str


def seed_members(container: Container, tenant: DemoTenant, passes_dir: Path) -> SeededMembers:
    claims = tenant.owner_claims()
    osu, shoreditch = tenant.locations["Osu Studio"], tenant.locations["Shoreditch Club"]
    cedi = {"currency": "GHS"}
    monthly = _plan(
        container,
        tenant,
        name="Monthly unlimited",
        kind=PlanKind.RECURRING,
        billing_period="month",
        price=Decimal("350.00"),
        **cedi,
    )
    _plan(
        container,
        tenant,
        name="Annual",
        kind=PlanKind.RECURRING,
        billing_period="year",
        price=Decimal("3500.00"),
        **cedi,
    )
    pack = _plan(
        container,
        tenant,
        name="10-class pack",
        kind=PlanKind.CLASS_PACK,
        credits=10,
        validity_days=90,
        price=Decimal("400.00"),
        **cedi,
    )
    _plan(
        container, tenant, name="Day pass", kind=PlanKind.DAY_PASS, price=Decimal("60.00"), **cedi
    )
    _plan(
        container,
        tenant,
        name="Guest pass",
        kind=PlanKind.GUEST_PASS,
        price=Decimal("40.00"),
        **cedi,
    )
    london = _plan(
        container,
        tenant,
        name="Shoreditch only",
        kind=PlanKind.RECURRING,
        billing_period="month",
        price=Decimal("45.00"),
        currency="GBP",
        location_rule=LocationRule.LISTED,
        location_ids=[shoreditch],
    )
    off_peak = _plan(
        container,
        tenant,
        name="Off-peak, 8 a month",
        kind=PlanKind.RECURRING,
        billing_period="month",
        price=Decimal("200.00"),
        visit_limit=8,
        visit_limit_period=LimitPeriod.MONTH,
        visit_limit_mode=LimitMode.BLOCK,
        **cedi,
    )
    today = date.today()
    memberships = {
        "Akosua": (monthly, today - timedelta(days=20), None),
        "Kwabena": (monthly, today - timedelta(days=40), None),
        "Adjoa": (monthly, today - timedelta(days=70), today - timedelta(days=10)),
        "Yaw": (pack, today - timedelta(days=5), None),
        "Esi": (london, today - timedelta(days=3), None),
        "Kojo": (off_peak, today.replace(day=1), None),
    }
    passes_dir.mkdir(parents=True, exist_ok=True)
    ids: dict[str, uuid.UUID] = {}
    for person in MEMBERS:
        member = members_service.create_member(
            uow=container.uow(),
            claims=claims,
            cmd=MemberCreate(
                first_name=person.first,
                last_name=person.last,
                phone=person.phone,
                email=f"{person.first.lower()}@members.example",
                card_number=person.card,
                barcode=f"ZM-{person.card}",
                home_location_id=osu,
            ),
        )
        ids[person.first] = member.id
        if person.first == "Akosua":
            _admission_card_extras(container, tenant, member.id, today)
            _signs_in(container, tenant, member.id)
        if person.first in memberships:
            plan_id, starts, ends = memberships[person.first]
            membership = membership_service.create_membership(
                uow=container.uow(),
                claims=claims,
                member_id=member.id,
                cmd=MembershipCreate.model_validate(
                    {"plan_id": plan_id, "starts_on": starts, "ends_on": ends}
                ),
            )
            if person.first == "Kwabena":
                membership_service.freeze(
                    uow=container.uow(),
                    claims=claims,
                    membership_id=membership.id,
                    cmd=MembershipFreeze(until=today + timedelta(days=14)),
                )
        if person.first == "Kojo":
            for at in _visits_this_month(8):
                checkin_service.check_in(
                    uow=container.uow(),
                    eligibility=container.eligibility,
                    claims=claims,
                    cmd=CheckinCreate(
                        member_id=member.id,
                        location_id=osu,
                        method=CheckinMethod.CARD,
                        occurred_at=at,
                    ),
                )
        issued = passes_service.issue_pass(
            uow=container.uow(),
            settings=container.settings,
            claims=claims,
            member_id=member.id,
            cmd=PassCreate(valid_days=365),
        )
        assert issued.token is not None
        png = passes_service.render_png(issued.token)
        (passes_dir / f"{person.first.lower()}-{person.last.lower()}.png").write_bytes(png)
    return SeededMembers(ids=ids, monthly_plan_id=monthly, pack_plan_id=pack)


def _visits_this_month(count: int) -> list[datetime]:
    """Times of ``count`` separate visits earlier this month (Accra is on UTC), each more
    than the re-entry window after the one before and the last that long before now, so
    that each is a visit and a check-in now is not a re-entry. Early in the month there is
    less room: they are then spread over what there is."""
    now = utcnow().replace(microsecond=0)
    month_start = now.replace(day=1, hour=0, minute=0, second=0)
    gap = timedelta(minutes=DEFAULT_REENTRY_MINUTES + 1)
    if now - gap * count < month_start:
        gap = (now - month_start) / (count + 1)
    return [now - gap * (count - i) for i in range(count)]
