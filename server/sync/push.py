"""Push: apply a kiosk's outbox batch once, in order, in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from server.db.bulk import insert_rows
from server.db.uow import UnitOfWork
from server.errors import (
    Conflict,
    DatabaseUnavailable,
    DomainError,
    Forbidden,
    InvalidInput,
)
from server.outbox import record as outbox
from server.ports.eligibility import EligibilityService
from server.ports.identity import AccessClaims
from server.ports.payments import PaymentService
from server.sync import rules
from server.sync.apply import apply_all
from server.sync.models import DeviceSyncState, SyncMutation
from server.sync.registry import MutationContext, SyncRegistry
from shared.clock import ensure_utc, utcnow
from shared.enums import MutationStatus
from shared.inputs import date_problem
from shared.sync.messages import SCHEMA_VERSION, Mutation, MutationResult, PushRequest, PushResponse

#: Envelope versions this server reads. A kiosk newer than the server is told so, per mutation.
SUPPORTED_SCHEMA_VERSIONS = frozenset(range(1, SCHEMA_VERSION + 1))


class DatabaseReplaced(Conflict):
    code = "device_database_replaced"
    title = "Kiosk database replaced"


def _replayed(
    db: Session,
    tenant_id: uuid.UUID,
    device_id: uuid.UUID,
    cmd: PushRequest,
    duplicates: Sequence[int],
) -> list[MutationResult]:
    """What the server answered the first time for mutations it has had already: a rejected
    one is rejected again with its reason, an applied one is a "duplicate".

    A replayed mutation carries the clock stamp it was first sent with. Another stamp under
    an applied id means the kiosk's database is an older or copied one, numbering new actions
    with ids already used: answering "duplicate" would lose them."""
    if not duplicates:
        return []
    query = select(
        SyncMutation.mutation_id, SyncMutation.hlc, SyncMutation.status, SyncMutation.reason
    ).where(
        SyncMutation.tenant_id == tenant_id,
        SyncMutation.device_id == device_id,
        SyncMutation.mutation_id.in_(list(duplicates)),
    )
    logged = {row.mutation_id: row for row in db.execute(query)}
    sent = {m.mutation_id: m.hlc for m in cmd.mutations}
    if any(i in logged and logged[i].hlc != sent[i] for i in duplicates):
        raise DatabaseReplaced(
            "this kiosk's database is an older or copied one: it numbers new actions with "
            "ids the server has already applied. Nothing was applied; enrol the kiosk again "
            "(its unsynced actions are kept and will be sent)"
        )
    results = []
    for i in duplicates:
        first = logged.get(i)
        if first is not None and first.status == MutationStatus.REJECTED.value:
            reason = first.reason or "refused by the server"
            results.append(
                MutationResult(mutation_id=i, status=MutationStatus.REJECTED, reason=reason)
            )
        else:
            results.append(MutationResult(mutation_id=i, status=MutationStatus.DUPLICATE))
    return results


class MutationGap(Conflict):
    code = "mutation_gap"
    title = "Mutations missing"

    def __init__(self, last_mutation_id: int, first_sent: int) -> None:
        super().__init__(
            f"the server has applied mutations up to {last_mutation_id}, and this push does "
            f"not continue from there (it starts at {first_sent}); send from "
            f"{last_mutation_id + 1}",
            extensions={"last_mutation_id": last_mutation_id},
        )
        self.last_mutation_id = last_mutation_id


def lock_sync_state(db: Session, tenant_id: uuid.UUID, device_id: uuid.UUID) -> int:
    """The device's last applied mutation id, with its row locked until commit, so that two
    pushes of one device run one after the other (on SQLite, the write lock does that)."""
    statement = (
        update(DeviceSyncState)
        .where(DeviceSyncState.tenant_id == tenant_id, DeviceSyncState.device_id == device_id)
        .values(updated_at=utcnow())
        .returning(DeviceSyncState.last_mutation_id)
    )
    last = db.execute(statement).scalar_one_or_none()
    if last is None:
        dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
        db.execute(
            dialect.insert(DeviceSyncState)
            .values(
                tenant_id=tenant_id, device_id=device_id, last_mutation_id=0, updated_at=utcnow()
            )
            .on_conflict_do_nothing()
        )
        last = db.execute(statement).scalar_one()
    return int(last)


class SchemaUnsupported(DomainError):
    status = 409
    code = "schema_unsupported"
    title = "Server too old for this kiosk"


def _log_row(
    claims: AccessClaims,
    mutation: Mutation,
    result: MutationResult,
    clamped: bool,
    received_at: datetime,
) -> dict[str, Any]:
    # A kiosk time out of bounds (its mutation is rejected for it) may not even convert to
    # UTC: the server's time stands in for it.
    out_of_bounds = date_problem(mutation.device_time) is not None
    device_time = received_at if out_of_bounds else ensure_utc(mutation.device_time)
    return {
        "tenant_id": claims.tenant_id,
        "device_id": claims.subject_id,
        "mutation_id": mutation.mutation_id,
        "name": mutation.name,
        "status": result.status.value,
        "reason": (result.reason or "")[:1000] or None,
        "device_time": device_time,
        "clamped": clamped or out_of_bounds,
        "hlc": mutation.hlc,
        "received_at": received_at,
    }


def push(
    *,
    uow: UnitOfWork,
    registry: SyncRegistry,
    eligibility: EligibilityService,
    payments: PaymentService,
    claims: AccessClaims,
    cmd: PushRequest,
) -> PushResponse:
    if cmd.device_id != claims.subject_id:
        raise Forbidden("device_id is not the device this token was issued to", code="wrong_device")
    if cmd.schema_version not in SUPPORTED_SCHEMA_VERSIONS:
        # A kiosk newer than the server: refuse the whole push, so nothing is lost; the
        # kiosk keeps its outbox until the server is upgraded.
        raise SchemaUnsupported(
            f"this server reads sync schema versions up to {SCHEMA_VERSION}, not "
            f"{cmd.schema_version}: upgrade the server"
        )
    try:
        plan = rules.plan_batch(0, [m.mutation_id for m in cmd.mutations])
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    published = []
    try:
        with uow:
            db = uow.db
            device = registry.kiosks.live_device(uow=uow, claims=claims)
            location = registry.kiosks.location(uow=uow, device=device)
            last = lock_sync_state(db, claims.tenant_id, device.id)
            plan = rules.plan_batch(last, [m.mutation_id for m in cmd.mutations])
            if plan.gap:
                raise MutationGap(last, plan.new[0])
            results = _replayed(db, claims.tenant_id, device.id, cmd, plan.duplicates)
            now = utcnow()  # the server's time for the whole batch (clamping, the log)
            contexts = [
                MutationContext(
                    uow=uow,
                    tenant_id=claims.tenant_id,
                    device=device,
                    location=location,
                    eligibility=eligibility,
                    payments=payments,
                    mutation=mutation,
                    now=now,
                    kiosks=registry.kiosks,
                )
                for mutation in cmd.mutations[len(plan.duplicates) :]
            ]
            log = []
            for context, result in zip(
                contexts, apply_all(contexts, registry.mutations), strict=True
            ):
                results.append(result)
                published.extend(context.published)
                log.append(_log_row(claims, context.mutation, result, context.clamped, now))
            if plan.new:
                last = plan.new[-1]
                insert_rows(db, SyncMutation, log)
                db.execute(
                    update(DeviceSyncState)
                    .where(
                        DeviceSyncState.tenant_id == claims.tenant_id,
                        DeviceSyncState.device_id == device.id,
                    )
                    .values(last_mutation_id=last)
                )
            outbox.record(db, published)
            uow.commit()
    except DBAPIError:
        raise DatabaseUnavailable(
            "the server's database failed during this push; nothing of it was applied, send it "
            "again"
        ) from None
    return PushResponse(last_mutation_id=last, results=results)
