"""Sales at the desk: passes, memberships and packs. The sale's id is its payment's
idempotency key."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.db.uow import UnitOfWork
from server.devices.service_point import ServicePoint, service_point
from server.errors import Conflict, DomainError, InvalidInput
from server.members.models import Member
from server.plans import ledger, membership_service
from server.plans.models import AccessPlan, Sale
from server.plans.repository import (
    MembershipRepository,
    PlanRepository,
    SaleRepository,
    member_or_404,
)
from server.plans.rules import DESK_SOLD_KINDS
from server.plans.schemas import SaleCreate, SaleRead
from server.ports.identity import AccessClaims
from server.ports.payments import MobileMoneyPayer, PaymentRequest, PaymentResult, PaymentService
from shared.clock import utcnow
from shared.enums import MembershipStatus, MemberSource, PaymentMethod, PaymentStatus, PlanKind
from shared.memberships import can_host_guests
from shared.payments import DESK_METHODS


class PaymentDeclined(DomainError):
    status = 402
    code = "payment_declined"
    title = "Payment declined"


def _read(uow: UnitOfWork, claims: AccessClaims, payment: Sale) -> SaleRead:
    assert payment.membership_id is not None and payment.plan_id is not None
    membership, plan, timezone = MembershipRepository(uow.db, claims.tenant_id).with_plan_or_404(
        payment.membership_id
    )
    return SaleRead(
        sale_id=payment.id,
        member_id=payment.member_id,
        plan_id=payment.plan_id,
        location_id=payment.location_id,
        method=PaymentMethod(payment.method),
        amount=payment.amount,
        currency=payment.currency,
        taken_at=payment.taken_at,
        taken_by=payment.taken_by,
        device_id=payment.device_id,
        receipt_number=payment.receipt_number,
        list_price=payment.list_price,
        discount_amount=payment.discount_amount,
        discount_reason=payment.discount_reason,
        refunded_amount=payment.refunded_amount - payment.refund_pending_amount,
        payment_status=PaymentStatus(payment.payment_status),
        membership=membership_service.to_read(membership, plan, timezone),
    )


def _replay(uow: UnitOfWork, claims: AccessClaims, payment: Sale, cmd: SaleCreate) -> SaleRead:
    same = (payment.member_id, payment.plan_id, payment.amount, payment.currency) == (
        cmd.member_id,
        cmd.plan_id,
        cmd.amount,
        cmd.currency,
    )
    if not same:
        raise Conflict(
            f"sale {cmd.sale_id} was already recorded with other details; a new sale needs a "
            "new sale_id",
            code="sale_id_reused",
        )
    return _read(uow, claims, payment)


def _charge(
    payments: PaymentService,
    tenant_id: uuid.UUID,
    point: ServicePoint,
    cmd: SaleCreate,
    description: str,
    payer: tuple[uuid.UUID, str | None],
) -> PaymentResult:
    """Take the sale's money; a mobile-money charge may come back pending."""
    if point.device_id is not None and cmd.method not in DESK_METHODS:
        raise InvalidInput("a kiosk takes cash or card_terminal")
    phone = cmd.mobile_money
    charged = payments.charge(
        PaymentRequest(
            tenant_id=tenant_id,
            idempotency_key=cmd.sale_id,
            amount=cmd.amount,
            currency=cmd.currency,
            method=cmd.method.value,
            description=description,
            member_id=payer[0],
            mobile_money=MobileMoneyPayer(phone.phone, phone.provider) if phone else None,
            payer_email=payer[1],
        )
    )
    if not charged.succeeded and not charged.pending:
        raise PaymentDeclined(charged.reason or "the payment did not go through")
    return charged


def _check(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    point: ServicePoint,
    cmd: SaleCreate,
    *,
    starts_on: date | None,
    ends_on: date | None,
    check_plan: bool,
) -> tuple[Member, AccessPlan, date]:
    """Whether the sale may be made, before any money is taken: its member, plan and first day."""
    member = member_or_404(uow.db, tenant_id, cmd.member_id)
    if check_plan:
        plan = membership_service.sellable_plan(uow, tenant_id, cmd.plan_id)
    else:
        plan = PlanRepository(uow.db, tenant_id).get_or_404(cmd.plan_id)
    kind = PlanKind(plan.kind)
    if kind not in sellable_kinds(point):
        raise InvalidInput(
            "a kiosk sells day passes and guest passes only"
            if point.device_id is not None
            else "corporate plans are not sold: the corporate account covers them"
        )
    price = plan.price - cmd.discount_amount
    if check_plan and cmd.discount_amount > plan.price:
        raise InvalidInput(
            f"the discount {cmd.discount_amount} is more than the price {plan.price}",
            code="discount_too_large",
        )
    if check_plan and (cmd.amount, cmd.currency) != (price, plan.currency):
        discounted = f" less {cmd.discount_amount} discount" if cmd.discount_amount else ""
        raise InvalidInput(
            f"{plan.name!r} costs {plan.price} {plan.currency}{discounted}, "
            f"not {cmd.amount} {cmd.currency}"
        )
    if cmd.guest_of_id is not None:
        if kind is not PlanKind.GUEST_PASS:
            raise InvalidInput("guest_of_id is for guest passes only")
        if cmd.guest_of_id == member.id:
            raise InvalidInput("a member cannot be their own guest")
        member_or_404(uow.db, tenant_id, cmd.guest_of_id)
        # A kiosk's sale was checked against what it knew offline: the money is taken.
        if check_plan and not can_host(uow, tenant_id, cmd.guest_of_id, point):
            raise InvalidInput(
                "a guest pass needs a host with an active membership", code="host_not_active"
            )
    starts_on = starts_on or utcnow().astimezone(point.tz).date()
    if check_plan and kind is PlanKind.RECURRING:
        # Before the money is taken: a member holds one membership of a plan at a time.
        membership_service.check_no_overlap(uow, tenant_id, member.id, plan, (starts_on, ends_on))
    return member, plan, starts_on


