"""A corporate account written straight into the database (the roster upload and the
corporate admins' sign-in have their own tests): departments, roster rows linked to
members, movement in chosen months, and tokens for corporate admins and members."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from server.bootstrap import Container
from server.corporate.models import (
    CorporateAccount,
    CorporateAdmin,
    CorporateDepartment,
    CorporateEmployee,
)
from server.engagement.models import MovementEvent
from server.members.models import Member
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind
from shared.ids import new_id


@dataclass
class Corp:
    container: Container
    tenant_id: uuid.UUID
    account_id: uuid.UUID
    departments: dict[str, uuid.UUID] = field(default_factory=dict)
    #: employee id → member id
    members: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)


def open_account(container: Container, tenant_id: str, name: str, departments: list[str]) -> Corp:
    tenant = uuid.UUID(tenant_id)
    corp = Corp(container, tenant, new_id())
    with container.uow() as uow:
        uow.db.add(CorporateAccount(tenant_id=tenant, id=corp.account_id, name=name))
        uow.db.flush()
        for dept in departments:
            corp.departments[dept] = new_id()
            uow.db.add(
                CorporateDepartment(
                    tenant_id=tenant,
                    id=corp.departments[dept],
                    account_id=corp.account_id,
                    name=dept,
                )
            )
        uow.commit()
    return corp


def add_employees(
    corp: Corp,
    count: int,
    *,
    department: str | None,
    location_id: str | None,
    active_in: list[date] = (),  # type: ignore[assignment]
    activated: bool = True,
    minutes: int = 45,
    intensity: str = "moderate",
    listed_on: datetime = datetime(2025, 1, 1, tzinfo=UTC),
) -> list[uuid.UUID]:
    """``count`` roster rows, members if activated, each with one event on each day of
    ``active_in``. Returns the employee ids."""
    made = []
    with corp.container.uow() as uow:
        for _ in range(count):
            employee_id = new_id()
            member_id = new_id() if activated else None
            if member_id is not None:
                uow.db.add(
                    Member(
                        tenant_id=corp.tenant_id,
                        id=member_id,
                        first_name="Emp",
                        last_name=employee_id.hex[-8:],
                        source="corporate",
                    )
                )
                uow.db.flush()
                corp.members[employee_id] = member_id
            uow.db.add(
                CorporateEmployee(
                    tenant_id=corp.tenant_id,
                    id=employee_id,
                    account_id=corp.account_id,
                    employee_ref=f"E{employee_id.hex[-10:]}",
                    first_name="Emp",
                    last_name=employee_id.hex[-8:],
                    department_id=corp.departments[department] if department else None,
                    location_id=uuid.UUID(location_id) if location_id else None,
                    status="active",
                    member_id=member_id,
                    activated_at=listed_on if member_id else None,
                    created_at=listed_on,
                )
            )
            if member_id is not None:
                for day in active_in:
                    uow.db.add(
                        MovementEvent(
                            tenant_id=corp.tenant_id,
                            id=new_id(),
                            member_id=member_id,
                            kind="floor_checkin",
                            occurred_at=datetime.combine(day, time(12), tzinfo=UTC),
                            location_id=uuid.UUID(location_id) if location_id else None,
                            data={},
                            minutes=minutes,
                            intensity=intensity,
                            provenance="scanner_verified",
                            source="kiosk",
                            local_date=day,
                            zone="UTC",
                        )
                    )
            made.append(employee_id)
        uow.commit()
    return made


def add_admin(corp: Corp, email: str) -> uuid.UUID:
    admin_id = new_id()
    with corp.container.uow() as uow:
        uow.db.add(
            CorporateAdmin(
                tenant_id=corp.tenant_id,
                id=admin_id,
                account_id=corp.account_id,
                email=email,
                full_name="Corp Admin",
            )
        )
        uow.commit()
    return admin_id


def token(
    container: Container, kind: PrincipalKind, tenant_id: uuid.UUID, subject: uuid.UUID
) -> dict[str, str]:
    issued, _ = container.identity.issue_access_token(
        AccessClaims(kind=kind, subject_id=subject, tenant_id=tenant_id), 3600
    )
    return {"Authorization": f"Bearer {issued}"}


def admin_headers(corp: Corp, email: str) -> dict[str, str]:
    return token(
        corp.container, PrincipalKind.CORPORATE_ADMIN, corp.tenant_id, add_admin(corp, email)
    )


def member_headers(corp: Corp, employee_id: uuid.UUID) -> dict[str, str]:
    return token(corp.container, PrincipalKind.MEMBER, corp.tenant_id, corp.members[employee_id])
