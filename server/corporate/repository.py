"""Reads and writes of corporate accounts and their rows, always within one tenant."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.corporate.models import (
    CorporateAccount,
    CorporateAdmin,
    CorporateDepartment,
    CorporateEmployee,
    CorporatePackage,
)
from server.corporate.rules import ENDED


class CorporateRepository:
    def __init__(self, db: Session, tenant_id: uuid.UUID) -> None:
        self.db, self.tenant_id = db, tenant_id

    def accounts(
        self, *, include_archived: bool, limit: int | None = None, offset: int = 0
    ) -> Sequence[CorporateAccount]:
        query = select(CorporateAccount).where(CorporateAccount.tenant_id == self.tenant_id)
        if not include_archived:
            query = query.where(CorporateAccount.archived_at.is_(None))
        query = query.order_by(CorporateAccount.name, CorporateAccount.id).offset(offset)
        return self.db.execute(query.limit(limit)).scalars().all()

    def count_accounts(self, *, include_archived: bool) -> int:
        query = select(func.count()).where(CorporateAccount.tenant_id == self.tenant_id)
        if not include_archived:
            query = query.where(CorporateAccount.archived_at.is_(None))
        return int(self.db.execute(query).scalar_one())

    def account_named(self, name: str) -> CorporateAccount | None:
        return self.db.execute(
            select(CorporateAccount).where(
                CorporateAccount.tenant_id == self.tenant_id,
                func.lower(CorporateAccount.name) == name.lower(),
            )
        ).scalar_one_or_none()

    def departments(self, account_id: uuid.UUID) -> Sequence[CorporateDepartment]:
        return (
            self.db.execute(
                select(CorporateDepartment)
                .where(
                    CorporateDepartment.tenant_id == self.tenant_id,
                    CorporateDepartment.account_id == account_id,
                )
                .order_by(CorporateDepartment.name)
            )
            .scalars()
            .all()
        )

    def packages(self, account_id: uuid.UUID) -> Sequence[CorporatePackage]:
        return (
            self.db.execute(
                select(CorporatePackage)
                .where(
                    CorporatePackage.tenant_id == self.tenant_id,
                    CorporatePackage.account_id == account_id,
                )
                .order_by(CorporatePackage.name)
            )
            .scalars()
            .all()
        )

    def admins(self, account_id: uuid.UUID) -> Sequence[CorporateAdmin]:
        return (
            self.db.execute(
                select(CorporateAdmin)
                .where(
                    CorporateAdmin.tenant_id == self.tenant_id,
                    CorporateAdmin.account_id == account_id,
                )
                .order_by(CorporateAdmin.full_name)
            )
            .scalars()
            .all()
        )

    def admin_by_email(self, email: str) -> CorporateAdmin | None:
        return self.db.execute(
            select(CorporateAdmin).where(
                CorporateAdmin.tenant_id == self.tenant_id, CorporateAdmin.email == email
            )
        ).scalar_one_or_none()

    def employees(
        self, account_id: uuid.UUID, *, status: str | None = None, for_update: bool = False
    ) -> Sequence[CorporateEmployee]:
        query = select(CorporateEmployee).where(
            CorporateEmployee.tenant_id == self.tenant_id,
            CorporateEmployee.account_id == account_id,
        )
        if status is not None:
            query = query.where(CorporateEmployee.status == status)
        if for_update:
            query = query.with_for_update()
        order = (CorporateEmployee.last_name, CorporateEmployee.first_name, CorporateEmployee.id)
        return self.db.execute(query.order_by(*order)).scalars().all()

    def seats_taken(self, package_id: uuid.UUID) -> int:
        """Employees holding a seat of the package: activated and not ended."""
        return int(
            self.db.execute(
                select(func.count()).where(
                    CorporateEmployee.tenant_id == self.tenant_id,
                    CorporateEmployee.package_id == package_id,
                    CorporateEmployee.member_id.is_not(None),
                    CorporateEmployee.status != ENDED,
                )
            ).scalar_one()
        )
