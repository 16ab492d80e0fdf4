"""The tenant's booking policy, the penalties it produced, and staff waivers."""

from __future__ import annotations

import uuid

from sqlalchemy import update

from server.bookings import rules
from server.bookings.models import Booking, BookingPolicy, Penalty
from server.bookings.repository import (
    BookingRepository,
    PenaltyRepository,
    give_credit_back,
    policy_of,
)
from server.bookings.schemas import (
    BookingPolicyBody,
    BookingPolicyRead,
    PenaltyPage,
    PenaltyRead,
)
from server.db.settings_rows import save_settings
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden
from server.plans.repository import member_or_404
from server.ports.identity import AccessClaims
from server.tenants.repository import TenantDirectory
from shared.clock import utcnow
from shared.enums import PenaltyOutcome


def get_policy(*, uow: UnitOfWork, claims: AccessClaims) -> BookingPolicyRead:
    with uow:
        policy = BookingPolicyRead.model_validate(policy_of(uow.db, claims.tenant_id))
        if policy.updated_at is None:  # never saved: no currency of its own
            policy.currency = TenantDirectory(uow.db, claims.tenant_id).current().currency
        return policy


def put_policy(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: BookingPolicyBody
) -> BookingPolicyRead:
    with uow:
        row = _save(uow, claims, cmd.model_dump())
        uow.commit()
        return BookingPolicyRead.model_validate(row)


def _save(uow: UnitOfWork, claims: AccessClaims, values: dict[str, object]) -> BookingPolicy:
    """Save the whole policy; no currency of its own means the tenant's."""
    if values["currency"] is None:
        values["currency"] = TenantDirectory(uow.db, claims.tenant_id).current().currency
    return save_settings(uow.db, BookingPolicy, claims.tenant_id, values)


def patch_policy(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: BookingPolicyBody
) -> BookingPolicyRead:
    """Change the fields sent; the others keep their values."""
    with uow:
        saved = policy_of(uow.db, claims.tenant_id)
        current = BookingPolicyBody.model_validate(saved).model_dump()
        if saved.updated_at is None:  # never saved: the default's currency is not the tenant's
            current["currency"] = None
        changed = BookingPolicyBody.model_validate(
            {**current, **cmd.model_dump(exclude_unset=True)}
        )
        row = _save(uow, claims, changed.model_dump())
        uow.commit()
        return BookingPolicyRead.model_validate(row)


def member_penalties(
    *, uow: UnitOfWork, claims: AccessClaims, member_id: uuid.UUID, limit: int, offset: int
) -> PenaltyPage:
    with uow:
        member_or_404(uow.db, claims.tenant_id, member_id)
        rows = PenaltyRepository(uow.db, claims.tenant_id).of_member(
            member_id, limit=limit + 1, offset=offset
        )
        return PenaltyPage(
            items=[PenaltyRead.model_validate(r) for r in rows[:limit]],
            next_offset=offset + limit if len(rows) > limit else None,
        )


def waive(
    *, uow: UnitOfWork, claims: AccessClaims, penalty_id: uuid.UUID, reason: str
) -> PenaltyRead:
    """Forgive a penalty, recording who and why; a forfeited credit goes back."""
    if not rules.may_waive(claims.kind, claims.role):
        raise Forbidden(rules.WAIVER_REFUSED)
    with uow:
        penalty = PenaltyRepository(uow.db, claims.tenant_id).get_or_404(penalty_id)
        if penalty.outcome == PenaltyOutcome.WAIVED.value:
            raise Conflict("this penalty is already waived", code="already_waived")
        now = utcnow()
        result = uow.db.execute(
            update(Penalty)
            .where(
                Penalty.tenant_id == claims.tenant_id,
                Penalty.id == penalty.id,
                Penalty.outcome == penalty.outcome,
            )
            .values(
                outcome=PenaltyOutcome.WAIVED.value,
                waived_by=claims.subject_id,
                waived_reason=reason,
                waived_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise Conflict("this penalty changed meanwhile; try again")
        if penalty.outcome == PenaltyOutcome.CREDIT_FORFEITED.value:
            booking = BookingRepository(uow.db, claims.tenant_id).get_or_404(penalty.booking_id)
            returned = uow.db.execute(
                update(Booking)
                .where(
                    Booking.tenant_id == claims.tenant_id,
                    Booking.id == booking.id,
                    Booking.credit_taken.is_(True),
                )
                .values(credit_taken=False)
                .execution_options(synchronize_session=False)
            )
            if returned.rowcount and booking.membership_id is not None:  # type: ignore[attr-defined]
                give_credit_back(uow.db, claims.tenant_id, booking.membership_id)
        penalty.outcome = PenaltyOutcome.WAIVED.value
        penalty.waived_by, penalty.waived_reason, penalty.waived_at = (
            claims.subject_id,
            reason,
            now,
        )
        read = PenaltyRead.model_validate(penalty)
        uow.commit()
        return read
