"""What the console's Members pages show and do, gathered from the services the API's member,
plan, sale, pass, check-in, booking and penalty routes call, with the same claims. Every
function runs in a worker thread; each one that names a member first opens that member as
the API would (tenant, role and the caller's locations), so an id from elsewhere is a 404."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from server.api.deps import Services
from server.bookings import policy_service
from server.bookings.schemas import PenaltyRead
from server.checkin import service as checkin_service
from server.checkin.schemas import CheckinRead
from server.coaching import service as coaching
from server.coaching.schemas import LeadCoachRead
from server.errors import NotFound
from server.me import service as me_service
from server.me.schemas import MyBooking, MyMembership
from server.members import alerts, service
from server.members.schemas import MemberAlertCreate, MemberAlertRead, MemberRead, MemberUpdate
from server.passes import service as passes
from server.passes.schemas import PassCreate, PassRead, PassRevoke
from server.payments import service as payments
from server.payments.schemas import CardOnFileRead
from server.plans import membership_service, sales_service
from server.plans import service as plans_service
from server.plans.schemas import MembershipCancel, MembershipFreeze, PlanRead, SaleCreate
from server.ports.identity import AccessClaims
from server.sales import service as sales_ledger
from server.sales.repository import SaleFilter
from server.sales.schemas import RefundLine, SaleRecord
from server.staff import service as staff_service
from server.tenants import service as tenants
from server.tenants.schemas import LocationRead
from server.web.formatting import Formats
from shared.clock import utcnow
from shared.enums import PaymentMethod, PlanKind, PrincipalKind
from shared.ids import new_id

#: Members on one page of search results.
PAGE = 25
#: Rows of each history list on a profile (visits, bookings, penalties).
HISTORY = 20
_MANY = 500


@dataclass(frozen=True)
class Place:
    """The account's locations and each one's way of writing dates, times and money."""

    locations: list[LocationRead]
    formats: dict[uuid.UUID, Formats]
    default: Formats

    def fmt(self, location_id: uuid.UUID | None) -> Formats:
        return self.formats.get(location_id, self.default) if location_id else self.default

    def name(self, location_id: uuid.UUID | None) -> str:
        for location in self.locations:
            if location.id == location_id:
                return location.name
        return ""


def places(container: Services, claims: AccessClaims) -> Place:
    tenant = tenants.get_tenant(uow=container.read_uow(), claims=claims)
    found = tenants.list_locations(
        uow=container.read_uow(), claims=claims, limit=_MANY, offset=0
    ).items
    formats = {loc.id: Formats.of(loc, tenant.currency) for loc in found}
    default = formats[found[0].id] if found else Formats(currency=tenant.currency)
    return Place(found, formats, default)


def within(container: Services, claims: AccessClaims, ids: Mapping[str, uuid.UUID]) -> None:
    """As the API's dependency does for a location-limited account: a resource of another
    location is not found."""
    if claims.location_ids is not None:
        container.location_scope.check(container.read_uow(), claims, ids)


def open_member(container: Services, claims: AccessClaims, member_id: uuid.UUID) -> MemberRead:
    within(container, claims, {"member_id": member_id})
    return service.get_member(uow=container.read_uow(), claims=claims, member_id=member_id)


# --- search ----------------------------------------------------------------------------------


def search(container: Services, claims: AccessClaims, query: str, offset: int) -> dict[str, Any]:
    found = service.search_members(
        uow=container.read_uow(),
        claims=claims,
        query=query or None,
        limit=PAGE,
        offset=offset,
    )
    return {
        "members": found.items,
        "q": query,
        "offset": offset,
        "next_offset": found.next_offset,
        "previous_offset": max(offset - PAGE, 0) if offset else None,
    }


# --- the profile -----------------------------------------------------------------------------


@dataclass
class Profile:
    member: MemberRead
    photo: str | None
    alerts: list[MemberAlertRead]
    memberships: list[MyMembership]
    passes: list[PassRead]
    #: The newest pass still valid, and its QR code as a PNG data address.
    current_pass: PassRead | None
    qr: str | None
    visits: list[CheckinRead]
    upcoming: list[MyBooking]
    past: list[MyBooking]
    penalties: list[PenaltyRead]
    plans: list[PlanRead]
    place: Place
    me_name: str
    errors: dict[str, str] = field(default_factory=dict)
    #: What a refused form sent, shown again in it.
    sent: dict[str, str] = field(default_factory=dict)
    #: Owners and managers: the member's lead coach and who may lead (None: not shown).
    lead_coach: LeadCoachRead | None = None
    coaches: list[tuple[uuid.UUID, str]] = field(default_factory=list)
    #: The member's newest sales, each with its refunds, and their card on file if any.
    payments: list[Paid] = field(default_factory=list)
    card: CardOnFileRead | None = None


@dataclass(frozen=True)
class Paid:
    sale: SaleRecord
    refunds: list[RefundLine]


def _payments(container: Services, claims: AccessClaims, member_id: uuid.UUID) -> list[Paid]:
    found = sales_ledger.list_sales(
        uow=container.read_uow(),
        claims=claims,
        where=SaleFilter(member_id=member_id),
        limit=HISTORY,
        offset=0,
    ).items
    refunds = sales_ledger.refunds_of(
        uow=container.read_uow(), claims=claims, sale_ids=[s.id for s in found]
    )
    return [Paid(sale, [r for r in refunds if r.sale_id == sale.id]) for sale in found]


def _data_address(kind: str, content: bytes) -> str:
    return f"data:{kind};base64,{base64.b64encode(content).decode()}"


def _as_member(claims: AccessClaims, member_id: uuid.UUID) -> AccessClaims:
    """The member's own reading of their memberships and bookings (what the member app
    shows), once this staff account was allowed to open the member."""
    return AccessClaims(kind=PrincipalKind.MEMBER, subject_id=member_id, tenant_id=claims.tenant_id)


def profile(container: Services, claims: AccessClaims, member_id: uuid.UUID) -> Profile:
    member = open_member(container, claims, member_id)
    read = container.read_uow
    photo = None
    if member.has_photo:
        photo = _data_address(
            "image/jpeg",
            service.get_thumbnail(uow=read(), claims=claims, member_id=member_id),
        )
    own = _as_member(claims, member_id)
    held = passes.list_passes(
        uow=container.uow(),
        settings=container.settings,
        claims=claims,
        member_id=member_id,
        limit=_MANY,
        offset=0,
    ).items
    now = utcnow()
    valid = [p for p in held if p.token and p.revoked_at is None and p.expires_at > now]
    current = max(valid, key=lambda p: p.issued_at) if valid else None
    qr = (
        _data_address("image/png", passes.render_png(current.token, box_size=6))
        if current and current.token
        else None
    )
    plans = plans_service.list_plans(
        uow=container.uow(), claims=claims, kind=None, active=True, limit=_MANY, offset=0
    ).items
    lead_coach, coaches = None, []
    if not coaching.is_coach(claims):
        try:
            lead_coach = coaching.get_lead_coach(uow=read(), claims=claims, member_id=member_id)
            coaches = coaching.coaches(uow=read(), claims=claims)
        except NotFound:
            pass  # an archived member has no coach to choose
    return Profile(
        payments=_payments(container, claims, member_id),
        card=payments.get_card(uow=read(), claims=claims, member_id=member_id),
        lead_coach=lead_coach,
        coaches=coaches,
        member=member,
        photo=photo,
        alerts=alerts.list_alerts(
            uow=read(), claims=claims, member_id=member_id, status="open", limit=_MANY, offset=0
        ).items,
        memberships=me_service.memberships(uow=read(), claims=own, limit=_MANY, offset=0).items,
        passes=sorted(held, key=lambda p: p.issued_at, reverse=True),
        current_pass=current,
        qr=qr,
        visits=checkin_service.list_checkins(
            uow=read(),
            claims=claims,
            location_id=None,
            member_id=member_id,
            since=None,
            limit=HISTORY,
            offset=0,
        ).items,
        upcoming=me_service.bookings(
            uow=read(), claims=own, upcoming=True, limit=HISTORY, offset=0
        ).items,
        past=me_service.bookings(
            uow=read(), claims=own, upcoming=False, limit=HISTORY, offset=0
        ).items,
        penalties=policy_service.member_penalties(
            uow=read(), claims=claims, member_id=member_id, limit=HISTORY, offset=0
        ).items,
        plans=[p for p in plans if p.kind is not PlanKind.CORPORATE],
        place=places(container, claims),
        me_name=staff_service.get_me(uow=read(), claims=claims).name,
    )


# --- changes ---------------------------------------------------------------------------------


def update_details(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, cmd: MemberUpdate
) -> None:
    open_member(container, claims, member_id)
    service.update_member(uow=container.uow(), claims=claims, member_id=member_id, cmd=cmd)


def set_photo(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, data: bytes, kind: str
) -> None:
    open_member(container, claims, member_id)
    service.set_photo(
        uow=container.uow(), claims=claims, member_id=member_id, data=data, content_type=kind
    )


def add_alert(container: Services, claims: AccessClaims, member_id: uuid.UUID, text: str) -> None:
    open_member(container, claims, member_id)
    alerts.add_alert(
        uow=container.uow(), claims=claims, member_id=member_id, cmd=MemberAlertCreate(text=text)
    )


def resolve_alert(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, alert_id: uuid.UUID
) -> None:
    open_member(container, claims, member_id)
    alerts.resolve_alert(uow=container.uow(), claims=claims, member_id=member_id, alert_id=alert_id)


@dataclass(frozen=True)
class Sale:
    plan_id: uuid.UUID
    location_id: uuid.UUID
    starts_on: date | None
    method: str
    discount: Decimal
    discount_reason: str | None


def sell(container: Services, claims: AccessClaims, member_id: uuid.UUID, sale: Sale) -> None:
    """A desk sale as ``POST /sales`` records it: the plan's price less the discount, in its
    currency, charged and written to the ledger with the membership it starts."""
    open_member(container, claims, member_id)
    plan = plans_service.get_plan(uow=container.read_uow(), claims=claims, plan_id=sale.plan_id)
    cmd = SaleCreate(
        sale_id=new_id(),
        member_id=member_id,
        plan_id=plan.id,
        method=PaymentMethod(sale.method),
        amount=max(plan.price - sale.discount, Decimal("0.00")),
        currency=plan.currency,
        location_id=sale.location_id,
        discount_amount=sale.discount,
        discount_reason=sale.discount_reason,
    )
    sales_service.sell(
        uow=container.uow(),
        payments=container.payments,
        claims=claims,
        cmd=cmd,
        starts_on=sale.starts_on,
    )


def _own_membership(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, membership_id: uuid.UUID
) -> None:
    open_member(container, claims, member_id)
    held = membership_service.get_membership(
        uow=container.read_uow(), claims=claims, membership_id=membership_id
    )
    if held.member_id != member_id:
        raise NotFound(f"membership {membership_id} was not found")


def freeze(
    container: Services,
    claims: AccessClaims,
    member_id: uuid.UUID,
    membership_id: uuid.UUID,
    until: date,
) -> None:
    _own_membership(container, claims, member_id, membership_id)
    membership_service.freeze(
        uow=container.uow(),
        claims=claims,
        membership_id=membership_id,
        cmd=MembershipFreeze(until=until),
    )


def unfreeze(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, membership_id: uuid.UUID
) -> None:
    _own_membership(container, claims, member_id, membership_id)
    membership_service.unfreeze(uow=container.uow(), claims=claims, membership_id=membership_id)


def cancel(
    container: Services,
    claims: AccessClaims,
    member_id: uuid.UUID,
    membership_id: uuid.UUID,
    reason: str | None,
) -> None:
    _own_membership(container, claims, member_id, membership_id)
    membership_service.cancel(
        uow=container.uow(),
        claims=claims,
        membership_id=membership_id,
        cmd=MembershipCancel(reason=reason),
    )


def issue_pass(container: Services, claims: AccessClaims, member_id: uuid.UUID) -> None:
    open_member(container, claims, member_id)
    passes.issue_pass(
        uow=container.uow(),
        settings=container.settings,
        claims=claims,
        member_id=member_id,
        cmd=PassCreate(),
    )


def revoke_pass(
    container: Services,
    claims: AccessClaims,
    member_id: uuid.UUID,
    pass_id: uuid.UUID,
    reason: str,
) -> None:
    open_member(container, claims, member_id)
    found = passes.get_pass(
        uow=container.uow(), settings=container.settings, claims=claims, pass_id=pass_id
    )
    if found.member_id != member_id:
        raise NotFound(f"pass {pass_id} was not found")
    passes.revoke_pass(
        uow=container.uow(),
        settings=container.settings,
        claims=claims,
        pass_id=pass_id,
        cmd=PassRevoke(reason=reason),
    )


def waive(
    container: Services,
    claims: AccessClaims,
    member_id: uuid.UUID,
    penalty_id: uuid.UUID,
    reason: str,
) -> None:
    open_member(container, claims, member_id)
    within(container, claims, {"penalty_id": penalty_id})
    held = policy_service.member_penalties(
        uow=container.read_uow(), claims=claims, member_id=member_id, limit=_MANY, offset=0
    ).items
    if penalty_id not in {p.id for p in held}:
        raise NotFound(f"penalty {penalty_id} was not found")
    policy_service.waive(uow=container.uow(), claims=claims, penalty_id=penalty_id, reason=reason)
