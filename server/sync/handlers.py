"""``member.create.v1`` and ``sale.create.v1``, and :func:`register` for every kiosk mutation."""

from __future__ import annotations

from sqlalchemy import or_, select

from server.bookings.sync_handlers import (
    BOOKING_ATTEND,
    BOOKING_CREATE,
    attend_booking,
    create_booking,
)
from server.members import rules as member_rules
from server.members.models import Member
from server.members.repository import MemberRepository
from server.plans import sales_service
from server.plans.desk import DeskContext
from server.plans.repository import DeskPaymentRepository, PlanRepository
from server.plans.schemas import SaleCreate
from server.sync import review, rules
from server.sync.checkin_handler import create_checkin, new_batch
from server.sync.registry import MutationContext, MutationRegistry, MutationRejected
from server.tenants.repository import LocationRepository
from shared.clock import ensure_utc
from shared.sync.messages import (
    BookingAttendArgs,
    BookingCreateArgs,
    CheckinCreateArgs,
    MemberCreateArgs,
    SaleCreateArgs,
)

#: Most existing members a walk-in is compared with.
_MATCH_LIMIT = 20


def _lookalikes(
    context: MutationContext, email: str | None, phone: str | None
) -> list[tuple[Member, str]]:
    conditions = []
    if email is not None:
        conditions.append(Member.email == email)
    suffix = rules.phone_suffix(phone)
    if suffix is not None:
        conditions.append(Member.phone.like(f"%{suffix}"))
    if not conditions:
        return []
    query = (
        select(Member)
        .where(Member.tenant_id == context.tenant_id, or_(*conditions))
        .order_by(Member.created_at)
        .limit(_MATCH_LIMIT)
    )
    found = []
    for other in context.uow.session.execute(query).scalars():
        why = rules.duplicate_reason(email, phone, other.email, other.phone)
        if why is not None:
            found.append((other, why))
    return found


def create_member(context: MutationContext, args: MemberCreateArgs) -> str | None:
    session, tenant_id = context.uow.session, context.tenant_id
    repo = MemberRepository(session, tenant_id)
    existing = session.execute(
        select(Member.id).where(Member.tenant_id == tenant_id, Member.id == args.member_id)
    ).first()
    if existing is not None:
        return "already recorded"
    email = rules.normalise_email(args.email)
    try:
        phone = member_rules.normalise_phone(args.phone) if args.phone else None
    except ValueError as exc:
        raise MutationRejected(str(exc)) from None
    home = args.home_location_id or context.location.id
    if LocationRepository(session, tenant_id).get(home) is None:
        home = context.location.id
    matches = _lookalikes(context, email, phone)
    for other_id in args.possible_duplicate_of:
        other = repo.get(other_id)
        if other is not None and all(other.id != m.id for m, _ in matches):
            matches.append((other, "kiosk match"))
    note = ""
    if email is not None and repo.holder_of("email", email) is not None:
        # Emails are unique: the new record goes without it until staff merge the two.
        note = f" The email {email} stays with the existing member until they are merged."
        email = None
    member = repo.add(
        Member(
            id=args.member_id,
            first_name=args.first_name.strip(),
            last_name=args.last_name.strip(),
            email=email,
            phone=phone,
            home_location_id=home,
            source=args.source.value,
            fitness_goals=[],
            preferences={},
        )
    )
    if matches:
        names = "; ".join(f"{m.first_name} {m.last_name} ({why})" for m, why in matches)
        context.review(
            review.POSSIBLE_DUPLICATE,
            f"walk-in {member.first_name} {member.last_name} registered at "
            f"{context.location.name} is a possible duplicate of {names}, flagged for "
            f"merge.{note}",
            member_id=member.id,
        )
    return None


def create_sale(context: MutationContext, args: SaleCreateArgs) -> str | None:
    session, tenant_id = context.uow.session, context.tenant_id
    earlier = DeskPaymentRepository(session, tenant_id).get(args.sale_id)
    if earlier is not None:
        same = (earlier.member_id, earlier.plan_id, earlier.amount, earlier.currency)
        if same != (args.member_id, args.plan_id, args.amount, args.currency):
            raise MutationRejected(f"sale {args.sale_id} was already recorded with other details")
        return "already recorded"
    if args.location_id != context.location.id:
        raise MutationRejected("a kiosk sells at its own location only")
    plan = PlanRepository(session, tenant_id).get(args.plan_id)
    if plan is None:
        raise MutationRejected(f"plan {args.plan_id} is not known to the server")
    cmd = SaleCreate(
        sale_id=args.sale_id,
        member_id=args.member_id,
        plan_id=args.plan_id,
        method=args.payment_method,
        amount=args.amount,
        currency=args.currency,
        guest_of_id=args.guest_of_id,
    )
    taken_at, clamped = rules.clamp_time(
        ensure_utc(args.sold_at or context.mutation.device_time), context.now
    )
    context.clamped = context.clamped or clamped
    payment = sales_service.record_sale(
        context.uow,
        context.payments,
        tenant_id,
        DeskContext(location=context.location, staff_id=args.staff_id, device_id=context.device.id),
        cmd,
        membership_id=args.membership_id,
        starts_on=args.starts_on,
        ends_on=args.ends_on,
        taken_at=taken_at,
        check_plan=False,
    )
    changed = []
    if not plan.active:
        changed.append("the plan is no longer sold")
    if (args.amount, args.currency) != (plan.price, plan.currency):
        changed.append(f"the plan now costs {plan.price} {plan.currency}")
    if changed:
        context.review(
            review.SALE_CHANGED,
            f"{plan.name} sold offline at {context.location.name} on {context.local(taken_at)} "
            f"for {args.amount} {args.currency}, but {' and '.join(changed)}",
            member_id=payment.member_id,
        )
    return None


def register(mutations: MutationRegistry) -> None:
    mutations.register("checkin.create.v1", CheckinCreateArgs, create_checkin, batch=new_batch)
    mutations.register("member.create.v1", MemberCreateArgs, create_member)
    mutations.register("sale.create.v1", SaleCreateArgs, create_sale)
    mutations.register(BOOKING_CREATE, BookingCreateArgs, create_booking)
    mutations.register(BOOKING_ATTEND, BookingAttendArgs, attend_booking)
