"""HTTP routes of corporate reports (the provider's owners and managers, and the account's
own corporate admins) and of an employee's consents to individual reporting."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from server.api.deps import ContainerDep, UowDep, caller_where
from server.api.exports import FILE_RESPONSES, Export, FormatParam, download, tables_of
from server.api.threaded_route import ThreadedRoute
from server.corporate_reports import service
from server.corporate_reports.schemas import (
    ConsentCreate,
    ConsentList,
    ConsentRead,
    CorporateReportRead,
    FigureRead,
    GroupRead,
    IndividualRead,
    IndividualsRead,
    MonthRead,
    Scope,
)
from server.errors import Forbidden, InvalidInput
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from shared.enums import ADMIN_ROLES, PrincipalKind

router = APIRouter(route_class=ThreadedRoute, tags=["corporate reports"])


def _report_reader(claims: AccessClaims) -> None:
    if claims.kind is PrincipalKind.CORPORATE_ADMIN:
        return
    if claims.kind is PrincipalKind.STAFF and claims.role in ADMIN_ROLES:
        return
    raise Forbidden("corporate reports are for owners, managers and the company's own admins")


Readers = Annotated[AccessClaims, Depends(caller_where(_report_reader))]
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
Month = Annotated[str | None, Query(pattern=_MONTH, description="A month, YYYY-MM")]


def _month(value: str | None) -> date | None:
    if value is None:
        return None
    year, month = (int(part) for part in value.split("-"))
    if not 2000 <= year <= 2100:
        raise InvalidInput("a month between 2000-01 and 2100-12")
    return date(year, month, 1)


def _hidden(cells: dict[str, service.Cell]) -> str:
    return ", ".join(f"{name}: {c.why}" for name, c in cells.items() if c.why)


def _group(row: service.GroupRow) -> GroupRead:
    values = {name: c.value for name, c in row.cells.items()}
    return GroupRead(id=row.id, name=row.name, hidden=_hidden(row.cells), **values)


def _figure(row: service.FigureRow) -> FigureRead:
    return FigureRead(
        figure=row.key,
        label=row.label,
        count=row.count.value,
        share=row.share,
        of=row.of,
        hidden=row.count.why,
    )


def report_read(found: service.Report) -> CorporateReportRead:
    return CorporateReportRead(
        account_id=found.account_id,
        account_name=found.account_name,
        first_day=found.first,
        last_day=found.last,
        department_id=found.department_id,
        location_id=found.location_id,
        min_group=found.min_group,
        summary=[_figure(r) for r in found.summary],
        by_department=[_group(r) for r in found.by_department],
        by_location=[_group(r) for r in found.by_location],
        adherence_bands=[_figure(r) for r in found.bands],
        trend=[
            MonthRead(
                month=m.month,
                eligible=m.eligible.value,
                active=m.active.value,
                active_share=m.share,
            )
            for m in found.trend
        ],
    )


def _filters(found_first: date, found_last: date, **more: str | None) -> list[tuple[str, str]]:
    shown = [("From", found_first.isoformat()), ("To", found_last.isoformat())]
    shown.extend((k.replace("_", " ").capitalize(), v) for k, v in more.items() if v)
    return shown


@router.get(
    "/corporate/accounts/{account_id}/reports/participation",
    response_model=CorporateReportRead,
    tags=["reports"],
    responses=FILE_RESPONSES,
)
def participation_report(
    account_id: uuid.UUID,
    claims: Readers,
    container: ContainerDep,
    from_: Annotated[str | None, Query(alias="from", pattern=_MONTH)] = None,
    to: Annotated[str | None, Month] = None,
    department_id: Annotated[uuid.UUID | None, Query(description="One department")] = None,
    location_id: Annotated[uuid.UUID | None, Query(description="One location")] = None,
    format: FormatParam = "json",
) -> CorporateReportRead | Response:
    """Eligible, activated and active employees, those meeting the WHO weekly dose, journeys
    started, adhered to and completed, adherence bands, challenge participation and a
    12-month trend, by department and by location. Aggregates only: a count of fewer than
    the tenant's minimum group is hidden (null), and so is any cell that would let it be
    worked out from the totals; every filter is a slice of the same protected tables.
    ``from``/``to`` are months (default: the 12 months to this one)."""
    found = service.report(
        container.read_uow,
        claims,
        account_id,
        first=_month(from_),
        last=_month(to),
        department_id=department_id,
        location_id=location_id,
    )
    read = report_read(found)
    if format == "json":
        return read
    shown = _filters(
        found.first,
        found.last,
        account=found.account_name,
        department=found.department,
        location=found.location,
        minimum_group=str(found.min_group),
    )
    return download(Export("corporate-report", "Corporate report", shown, tables_of(read)), format)


@router.get(
    "/corporate/accounts/{account_id}/reports/individuals",
    response_model=IndividualsRead,
    tags=["reports"],
    responses=FILE_RESPONSES,
)
def individuals_report(
    account_id: uuid.UUID,
    claims: Readers,
    container: ContainerDep,
    from_: Annotated[str | None, Query(alias="from", pattern=_MONTH)] = None,
    to: Month = None,
    department_id: Annotated[uuid.UUID | None, Query(description="One department")] = None,
    location_id: Annotated[uuid.UUID | None, Query(description="One location")] = None,
    format: FormatParam = "json",
) -> IndividualsRead | Response:
    """One row per employee who consented to individual reporting, with only what their
    consent's scope covers (participation; journeys). Never health data."""
    period, rows = service.individuals(
        container.read_uow,
        claims,
        account_id,
        first=_month(from_),
        last=_month(to),
        department_id=department_id,
        location_id=location_id,
    )
    read = IndividualsRead(
        account_id=account_id,
        first_day=period.first,
        last_day=period.last,
        individuals=[
            IndividualRead(
                employee_id=r.employee_id,
                employee_ref=r.employee_ref,
                name=r.name,
                department=r.department,
                location=r.location,
                scopes=", ".join(r.scopes),
                visits=r.visits,
                active_months=r.active_months,
                meeting_dose=r.meeting_dose,
                challenges_joined=r.challenges_joined,
                journeys_started=r.journeys_started,
                journeys_completed=r.journeys_completed,
                adherence_band=r.adherence_band,
            )
            for r in rows
        ],
    )
    if format == "json":
        return read
    shown = _filters(period.first, period.last)
    return download(
        Export("consented-employees", "Consented employees", shown, tables_of(read)), format
    )


