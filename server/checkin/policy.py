"""The tenant's door rules (re-entry window, class check-in window): read and set."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from server.checkin.models import CheckinPolicy
from server.checkin.schemas import CheckinPolicyBody, CheckinPolicyRead
from server.db.settings_rows import save_settings
from server.db.uow import UnitOfWork
from server.ports.identity import AccessClaims
from shared.door_rules import DoorPolicy


def policy_row(db: Session, tenant_id: uuid.UUID) -> CheckinPolicy:
    """The tenant's saved policy, or the defaults (not added to ``db``)."""
    row = db.get(CheckinPolicy, tenant_id)
    if row is not None:
        return row
    defaults = DoorPolicy()
    return CheckinPolicy(
        tenant_id=tenant_id,
        reentry_window_minutes=defaults.reentry_window_minutes,
        class_checkin_opens_minutes=defaults.class_checkin_opens_minutes,
        updated_at=None,
    )


def door_policy(db: Session, tenant_id: uuid.UUID) -> DoorPolicy:
    row = policy_row(db, tenant_id)
    return DoorPolicy(row.reentry_window_minutes, row.class_checkin_opens_minutes)


def get_policy(*, uow: UnitOfWork, claims: AccessClaims) -> CheckinPolicyRead:
    with uow:
        return CheckinPolicyRead.model_validate(policy_row(uow.db, claims.tenant_id))


def patch_policy(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: CheckinPolicyBody
) -> CheckinPolicyRead:
    """Change the fields sent; the others keep their values."""
    with uow:
        current = CheckinPolicyBody.model_validate(policy_row(uow.db, claims.tenant_id))
        changed = CheckinPolicyBody.model_validate(
            {**current.model_dump(), **cmd.model_dump(exclude_unset=True)}
        )
        row = save_settings(uow.db, CheckinPolicy, claims.tenant_id, changed.model_dump())
        uow.commit()
        return CheckinPolicyRead.model_validate(row)


def put_policy(
    *, uow: UnitOfWork, claims: AccessClaims, cmd: CheckinPolicyBody
) -> CheckinPolicyRead:
    with uow:
        row = save_settings(uow.db, CheckinPolicy, claims.tenant_id, cmd.model_dump())
        uow.commit()
        return CheckinPolicyRead.model_validate(row)
