"""Corporate accounts: the accounts themselves, their departments, and the eligibility
roster with its CSV upload. Every call goes through ``visible_account``: owners and
managers see every account of their tenant, a corporate admin their own only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.corporate import roster, rules
from server.corporate.access import MANAGING, admin_account_id, visible_account
from server.corporate.models import (
    CorporateAccount,
    CorporateDepartment,
    CorporateEmployee,
)
from server.corporate.repository import CorporateRepository
from server.corporate.schemas import (
    AccountCreate,
    AccountPage,
    AccountRead,
    AccountUpdate,
    DepartmentCreate,
    DepartmentPage,
    DepartmentRead,
    EmployeePage,
    EmployeeRead,
    RosterReport,
    RowReport,
)
from server.db.uow import UnitOfWork
from server.errors import Conflict, Forbidden, InvalidInput
from server.plans.models import Membership
from server.plans.sync import send_covered_again
from server.ports.identity import AccessClaims
from server.sync import changes as sync_changes
from server.tenants.models import Location
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.enums import MembershipStatus, PrincipalKind
from shared.ids import new_id
from shared.normalise import fold

DUPLICATE_NAME = "another corporate account already has this name"


def _managing(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.STAFF or claims.role not in MANAGING:
        raise Forbidden("Only owners and managers manage corporate accounts.")


def today_of(db: Session, tenant_id: uuid.UUID) -> date:
    """Today where the tenant is (its first location's zone)."""
    return datetime.now(ZoneInfo(tenant_zone(db, tenant_id))).date()


def to_read(account: CorporateAccount) -> AccountRead:
    return AccountRead(
        id=account.id,
        name=account.name,
        legal_name=account.legal_name,
        contact_name=account.contact_name,
        contact_email=account.contact_email,
        contact_phone=account.contact_phone,
        billing_email=account.billing_email,
        billing_address=account.billing_address,
        tax_number=account.tax_number,
        po_reference=account.po_reference,
        archived=account.archived_at is not None,
        created_at=account.created_at,
    )


# --- accounts ------------------------------------------------------------------------------


def list_accounts(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    include_archived: bool = False,
    limit: int = 200,
    offset: int = 0,
) -> AccountPage:
    """Owners and managers: every account, by name, a page at a time; a corporate admin:
    their own."""
    with uow:
        if claims.kind is PrincipalKind.CORPORATE_ADMIN:
            own = visible_account(uow.db, claims, admin_account_id(uow.db, claims))
            items = [to_read(own)][offset : offset + limit]
            return AccountPage(items=items, total=1, next_offset=None)
        _managing(claims)
        repo = CorporateRepository(uow.db, claims.tenant_id)
        rows = repo.accounts(include_archived=include_archived, limit=limit + 1, offset=offset)
        return AccountPage(
            items=[to_read(a) for a in rows[:limit]],
            total=repo.count_accounts(include_archived=include_archived),
            next_offset=offset + limit if len(rows) > limit else None,
        )


def create_account(*, uow: UnitOfWork, claims: AccessClaims, cmd: AccountCreate) -> AccountRead:
    _managing(claims)
    with uow:
        repo = CorporateRepository(uow.db, claims.tenant_id)
        if repo.account_named(cmd.name) is not None:
            raise Conflict(DUPLICATE_NAME, code="duplicate_name")
        account = CorporateAccount(
            id=new_id(), tenant_id=claims.tenant_id, **cmd.model_dump(mode="json")
        )
        uow.db.add(account)
        _commit(uow, DUPLICATE_NAME)
        return to_read(account)


def get_account(*, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID) -> AccountRead:
    with uow:
        return to_read(visible_account(uow.db, claims, account_id))


def update_account(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, cmd: AccountUpdate
) -> AccountRead:
    with uow:
        account = visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        changes = cmd.model_dump(mode="json", exclude_unset=True)
        if "name" in changes and changes["name"] is None:
            raise InvalidInput("name: an account needs a name", code="invalid_input")
        if changes.get("name") and changes["name"].lower() != account.name.lower():
            other = CorporateRepository(uow.db, claims.tenant_id).account_named(changes["name"])
            if other is not None:
                raise Conflict(DUPLICATE_NAME, code="duplicate_name")
        renamed = "name" in changes and changes["name"] != account.name
        for key, value in changes.items():
            setattr(account, key, value)
        if renamed:
            # Kiosks name the company at the door from the memberships they hold.
            send_covered_again(uow.db, claims.tenant_id, account.id)
        _commit(uow, DUPLICATE_NAME)
        return to_read(account)


def archive_account(*, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID) -> AccountRead:
    """Archived accounts leave the list; their rows stay for invoices and reports."""
    with uow:
        account = visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        if account.archived_at is None:
            account.archived_at = utcnow()
            # An archived account covers no one at the door: kiosks hear it too.
            send_covered_again(uow.db, claims.tenant_id, account.id)
        uow.commit()
        return to_read(account)


def restore_account(*, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID) -> AccountRead:
    with uow:
        account = visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        if account.archived_at is not None:
            account.archived_at = None
            send_covered_again(uow.db, claims.tenant_id, account.id)
        uow.commit()
        return to_read(account)


def _commit(uow: UnitOfWork, message: str) -> None:
    try:
        uow.commit()
    except IntegrityError:
        raise Conflict(message, code="duplicate_name") from None


# --- departments ---------------------------------------------------------------------------


def list_departments(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    limit: int = 500,
    offset: int = 0,
) -> DepartmentPage:
    with uow:
        visible_account(uow.db, claims, account_id)
        rows = CorporateRepository(uow.db, claims.tenant_id).departments(account_id)
        shown = rows[offset : offset + limit]
        return DepartmentPage(
            items=[DepartmentRead(id=d.id, name=d.name, cost_centre=d.cost_centre) for d in shown],
            next_offset=offset + limit if len(rows) > offset + limit else None,
        )


def add_department(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID, cmd: DepartmentCreate
) -> DepartmentRead:
    message = "this account already has a department of this name"
    with uow:
        visible_account(uow.db, claims, account_id)
        # Another account is not found before any role is refused.
        _managing(claims)
        taken = {
            fold(d.name)
            for d in CorporateRepository(uow.db, claims.tenant_id).departments(account_id)
        }
        if fold(cmd.name) in taken:
            raise Conflict(message, code="duplicate_name")
        row = CorporateDepartment(
            id=new_id(),
            tenant_id=claims.tenant_id,
            account_id=account_id,
            name=cmd.name,
            cost_centre=cmd.cost_centre,
        )
        uow.db.add(row)
        _commit(uow, message)
        return DepartmentRead(id=row.id, name=row.name, cost_centre=row.cost_centre)


# --- the roster ----------------------------------------------------------------------------


def _employee_read(e: CorporateEmployee, claims: AccessClaims) -> EmployeeRead:
    staff = claims.kind is PrincipalKind.STAFF
    return EmployeeRead(
        id=e.id,
        employee_ref=e.employee_ref,
        work_email=e.work_email,
        first_name=e.first_name,
        last_name=e.last_name,
        department_id=e.department_id,
        package_id=e.package_id,
        location_id=e.location_id,
        status=e.status,
        covered_until=e.covered_until,
        activated=(e.member_id is not None) if staff else None,
        invited_at=e.invited_at if staff else None,
    )


def list_employees(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    status: str | None = None,
    department_id: uuid.UUID | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> EmployeePage:
    """The roster (``limit`` None: all of it)."""
    if status is not None and status not in rules.STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(rules.STATUSES)}")
    with uow:
        visible_account(uow.db, claims, account_id)
        rows = CorporateRepository(uow.db, claims.tenant_id).employees(account_id, status=status)
        items = [
            _employee_read(e, claims)
            for e in rows
            if department_id is None or e.department_id == department_id
        ]
        end = len(items) if limit is None else offset + limit
        return EmployeePage(
            items=items[offset:end],
            total=len(items),
            next_offset=end if end < len(items) else None,
        )


def _names(db: Session, tenant_id: uuid.UUID, account_id: uuid.UUID) -> roster.Names:
    repo = CorporateRepository(db, tenant_id)
    locations = db.execute(
        select(Location.id, Location.name).where(Location.tenant_id == tenant_id)
    ).all()
    return roster.Names(
        departments={fold(d.name): d.id for d in repo.departments(account_id)},
        locations={fold(name): id_ for id_, name in locations},
        packages={fold(p.name): p.id for p in repo.packages(account_id)},
    )


def _existing(e: CorporateEmployee) -> roster.Existing:
    return roster.Existing(
        id=e.id,
        employee_ref=e.employee_ref,
        work_email=e.work_email,
        first_name=e.first_name,
        last_name=e.last_name,
        department_id=e.department_id,
        location_id=e.location_id,
        package_id=e.package_id,
        status=e.status,
    )


def upload_roster(
    *,
    uow: UnitOfWork,
    claims: AccessClaims,
    account_id: uuid.UUID,
    data: bytes,
    full: bool,
    dry_run: bool,
    apply_good_rows: bool = False,
) -> RosterReport:
    """Read a roster file and report what each line does; unless ``dry_run``, apply it.
    A file with errors changes nothing (422 with the report) unless ``apply_good_rows``.
    Owners, managers and the company's own admins."""
    try:
        rows = roster.read_rows(data)
    except roster.RosterRefused as exc:
        raise InvalidInput(f"roster file refused: {exc}", code="roster_refused") from None
    with uow:
        account = visible_account(uow.db, claims, account_id)
        if account.archived_at is not None:
            raise Conflict("this account is archived: restore it first", code="archived")
        repo = CorporateRepository(uow.db, claims.tenant_id)
        stored = {e.id: e for e in repo.employees(account_id, for_update=not dry_run)}
        plan = roster.plan(
            rows,
            [_existing(e) for e in stored.values()],
            _names(uow.db, claims.tenant_id, account_id),
            full=full,
        )
        errors = plan.errors
        applying = not dry_run and (not errors or apply_good_rows)
        report = _report(plan, dry_run=dry_run, full=full, applied=applying)
        if not dry_run and errors and not apply_good_rows:
            raise InvalidInput(
                f"{len(errors)} rows of the roster have errors: nothing was changed",
                code="roster_rows_invalid",
                extensions={"report": report.model_dump(mode="json")},
            )
        if applying:
            _apply(uow.db, claims.tenant_id, account_id, plan, stored)
            record_action(
                uow.db,
                tenant_id=claims.tenant_id,
                action=audit_rules.ROSTER_UPLOAD,
                entity="corporate_accounts",
                entity_id=account_id,
            )
            try:
                uow.commit()
            except IntegrityError:
                raise Conflict(
                    "the roster changed while this file was applied: upload it again",
                    code="roster_race",
                ) from None
        return report


def _report(plan: roster.Plan, *, dry_run: bool, full: bool, applied: bool) -> RosterReport:
    return RosterReport(
        dry_run=dry_run,
        full=full,
        applied=applied,
        added=plan.count(roster.ADD),
        updated=plan.count(roster.UPDATE),
        unchanged=plan.count(roster.UNCHANGED),
        ended=plan.count(roster.END)
        + sum(
            1
            for s in plan.steps
            if s.action == roster.UPDATE and s.values and s.values.status == rules.ENDED
        ),
        errors=len(plan.errors),
        rows=[
            RowReport(line=s.line, key=s.key, action=s.action, detail=s.detail) for s in plan.steps
        ],
    )


def _apply(
    db: Session,
    tenant_id: uuid.UUID,
    account_id: uuid.UUID,
    plan: roster.Plan,
    stored: dict[uuid.UUID, CorporateEmployee],
) -> None:
    today = today_of(db, tenant_id)
    for step in plan.steps:
        if step.action == roster.ADD and step.values is not None:
            employee = CorporateEmployee(
                id=new_id(), tenant_id=tenant_id, account_id=account_id, status=rules.ACTIVE
            )
            _set(employee, step.values)
            _set_status(db, employee, step.values.status, today, account_id)
            db.add(employee)
        elif step.action == roster.UPDATE and step.existing_id is not None and step.values:
            employee = stored[step.existing_id]
            _set(employee, step.values)
            _set_status(db, employee, step.values.status, today, account_id)
        elif step.action == roster.END and step.existing_id is not None:
            _set_status(db, stored[step.existing_id], rules.ENDED, today, account_id)
    db.flush()


def _set(employee: CorporateEmployee, values: roster.Values) -> None:
    employee.employee_ref = values.employee_ref
    employee.work_email = values.work_email
    employee.first_name = values.first_name
    employee.last_name = values.last_name
    employee.department_id = values.department_id
    employee.location_id = values.location_id
    employee.package_id = values.package_id


def _set_status(
    db: Session, employee: CorporateEmployee, status: str, today: date, account_id: uuid.UUID
) -> None:
    """The roster status, and the corporate membership of an activated employee with it:
    suspended stops admitting, ended admits to the end of the month, active again clears
    both."""
    if employee.status == status and not (status == rules.ENDED and employee.covered_until is None):
        return
    employee.status = status
    employee.covered_until = rules.covered_until(today) if status == rules.ENDED else None
    if employee.member_id is not None:
        sync_membership(db, employee, account_id)


def sync_membership(db: Session, employee: CorporateEmployee, account_id: uuid.UUID) -> None:
    """Make the employee's corporate memberships of this account follow the roster."""
    values: dict[str, Any]
    if employee.status == rules.SUSPENDED:
        values = {"status": MembershipStatus.SUSPENDED.value}
    elif employee.status == rules.ENDED:
        values = {"status": MembershipStatus.ACTIVE.value, "ends_on": employee.covered_until}
    else:
        values = {"status": MembershipStatus.ACTIVE.value, "ends_on": None}
    followed = (
        Membership.tenant_id == employee.tenant_id,
        Membership.member_id == employee.member_id,
        Membership.corporate_account_id == account_id,
        Membership.status.in_([MembershipStatus.ACTIVE.value, MembershipStatus.SUSPENDED.value]),
    )
    ids = list(db.execute(select(Membership.id).where(*followed)).scalars())
    if not ids:
        return
    db.execute(
        update(Membership)
        .where(*followed)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    # A Core update: the kiosks, which decide at the door offline, would not hear of it.
    for membership_id in ids:
        sync_changes.touch(db, Membership, employee.tenant_id, membership_id)


@dataclass(frozen=True)
class Place:
    """How the provider writes dates (its first location's locale and zone)."""

    locale: str
    timezone: str
    currency: str | None


def place_of(*, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID) -> Place | None:
    """The provider's first location's formats, for anyone who sees ``account_id``."""
    with uow:
        visible_account(uow.db, claims, account_id)
        location = uow.db.execute(
            select(Location)
            .where(Location.tenant_id == claims.tenant_id)
            .order_by(Location.created_at, Location.id)
            .limit(1)
        ).scalar_one_or_none()
        if location is None:
            return None
        return Place(location.locale, location.timezone, location.currency)


def location_names(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID
) -> dict[uuid.UUID, str]:
    """The tenant's locations by id, for the roster's column (anyone who sees the account)."""
    with uow:
        visible_account(uow.db, claims, account_id)
        rows = uow.db.execute(
            select(Location.id, Location.name).where(Location.tenant_id == claims.tenant_id)
        ).all()
        return {id_: name for id_, name in rows}


def package_names(
    *, uow: UnitOfWork, claims: AccessClaims, account_id: uuid.UUID
) -> dict[uuid.UUID, str]:
    with uow:
        visible_account(uow.db, claims, account_id)
        rows = CorporateRepository(uow.db, claims.tenant_id).packages(account_id)
        return {p.id: p.name for p in rows}


def cover_names(
    db: Session, tenant_id: uuid.UUID, account_ids: set[uuid.UUID | None]
) -> dict[uuid.UUID | None, str]:
    """The names of the companies that pay for some memberships, as the door says them
    ("Covered by Acme Ltd"). No query for a member without a corporate membership."""
    wanted = {a for a in account_ids if a is not None}
    if not wanted:
        return {}
    # An archived account covers no one (kiosks read the same: ``server.plans.sync``).
    rows = db.execute(
        select(CorporateAccount.id, CorporateAccount.name).where(
            CorporateAccount.tenant_id == tenant_id,
            CorporateAccount.id.in_(wanted),
            CorporateAccount.archived_at.is_(None),
        )
    ).all()
    return {id_: name for id_, name in rows}