def _consent_list(claims: AccessClaims, uow: UowDep) -> ConsentList:
    rows, consents, names = service.my_consents(uow, claims)
    account_of = {r.id: r.account_id for r in rows}
    return ConsentList(
        employers=sorted(set(names.values())),
        consents=[
            ConsentRead(
                employee_id=c.employee_id,
                account_id=account_of[c.employee_id],
                account_name=names.get(account_of[c.employee_id], ""),
                scope=c.scope,
                granted_at=c.granted_at,
                revoked_at=c.revoked_at,
            )
            for c in consents
        ],
    )


@router.get("/me/corporate-consents", response_model=ConsentList, tags=["me"])
def my_consents(claims: MemberClaims, uow: UowDep) -> ConsentList:
    """Your employers and the consents you gave them to report on you individually (revoked
    ones with the date)."""
    return _consent_list(claims, uow)


@router.post(
    "/me/corporate-consents",
    response_model=ConsentList,
    status_code=status.HTTP_201_CREATED,
    tags=["me"],
)
def give_consent(
    cmd: ConsentCreate, claims: MemberClaims, uow: UowDep, container: ContainerDep
) -> ConsentList:
    """Let your employer see you individually within ``scope``; giving it again keeps the
    first date. 404 when no employer's roster holds you."""
    service.grant(uow, claims, cmd.scope)
    return _consent_list(claims, container.uow())


@router.delete("/me/corporate-consents", status_code=status.HTTP_204_NO_CONTENT, tags=["me"])
def revoke_consent(
    claims: MemberClaims,
    uow: UowDep,
    scope: Annotated[Scope, Query(description="The scope to revoke")],
) -> None:
    """Revoke your consent of ``scope``: from now on your employer sees you only in
    aggregates. The consent is kept with the date it ended."""
    service.revoke(uow, claims, scope)
