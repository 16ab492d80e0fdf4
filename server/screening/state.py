"""Members' screening state, for many members at once (booking batches, the coach console)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from zoneinfo import ZoneInfo

from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.screening.repository import ScreeningRepository
from server.screening.rules import ScreeningState, context
from shared.carepath.screening import Outcome
from shared.clock import utcnow


def today_in(uow: UnitOfWork, tenant_id: uuid.UUID) -> date:
    """Today in the tenant's zone: the day clearances and flags are dated by."""
    zone = ScreeningRepository(uow.db, tenant_id).zone()
    return utcnow().astimezone(ZoneInfo(zone)).date()


def screening_state(
    uow: UnitOfWork,
    sealer: FieldSealer | None,
    tenant_id: uuid.UUID,
    member_ids: Sequence[uuid.UUID],
    today: date,
) -> dict[uuid.UUID, ScreeningState]:
    """Each member's screening state on ``today`` (a date in the tenant's zone), in one
    query per table however many members: the latest screening, the clearances that hold
    today, the active risk flags.

    Runs in the caller's open unit of work. Every id in ``member_ids`` has an entry (a
    member never screened: outcome None, not awaiting clearance). ``awaiting_clearance``:
    the latest outcome is needs_clearance and no unrevoked clearance of that screening
    holds on ``today`` (a clearance of an earlier screening does not count).

    ``sealer`` opens the flags' keys; without one (waitlist promotion, which needs only
    whether a clearance is awaited) flags are not read and every ``flags`` is empty.
    """
    ids = list(dict.fromkeys(member_ids))
    repository = ScreeningRepository(uow.db, tenant_id)
    latest = repository.latest(ids)
    live: dict[uuid.UUID, tuple[uuid.UUID, date]] = {}
    for row in repository.clearances(ids, live_on=today):
        held = live.get(row.screening_id)
        if held is None or row.expires_on > held[1]:
            live[row.screening_id] = (row.id, row.expires_on)
    flags: dict[uuid.UUID, set[str]] = {}
    for flag in repository.flags(ids, active_on=today) if sealer is not None else ():
        assert sealer is not None
        key = sealer.open(flag.flag, context=context("risk_flags", "flag", tenant_id, flag.id))
        flags.setdefault(flag.member_id, set()).add(key.decode())
    states: dict[uuid.UUID, ScreeningState] = {}
    for member_id in ids:
        screening = latest.get(member_id)
        if screening is None:
            states[member_id] = ScreeningState(
                member_id=member_id, flags=frozenset(flags.get(member_id, ()))
            )
            continue
        outcome = Outcome(screening.outcome)
        clearance = live.get(screening.id)
        states[member_id] = ScreeningState(
            member_id=member_id,
            outcome=outcome,
            screening_id=screening.id,
            completed_at=screening.completed_at,
            awaiting_clearance=outcome is Outcome.NEEDS_CLEARANCE and clearance is None,
            cleared_until=clearance[1] if clearance else None,
            flags=frozenset(flags.get(member_id, ())),
        )
    return states
