"""What kiosks hold of members, and ``member.create.v1``: a walk-in registered at a kiosk,
possibly hours ago, offline. The same person registered at two kiosks becomes two members,
flagged for staff to merge."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from server.members import rules as member_rules
from server.members.models import Member, MemberAlert
from server.members.repository import MemberRepository
from server.sync import review, rules
from server.sync.registry import MutationContext, MutationRejected, SnapshotScope, SyncRegistry
from server.tenants.repository import LocationRepository
from shared.normalise import code_norm, normalise_email, sort_name
from shared.sync import messages as wire
from shared.sync.messages import MemberCardAssignArgs, MemberCreateArgs
from shared.sync.snapshot import SnapshotMember, SnapshotMemberAlert

#: Review kind: a card given to a member at a kiosk is already another member's card.
CARD_TAKEN = "card_already_assigned"
#: Most existing members a walk-in is compared with.
_MATCH_LIMIT = 20


def _lookalikes(
    context: MutationContext, email: str | None, phone: str | None, args: MemberCreateArgs
) -> list[tuple[Member, str]]:
    conditions = []
    if email is not None:
        conditions.append(Member.email == email)
    suffix = rules.phone_suffix(phone)
    if suffix is not None:
        conditions.append(Member.phone.like(f"%{suffix}"))
    if args.date_of_birth is not None:
        conditions.append(Member.date_of_birth == args.date_of_birth)
    if not conditions:
        return []
    query = (
        select(Member)
        .where(Member.tenant_id == context.tenant_id, or_(*conditions))
        .order_by(Member.created_at)
        .limit(_MATCH_LIMIT)
    )
    found = []
    for other in context.uow.db.execute(query).scalars():
        why = rules.duplicate_reason(email, phone, other.email, other.phone)
        if why is None and _same_person(args, other):
            why = "same name and date of birth"
        if why is not None:
            found.append((other, why))
    return found


def _same_person(args: MemberCreateArgs, other: Member) -> bool:
    if args.date_of_birth is None or other.date_of_birth != args.date_of_birth:
        return False
    mine = sort_name(args.first_name, args.last_name)
    return mine == sort_name(other.first_name, other.last_name)


def create_member(context: MutationContext, args: MemberCreateArgs) -> str | None:
    db, tenant_id = context.uow.db, context.tenant_id
    repo = MemberRepository(db, tenant_id)
    existing = db.execute(
        select(Member.id).where(Member.tenant_id == tenant_id, Member.id == args.member_id)
    ).first()
    if existing is not None:
        return "already recorded"
    context.check_staff(args.staff_id)
    email = normalise_email(args.email)
    try:
        phone = member_rules.normalise_phone(args.phone) if args.phone else None
    except ValueError as exc:
        raise MutationRejected(str(exc)) from None
    home = args.home_location_id or context.location.id
    if LocationRepository(db, tenant_id).get(home) is None:
        home = context.location.id
    matches = _lookalikes(context, email, phone, args)
    for other_id in args.possible_duplicate_of:
        other = repo.get(other_id)
        if other is not None and all(other.id != m.id for m, _ in matches):
            matches.append((other, "kiosk match"))
    note = ""
    if email is not None and repo.holder_of("email", email) is not None:
        # Emails are unique: the new record goes without it until staff merge the two.
        note = f" The email {email} stays with the existing member until they are merged."
        email = None
    card = args.card_number.strip() if args.card_number else None
    if card and repo.holder_of("card_number", card) is not None:
        # Card numbers are unique too: the card stays with whoever the server gave it to.
        note += f" Card {card} already belongs to another member and was not given."
        card = None
    member = repo.add(
        Member(
            id=args.member_id,
            first_name=args.first_name.strip(),
            last_name=args.last_name.strip(),
            email=email,
            phone=phone,
            home_location_id=home,
            source=args.source.value,
            date_of_birth=args.date_of_birth,
            card_number=card or None,
            emergency_contact=(args.emergency_contact or "").strip() or None,
            waiver_accepted_at=args.waiver_accepted_at,
            registered_by=args.staff_id,
            card_assigned_by=args.staff_id if card else None,
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
    elif note:
        context.review(
            review.POSSIBLE_DUPLICATE,
            f"walk-in {member.first_name} {member.last_name} registered at "
            f"{context.location.name}:{note}",
            member_id=member.id,
        )
    return None


def assign_card(context: MutationContext, args: MemberCardAssignArgs) -> str | None:
    """The card becomes the member's, unless it is another member's card: that is never
    taken from them silently but left for staff to decide."""
    repo = MemberRepository(context.uow.db, context.tenant_id)
    card = args.card_number.strip()
    if code_norm(card) is None:
        raise MutationRejected("the card number is empty")
    context.check_staff(args.staff_id)
    member = repo.get(args.member_id, for_update=True)
    if member is None or member.archived_at is not None:
        raise MutationRejected(f"member {args.member_id} is not known to the server")
    if member.card_number == card:
        return "already recorded"
    holder = repo.holder_of("card_number", card, excluding=member.id) or repo.holder_of(
        "barcode", card, excluding=member.id
    )
    if holder is not None:
        context.review(
            CARD_TAKEN,
            f"card {card} was given to {member.first_name} {member.last_name} at "
            f"{context.location.name}, but it is the card of {holder.first_name} "
            f"{holder.last_name}; it was left with them: decide whose card it is.",
            member_id=member.id,
        )
        return "the card belongs to another member: left for review"
    member.card_number = card
    member.card_assigned_by = args.staff_id
    return None


def _member(row: Member) -> dict[str, Any] | None:
    if row.archived_at is not None:
        return None
    return SnapshotMember.model_validate(row, from_attributes=True).model_dump(mode="json")


def _snapshot(scope: SnapshotScope) -> dict[str, Any]:
    members = scope.db.execute(
        select(Member)
        .where(Member.tenant_id == scope.tenant_id, Member.archived_at.is_(None))
        .order_by(Member.id)
    ).scalars()
    return {"members": [SnapshotMember.model_validate(m, from_attributes=True) for m in members]}


def _alert(row: MemberAlert) -> dict[str, Any]:
    return SnapshotMemberAlert.model_validate(row, from_attributes=True).model_dump(mode="json")


def _alerts_snapshot(scope: SnapshotScope) -> dict[str, Any]:
    """Open alerts only: a resolved one reaches a kiosk by pull, which removes it."""
    rows = scope.db.execute(
        select(MemberAlert)
        .where(MemberAlert.tenant_id == scope.tenant_id, MemberAlert.resolved_at.is_(None))
        .order_by(MemberAlert.id)
    ).scalars()
    return {
        "member_alerts": [SnapshotMemberAlert.model_validate(a, from_attributes=True) for a in rows]
    }


def register(registry: SyncRegistry) -> None:
    registry.tables.register(wire.TABLE_MEMBERS, Member, serialise=_member)
    registry.tables.register(wire.TABLE_MEMBER_ALERTS, MemberAlert, serialise=_alert)
    registry.snapshot_parts.append(_snapshot)
    registry.snapshot_parts.append(_alerts_snapshot)
    registry.mutations.register("member.create.v1", MemberCreateArgs, create_member)
    registry.mutations.register("member.card.assign.v1", MemberCardAssignArgs, assign_card)
