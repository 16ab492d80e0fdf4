"""Who may see a corporate account: the provider's owners and managers see every account of
their tenant; a corporate admin sees their own account and nothing else (another account is
simply not found, as another tenant's rows are)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.corporate.models import CorporateAccount, CorporateAdmin
from server.errors import Forbidden, NotFound
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole

#: Staff roles that manage corporate clients.
MANAGING = frozenset({StaffRole.OWNER, StaffRole.MANAGER})


def admin_account_id(db: Session, claims: AccessClaims) -> uuid.UUID:
    """The account of the signed-in corporate admin (active admins only)."""
    account_id = db.execute(
        select(CorporateAdmin.account_id).where(
            CorporateAdmin.tenant_id == claims.tenant_id,
            CorporateAdmin.id == claims.subject_id,
            CorporateAdmin.active,
        )
    ).scalar_one_or_none()
    if account_id is None:
        raise Forbidden("This corporate sign-in is no longer active.")
    return account_id


def visible_account(db: Session, claims: AccessClaims, account_id: uuid.UUID) -> CorporateAccount:
    """The account ``account_id`` if ``claims`` may see it; NotFound or Forbidden otherwise."""
    if claims.kind == PrincipalKind.CORPORATE_ADMIN:
        if admin_account_id(db, claims) != account_id:
            raise NotFound("corporate account not found")
    elif claims.kind != PrincipalKind.STAFF or claims.role not in MANAGING:
        raise Forbidden("Only owners, managers and the company's own admins see its account.")
    account = db.get(CorporateAccount, (claims.tenant_id, account_id))
    if account is None:
        raise NotFound("corporate account not found")
    return account
