"""What the member app's account pages show, gathered from the domains' services with the
member's own claims (so another member's rows are out of reach there, not here), and the
location formats every date and time is written with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from server.api.deps import Services
from server.bookings import calendar
from server.me import service as me_service
from server.me.schemas import MyBooking, MyCheckin, MyMembership
from server.members import accounts, profile
from server.members.schemas import MemberProfile
from server.ports.identity import AccessClaims
from server.sales import service as sales_service
from server.sales.repository import SaleFilter
from server.sales.schemas import SaleRecord
from server.tenants import service as tenants_service
from server.web.formatting import Formats
from shared.enums import Attendance, BookingStatus, MembershipStatus

PAGE_SIZE = 20
#: What a member reads for each status of a membership.
STATUS_WORDS = {
    MembershipStatus.ACTIVE: "Active",
    MembershipStatus.FROZEN: "Frozen",
    MembershipStatus.PAST_DUE: "Payment overdue",
    MembershipStatus.SUSPENDED: "Suspended: payment needed",
    MembershipStatus.PENDING: "Not started yet",
    MembershipStatus.AWAITING_PAYMENT: "Waiting for your mobile money approval",
    MembershipStatus.CANCELLED: "Cancelled",
    MembershipStatus.EXPIRED: "Expired",
}
_CLASS_OUTCOME = {
    Attendance.ON_TIME: "Attended",
    Attendance.LATE: "Attended (late)",
    Attendance.NO_SHOW: "Missed",
}


@dataclass(frozen=True)
class Places:
    """The formats of each of the provider's locations, and the one for dates that belong
    to no location (the member's home, else the first location)."""

    by_location: dict[uuid.UUID, Formats]
    home: Formats

    def of(self, location_id: uuid.UUID | None) -> Formats:
        return self.by_location.get(location_id, self.home) if location_id else self.home


def places(container: Services, claims: AccessClaims) -> Places:
    tenant = tenants_service.get_tenant(uow=container.read_uow(), claims=claims)
    located = tenants_service.list_locations(
        uow=container.read_uow(), claims=claims, limit=200, offset=0
    ).items
    by_location = {row.id: Formats.of(row, tenant.currency) for row in located}
    me = profile.get_profile(uow=container.read_uow(), claims=claims)
    fallback = Formats(currency=tenant.currency)
    home = by_location.get(me.home_location_id) if me.home_location_id else None
    return Places(by_location, home or (next(iter(by_location.values()), fallback)))


def index_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    me = accounts.get_me(uow=container.read_uow(), claims=claims)
    return {"name": f"{me.first_name} {me.last_name}", "email": me.email}


def _membership_row(item: MyMembership, fmt: Formats) -> dict[str, Any]:
    left: list[str] = []
    if item.credits_left is not None:
        left.append(f"{fmt.number(item.credits_left)} credits left")
    if item.visit_limit is not None and item.visits_used is not None:
        remaining = max(0, item.visit_limit - item.visits_used)
        period = item.visit_limit_period.value if item.visit_limit_period else "period"
        resets = (
            f", counted again {fmt.day(item.period_resets_at)}" if item.period_resets_at else ""
        )
        left.append(f"{remaining} of {item.visit_limit} visits left this {period}{resets}")
    return {
        "plan": item.plan_name,
        "status": item.status.value,
        "status_words": STATUS_WORDS.get(item.status, item.status.value),
        "overdue": item.status in (MembershipStatus.PAST_DUE, MembershipStatus.SUSPENDED),
        "starts": fmt.day(item.starts_on),
        "ends": fmt.day(item.ends_on) if item.ends_on else None,
        "frozen_until": fmt.day(item.frozen_until) if item.frozen_until else None,
        "renews": fmt.day(item.next_renewal_on) if item.next_renewal_on else None,
        "left": left,
    }


def _receipt_row(sale: SaleRecord, fmt: Formats) -> dict[str, Any]:
    return {
        "href": f"/app/account/receipts/{sale.id}.pdf",
        "number": sale.receipt_number,
        "what": sale.plan_name or "Purchase",
        "on": fmt.day(sale.taken_at),
        "amount": fmt.money(sale.amount, sale.currency),
        "refunded": fmt.money(sale.refunded_amount, sale.currency)
        if sale.refunded_amount
        else None,
        "refund_pending": fmt.money(sale.refund_pending_amount, sale.currency)
        if sale.refund_pending_amount
        else None,
    }


def memberships_view(container: Services, claims: AccessClaims) -> dict[str, Any]:
    where = places(container, claims)
    held = me_service.memberships(uow=container.read_uow(), claims=claims, limit=100, offset=0)
    sales = sales_service.list_sales(
        uow=container.read_uow(),
        claims=claims,
        where=SaleFilter(member_id=claims.subject_id),
        limit=100,
        offset=0,
    )
    return {
        "memberships": [_membership_row(item, where.home) for item in held.items],
        "receipts": [_receipt_row(sale, where.of(sale.location_id)) for sale in sales.items],
    }


def receipt_view(container: Services, claims: AccessClaims, sale_id: uuid.UUID) -> bytes:
    _, pdf = sales_service.receipt_pdf(
        uow=container.read_uow(), claims=claims, sale_id=sale_id, own=True
    )
    return pdf


def _visit_row(item: MyCheckin, fmt: Formats) -> dict[str, Any]:
    return {
        "day": fmt.day(item.occurred_at),
        "time": fmt.time(item.occurred_at),
        "place": item.location_name,
    }


def _class_row(item: MyBooking, fmt: Formats) -> dict[str, Any]:
    if item.status is BookingStatus.CANCELLED:
        outcome = "Cancelled"
    elif item.attendance is not None:
        outcome = _CLASS_OUTCOME[item.attendance]
    else:
        outcome = "Booked" if item.status is BookingStatus.CONFIRMED else item.status.value.title()
    return {
        "name": item.session_type_name,
        "day": fmt.day(item.starts_at),
        "time": f"{fmt.time(item.starts_at)}–{fmt.time(item.ends_at)}",
        "place": item.location_name,
        "outcome": outcome,
        "attended": item.attendance in (Attendance.ON_TIME, Attendance.LATE),
    }


def history_view(
    container: Services, claims: AccessClaims, visits_from: int, classes_from: int
) -> dict[str, Any]:
    where = places(container, claims)
    visits = me_service.checkins(
        uow=container.read_uow(), claims=claims, limit=PAGE_SIZE, offset=visits_from
    )
    classes = me_service.bookings(
        uow=container.read_uow(),
        claims=claims,
        upcoming=False,
        limit=PAGE_SIZE,
        offset=classes_from,
    )
    return {
        "visits": [_visit_row(v, where.of(v.location_id)) for v in visits.items],
        "classes": [_class_row(b, where.of(b.location_id)) for b in classes.items],
        "visits_from": visits_from,
        "classes_from": classes_from,
        "visits_next": visits.next_offset,
        "classes_next": classes.next_offset,
        "page_size": PAGE_SIZE,
    }


def calendar_view(
    container: Services, claims: AccessClaims, base_url: str, *, reset: bool = False
) -> dict[str, Any]:
    address = calendar.my_calendar(
        uow=container.uow(),
        secret_key=container.settings.resolved_secret_key,
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        base_url=base_url,
        reset=reset,
    )
    return {"feed_url": address.feed_url}


def profile_view(container: Services, claims: AccessClaims) -> MemberProfile:
    return profile.get_profile(uow=container.read_uow(), claims=claims)