def record_sale(
    uow: UnitOfWork,
    payments: PaymentService,
    tenant_id: uuid.UUID,
    point: ServicePoint,
    cmd: SaleCreate,
    *,
    membership_id: uuid.UUID | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    taken_at: datetime | None = None,
    check_plan: bool = True,
    charged: PaymentResult | None = None,
) -> Sale:
    """Charge and record one new sale in the open unit of work; the caller commits.

    ``check_plan=False`` records a sale that already happened at a kiosk although the plan
    has since changed price or stopped being sold (the caller flags it for review).
    ``charged``: the money was already taken (by a PSP, outside the transaction).
    """
    member, plan, starts_on = _check(
        uow, tenant_id, point, cmd, starts_on=starts_on, ends_on=ends_on, check_plan=check_plan
    )
    if charged is None:
        description = f"{plan.name} for member {member.id}"
        charged = _charge(payments, tenant_id, point, cmd, description, (member.id, member.email))
    membership = membership_service.new_membership(
        uow,
        tenant_id,
        member_id=member.id,
        plan=plan,
        starts_on=starts_on,
        ends_on=ends_on,
        source=MemberSource.DESK,
        home_location_id=point.location.id,
        membership_id=membership_id,
    )
    if cmd.guest_of_id is not None and member.guest_of_id is None:
        member.guest_of_id = cmd.guest_of_id
    record_action(
        uow.db,
        tenant_id=tenant_id,
        action=audit_rules.SALE,
        entity="desk_payments",
        entity_id=cmd.sale_id,
    )
    sale = ledger.record(
        uow,
        tenant_id,
        sale_id=cmd.sale_id,
        member_id=member.id,
        plan=plan,
        location=point.location,
        membership_id=membership.id,
        amount=cmd.amount,
        currency=cmd.currency,
        method=cmd.method.value,
        taken_by=point.staff_id,
        device_id=point.device_id,
        taken_at=taken_at,
        discount_amount=cmd.discount_amount,
        discount_reason=cmd.discount_reason,
    )
    sale.provider, sale.provider_reference = charged.provider, charged.reference
    if charged.pending:
        # Mobile money: no access until the PSP confirms (server.payments.settlement).
        sale.payment_status = PaymentStatus.PENDING.value
        membership.status = MembershipStatus.AWAITING_PAYMENT.value
        uow.db.flush()
    return sale


def sellable_kinds(point: ServicePoint) -> frozenset[PlanKind]:
    """A kiosk sells passes at the door; staff sell every plan a member buys."""
    if point.device_id is not None:
        return DESK_SOLD_KINDS
    return frozenset(PlanKind) - {PlanKind.CORPORATE}


def _charge_first(
    uow: UnitOfWork,
    payments: PaymentService,
    claims: AccessClaims,
    cmd: SaleCreate,
    starts_on: date | None,
) -> PaymentResult | None:
    """A PSP's charge, made before the sale's transaction: its answer may take seconds, and
    the ledger's write lock is not held meanwhile. None: the sale exists already (a replay).
    The PSP's idempotency key is the sale's id, so a retried sale is charged once."""
    tenant_id = claims.tenant_id
    with uow:
        point = service_point(uow, claims, cmd.location_id)
        if SaleRepository(uow.db, tenant_id).get(cmd.sale_id) is not None:
            return None
        member, plan, _ = _check(
            uow, tenant_id, point, cmd, starts_on=starts_on, ends_on=None, check_plan=True
        )
        description = f"{plan.name} for member {member.id}"
        payer = (member.id, member.email)
    # Outside the transaction: no connection or lock is held while the PSP answers.
    return _charge(payments, tenant_id, point, cmd, description, payer)


def sell(
    *,
    uow: UnitOfWork,
    payments: PaymentService,
    claims: AccessClaims,
    cmd: SaleCreate,
    starts_on: date | None = None,
) -> SaleRead:
    """``starts_on``: the first day of the membership sold (default: today where it is sold)."""
    tenant_id = claims.tenant_id
    charged = None
    if cmd.method not in DESK_METHODS:
        charged = _charge_first(uow, payments, claims, cmd, starts_on)
    with uow:
        ledger.write_lock(uow)
        point = service_point(uow, claims, cmd.location_id)
        sales = SaleRepository(uow.db, tenant_id)
        earlier = sales.get(cmd.sale_id)
        if earlier is not None:
            return _replay(uow, claims, earlier, cmd)
        payment = record_sale(
            uow, payments, tenant_id, point, cmd, starts_on=starts_on, charged=charged
        )
        try:
            uow.commit()
        except IntegrityError:
            # The same sale arrived twice at once: the other request recorded it.
            uow.db.rollback()
            earlier = sales.get(cmd.sale_id)
            if earlier is None:
                raise
            return _replay(uow, claims, earlier, cmd)
        return _read(uow, claims, payment)


def can_host(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    host_id: uuid.UUID,
    point: ServicePoint,
    at: datetime | None = None,
) -> bool:
    """Whether the member may bring a guest on a guest pass sold at ``point`` at ``at``
    (default: now)."""
    today = (at or utcnow()).astimezone(point.tz).date()
    held = MembershipRepository(uow.db, tenant_id).of_member(host_id)
    return can_host_guests(
        [(PlanKind(plan.kind), membership_service.state_of(m)) for m, plan, _tz in held], today
    )
