"""Corporate reports and employees' consents.

A report counts the account's roster over a period of whole months: each figure is one
table over departments × locations (with every total), protected once by
:mod:`shared.disclosure`; the summary, the breakdowns by department and by location and a
filter by department and/or location are all slices of those protected tables, so no two
views show one cell with different neighbours hidden. The adherence bands are one table
over departments × locations × bands whose band total *is* the journeys started (and whose
top band *is* the journeys adhered to), so the bands never give a hidden start away.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.corporate.access import visible_account
from server.corporate.models import CorporateAccount, CorporateConsent, CorporateEmployee
from server.corporate_reports import repository as repo
from server.corporate_reports import rules
from server.db.uow import UnitOfWork
from server.errors import Forbidden, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tenants.models import Location
from server.tenants.repository import tenant_zone
from shared.clock import utcnow
from shared.disclosure import TOTAL, Key, Protected, min_group, over_group, protect
from shared.enums import PrincipalKind
from shared.ids import new_id
from shared.movement import local_date


@dataclass(frozen=True, slots=True)
class Cell:
    value: int | None
    #: None (shown), "small" (too few people) or "complement" (would give one away).
    why: str | None = None


@dataclass(frozen=True, slots=True)
class FigureRow:
    key: str
    label: str
    count: Cell
    #: Of the figure ``of`` (None: hidden, or not a share).
    share: float | None
    of: str | None


@dataclass(frozen=True, slots=True)
class GroupRow:
    id: uuid.UUID | None
    name: str
    cells: dict[str, Cell]


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: date
    eligible: Cell
    active: Cell
    share: float | None


@dataclass(frozen=True, slots=True)
class Report:
    account_id: uuid.UUID
    account_name: str
    first: date
    last: date
    department_id: uuid.UUID | None
    department: str | None
    location_id: uuid.UUID | None
    location: str | None
    min_group: int
    summary: list[FigureRow]
    by_department: list[GroupRow]
    by_location: list[GroupRow]
    bands: list[FigureRow]
    trend: list[MonthRow]


@dataclass(slots=True)
class _Person:
    dept: uuid.UUID | None
    loc: uuid.UUID | None
    eligible: bool = False
    activated: bool = False
    active: bool = False
    meeting_dose: bool = False
    band: str | None = None
    completed: bool = False
    challenger: bool = False
    sessions: int = 0
    weighted: int = 0
    active_months: int = 0
    journeys_started: int = 0
    journeys_completed: int = 0
    adherence: float = 0.0
    #: Bit j set: eligible (active) in the trend's month j.
    months_eligible: int = 0
    months_active: int = 0


@dataclass(frozen=True, slots=True)
class _Facts:
    account: CorporateAccount
    period: rules.Period
    minimum: int
    depts: dict[uuid.UUID, str]
    locs: dict[uuid.UUID, str]
    roster: list[repo.RosterRow]
    people: list[_Person]
    trend: list[date]


_NO_DEPARTMENT = "No department"
_NO_LOCATION = "No location"


def _period(
    db: Session, claims: AccessClaims, first: date | None, last: date | None
) -> rules.Period:
    today = local_date(utcnow(), tenant_zone(db, claims.tenant_id))
    last_month = rules.month_start(last or today)
    first_month = rules.month_start(first) if first else rules.trend_months(last_month)[0]
    if first_month > last_month:
        raise InvalidInput("the period's first month is after its last")
    if len(rules.months(first_month, last_month)) > rules.MAX_MONTHS:
        raise InvalidInput(f"a report covers at most {rules.MAX_MONTHS} months")
    return rules.Period(first_month, rules.month_end(last_month))


def _location_names(
    db: Session, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, str]:
    wanted = list(ids)
    if not wanted:
        return {}
    rows = db.execute(
        select(Location.id, Location.name).where(
            Location.tenant_id == tenant_id, Location.id.in_(wanted)
        )
    )
    return dict(sorted(((r.id, r.name) for r in rows), key=lambda pair: pair[1]))


def _facts(
    db: Session, claims: AccessClaims, account_id: uuid.UUID, first: date | None, last: date | None
) -> _Facts:
    account = visible_account(db, claims, account_id)
    period = _period(db, claims, first, last)
    minimum = min_group(repo.min_group_setting(db, claims.tenant_id))
    depts = repo.departments(db, claims.tenant_id, account_id)
    roster = repo.roster(db, claims.tenant_id, account_id)
    locs = _location_names(db, claims.tenant_id, {r.location_id for r in roster if r.location_id})
    trend = rules.trend_months(period.last)
    all_months = rules.months(min(trend[0], period.first), period.last)
    index = {m: i for i, m in enumerate(all_months)}
    moved = repo.movement(
        db, claims.tenant_id, account_id, all_months, index[period.first], period.last
    )
    journeys = repo.journeys(db, claims.tenant_id, account_id, period.first, period.last)
    challenges = repo.challengers(db, claims.tenant_id, account_id, period.first, period.last)
    trend_shift = index[trend[0]]  # the trend is the last 12 of the months asked
    trend_all = (1 << len(trend)) - 1
    trend_spans = [(m, rules.month_end(m)) for m in trend]
    # Rows share their dates (a roster is listed in a few batches): each month's
    # eligibility is worked out once per combination, not once per person and month.
    by_dates: dict[tuple[str, date, date | None, date | None], tuple[int, int]] = {}
    nothing = repo.Moved(0, 0, 0, 0)
    people = []
    for row in roster:
        p = _Person(row.department_id, row.location_id)
        listed = row.listed_on.date()
        p.eligible = rules.eligible_in(
            row.status, listed, row.covered_until, period.first, period.last
        )
        activated_on = row.activated_at.date() if row.activated_at else None
        member = row.member_id
        was = moved.get(member, nothing) if member is not None else nothing
        p.activated = p.eligible and activated_on is not None and activated_on <= period.last
        if member is not None and p.activated:
            p.sessions, p.weighted, p.active_months = was.sessions, was.weighted, was.active_months
            p.active = p.sessions > 0
            p.meeting_dose = p.active and rules.meets_dose(p.weighted, period)
            found = journeys.get(member)
            if found:
                p.journeys_started = found.started
                p.journeys_completed = found.completed
                p.adherence = found.adherence
                p.band = rules.band_of(found.adherence)
                p.completed = found.completed > 0
            p.challenger = challenges.get(member, 0) > 0
        dates = (row.status, listed, row.covered_until, activated_on)
        masks = by_dates.get(dates)
        if masks is None:
            eligible = activated = 0
            for j, (first, last) in enumerate(trend_spans):
                if rules.eligible_in(row.status, listed, row.covered_until, first, last):
                    eligible |= 1 << j
                    if activated_on is not None and activated_on <= last:
                        activated |= 1 << j
            masks = by_dates[dates] = (eligible, activated)
        p.months_eligible = masks[0]
        p.months_active = masks[1] & (was.months >> trend_shift) & trend_all
        people.append(p)
    return _Facts(account, period, minimum, depts, locs, roster, people, trend)


def _axes(facts: _Facts) -> tuple[list[Hashable], list[Hashable]]:
    depts: list[Hashable] = list(facts.depts)
    if any(p.dept is None for p in facts.people):
        depts.append(None)
    locs: list[Hashable] = list(facts.locs)
    if any(p.loc is None or p.loc not in facts.locs for p in facts.people):
        locs.append(None)
    return depts, locs


def _groups(people: Sequence[_Person], locs: set[Hashable]) -> dict[Key, list[_Person]]:
    """The people by their cell (department, location), hashed once: every table counts
    over these few groups rather than over every person's key."""
    found: dict[Key, list[_Person]] = {}
    for p in people:
        found.setdefault((p.dept, p.loc if p.loc in locs else None), []).append(p)
    return found


def _count(groups: Mapping[Key, list[_Person]], test: Callable[[_Person], bool]) -> dict[Key, int]:
    return {key: sum(1 for p in group if test(p)) for key, group in groups.items()}


_Cells = dict[Key, int]


def _by_month(groups: Mapping[Key, list[_Person]], months: int) -> list[tuple[_Cells, _Cells]]:
    """Per trend month, the eligible and the active by cell: the people's month masks
    counted once per cell, then each month read off the distinct masks."""
    found: list[tuple[_Cells, _Cells]] = [({}, {}) for _ in range(months)]
    for key, group in groups.items():
        masks = Counter((p.months_eligible, p.months_active) for p in group)
        for j, (eligible, active) in enumerate(found):
            bit = 1 << j
            eligible[key] = sum(n for (e, _a), n in masks.items() if e & bit)
            active[key] = sum(n for (_e, a), n in masks.items() if a & bit)
    return found


def _cell(table: Protected, key: Key) -> Cell:
    return Cell(table.get(key), table.why(key))


def _tables(facts: _Facts, axes: list[list[Hashable]]) -> tuple[dict[str, Protected], Protected]:
    k = facts.minimum
    groups = _groups([p for p in facts.people if p.eligible], set(axes[1]))
    tests: dict[str, Callable[[_Person], bool]] = {
        "eligible": lambda p: True,
        "activated": lambda p: p.activated,
        "active": lambda p: p.active,
        "meeting_dose": lambda p: p.meeting_dose,
        "journeys_completed": lambda p: p.completed,
        "challenge_participants": lambda p: p.challenger,
    }
    tables: dict[str, Protected] = {}
    for key, test in tests.items():
        also: list[Key] = []
        if key == "meeting_dose":
            # Whether a group meets the dose is said only of a group of at least k active.
            active = tables["active"]
            also = [c for c in active.values if not over_group(active.get(c), k)]
        tables[key] = protect(_count(groups, test), axes, k, also)
    band_cells: dict[Key, int] = {}
    for cell, group in groups.items():
        for p in group:
            if p.band is not None:
                band_cells[(*cell, p.band)] = band_cells.get((*cell, p.band), 0) + 1
    bands = protect(band_cells, [*axes, list(rules.BAND_KEYS)], k)
    return tables, bands


def _figure_cells(tables: dict[str, Protected], bands: Protected, key: Key) -> dict[str, Cell]:
    cells = {name: _cell(t, key) for name, t in tables.items()}
    cells["journeys_started"] = _cell(bands, (*key, TOTAL))
    cells["journeys_adhered"] = _cell(bands, (*key, "adhered"))
    return cells


def _share(part: Cell, whole: Cell | None, minimum: int) -> float | None:
    if whole is None or part.value is None or not over_group(whole.value, minimum):
        return None
    assert whole.value is not None
    return part.value / whole.value


def _scoped_location(claims: AccessClaims, location_id: uuid.UUID | None) -> uuid.UUID | None:
    """The location a report is cut to. Staff limited to some locations read their own only:
    one of theirs if they named none and have one, a clear refusal if they have several
    (the account's whole figures would include locations they do not manage)."""
    if claims.location_ids is None:
        return location_id
    if location_id is not None:
        if not claims.sees_location(location_id):
            raise NotFound(f"location {location_id} was not found")
        return location_id
    if len(claims.location_ids) == 1:
        return next(iter(claims.location_ids))
    raise InvalidInput(
        "choose one of your locations (location_id): your role covers only some of the "
        "account's locations"
    )


def report(
    read_uow: Callable[[], UnitOfWork],
    claims: AccessClaims,
    account_id: uuid.UUID,
    first: date | None = None,
    last: date | None = None,
    department_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> Report:
    """The account's report for the months ``first``..``last`` (default: the 12 months to
    this one), for one department and/or location if asked."""
    location_id = _scoped_location(claims, location_id)
    with read_uow() as uow:
        facts = _facts(uow.db, claims, account_id, first, last)
        if department_id is not None and department_id not in facts.depts:
            raise NotFound("department not found")
        if location_id is not None and not _location_names(uow.db, claims.tenant_id, [location_id]):
            raise NotFound(f"location {location_id} was not found")
    depts, locs = _axes(facts)
    if location_id is not None and location_id not in locs:
        locs.append(location_id)  # nobody of the account there: a column of zeros
    axes = [depts, locs]
    k = facts.minimum
    tables, bands = _tables(facts, axes)
    d_sel: Hashable = department_id if department_id is not None else TOTAL
    l_sel: Hashable = location_id if location_id is not None else TOTAL
    cells = _figure_cells(tables, bands, (d_sel, l_sel))
    summary = [
        FigureRow(key, label, cells[key], _share(cells[key], cells.get(of) if of else None, k), of)
        for key, label, of in rules.FIGURES
    ]
    by_department = [
        GroupRow(
            d if isinstance(d, uuid.UUID) else None,
            facts.depts.get(d, _NO_DEPARTMENT) if isinstance(d, uuid.UUID) else _NO_DEPARTMENT,
            _figure_cells(tables, bands, (d, l_sel)),
        )
        for d in depts
        if department_id is None or d == department_id
    ]
    by_location = [
        GroupRow(
            loc if isinstance(loc, uuid.UUID) else None,
            facts.locs.get(loc, _NO_LOCATION) if isinstance(loc, uuid.UUID) else _NO_LOCATION,
            _figure_cells(tables, bands, (d_sel, loc)),
        )
        for loc in locs
        if location_id is None or loc == location_id
    ]
    started = cells["journeys_started"]
    band_rows = [
        FigureRow(
            key,
            label,
            c := _cell(bands, (d_sel, l_sel, key)),
            _share(c, started, k),
            "journeys_started",
        )
        for key, label, _low, _below in rules.BANDS
    ]
    trend = []
    everyone = _groups(facts.people, set(locs))
    monthly = _by_month(everyone, len(facts.trend))
    for month, (eligible_cells, active_cells) in zip(facts.trend, monthly, strict=True):
        eligible = protect(eligible_cells, axes, k)
        active = protect(active_cells, axes, k)
        e, a = _cell(eligible, (d_sel, l_sel)), _cell(active, (d_sel, l_sel))
        trend.append(MonthRow(month, e, a, _share(a, e, k)))
    return Report(
        account_id=facts.account.id,
        account_name=facts.account.name,
        first=facts.period.first,
        last=facts.period.last,
        department_id=department_id,
        department=facts.depts.get(department_id) if department_id else None,
        location_id=location_id,
        location=facts.locs.get(location_id) if location_id else None,
        min_group=k,
        summary=summary,
        by_department=by_department,
        by_location=by_location,
        bands=band_rows,
        trend=trend,
    )


@dataclass(frozen=True, slots=True)
class Individual:
    employee_id: uuid.UUID
    employee_ref: str | None
    name: str
    department: str
    location: str
    #: What the employee consented to show, "participation" and/or "journeys".
    scopes: tuple[str, ...]
    visits: int | None = None
    active_months: int | None = None
    meeting_dose: bool | None = None
    challenges_joined: bool | None = None
    journeys_started: int | None = None
    journeys_completed: int | None = None
    adherence_band: str | None = None


def individuals(
    read_uow: Callable[[], UnitOfWork],
    claims: AccessClaims,
    account_id: uuid.UUID,
    first: date | None = None,
    last: date | None = None,
    department_id: uuid.UUID | None = None,
    location_id: uuid.UUID | None = None,
) -> tuple[rules.Period, list[Individual]]:
    """One row per employee who consented to individual reporting (only what each scope
    they gave covers; never screening answers, flags or assessments), with the filters of
    the report."""
    location_id = _scoped_location(claims, location_id)
    with read_uow() as uow:
        facts = _facts(uow.db, claims, account_id, first, last)
        if department_id is not None and department_id not in facts.depts:
            raise NotFound("department not found")
        ids = [r.id for r in facts.roster]
        given = {s: repo.consenting(uow.db, claims.tenant_id, ids, s) for s in rules.SCOPES}
    labels = {key: label for key, label, *_ in rules.BANDS}
    found = []
    for row, p in zip(facts.roster, facts.people, strict=True):
        scopes = tuple(s for s in rules.SCOPES if row.id in given[s])
        if not scopes or row.member_id is None:
            continue
        if department_id is not None and row.department_id != department_id:
            continue
        if location_id is not None and row.location_id != location_id:
            continue
        person = Individual(
            employee_id=row.id,
            employee_ref=row.employee_ref,
            name=" ".join(n for n in (row.first_name, row.last_name) if n) or "–",
            department=facts.depts.get(row.department_id, _NO_DEPARTMENT)
            if row.department_id
            else _NO_DEPARTMENT,
            location=facts.locs.get(row.location_id, _NO_LOCATION)
            if row.location_id
            else _NO_LOCATION,
            scopes=scopes,
        )
        if "participation" in scopes:
            person = replace(
                person,
                visits=p.sessions,
                active_months=p.active_months,
                meeting_dose=p.meeting_dose,
                challenges_joined=p.challenger,
            )
        if "journeys" in scopes:
            person = replace(
                person,
                journeys_started=p.journeys_started,
                journeys_completed=p.journeys_completed,
                adherence_band=labels.get(p.band) if p.band else None,
            )
        found.append(person)
    found.sort(key=lambda i: (i.department, i.name))
    return facts.period, found


# --- consents ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConsentView:
    employee_id: uuid.UUID
    account_id: uuid.UUID
    account_name: str
    scope: str
    granted_at: object
    revoked_at: object


def _member(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("consents are the member's own")


def my_consents(
    uow: UnitOfWork, claims: AccessClaims
) -> tuple[list[CorporateEmployee], list[CorporateConsent], dict[uuid.UUID, str]]:
    """The member's roster rows, their consents (revoked ones too) and the accounts' names."""
    _member(claims)
    with uow:
        rows = repo.member_roster_rows(uow.db, claims.tenant_id, claims.subject_id)
        consents = repo.consents_of(uow.db, claims.tenant_id, [r.id for r in rows])
        names = {
            r.account_id: a.name
            for r in rows
            if (a := uow.db.get(CorporateAccount, (claims.tenant_id, r.account_id))) is not None
        }
        uow.db.expunge_all()
    return rows, consents, names


def _scope(scope: str) -> str:
    if scope not in rules.SCOPES:
        raise InvalidInput(f"scope is one of: {', '.join(rules.SCOPES)}")
    return scope


def grant(uow: UnitOfWork, claims: AccessClaims, scope: str) -> list[CorporateConsent]:
    """Consent to ``scope`` for every employer whose roster holds the member; a consent that
    stands already is kept (its date is when it was first given)."""
    _member(claims)
    _scope(scope)
    with uow:
        rows = repo.member_roster_rows(uow.db, claims.tenant_id, claims.subject_id)
        if not rows:
            raise NotFound("you are not on an employer's roster")
        standing = repo.consenting(uow.db, claims.tenant_id, [r.id for r in rows], scope)
        made = []
        for row in rows:
            if row.id in standing:
                continue
            consent = CorporateConsent(
                tenant_id=claims.tenant_id,
                id=new_id(),
                employee_id=row.id,
                scope=scope,
                granted_at=utcnow(),
            )
            uow.db.add(consent)
            made.append(consent)
        uow.commit()
        for c in made:
            uow.db.refresh(c)
        uow.db.expunge_all()
    return made


def revoke(uow: UnitOfWork, claims: AccessClaims, scope: str) -> int:
    """Revoke the member's consents of ``scope`` (kept, dated); how many were standing."""
    _member(claims)
    _scope(scope)
    with uow:
        rows = repo.member_roster_rows(uow.db, claims.tenant_id, claims.subject_id)
        now = utcnow()
        count = 0
        for consent in repo.consents_of(uow.db, claims.tenant_id, [r.id for r in rows]):
            if consent.scope == scope and consent.revoked_at is None:
                consent.revoked_at = now
                count += 1
        uow.commit()
    return count


def filter_choices(
    read_uow: Callable[[], UnitOfWork], claims: AccessClaims, account_id: uuid.UUID
) -> tuple[str, dict[uuid.UUID, str], dict[uuid.UUID, str]]:
    """The account's name, its departments and the locations its roster uses (for the
    report's filters)."""
    with read_uow() as uow:
        account = visible_account(uow.db, claims, account_id)
        depts = repo.departments(uow.db, claims.tenant_id, account_id)
        roster = repo.roster(uow.db, claims.tenant_id, account_id)
        locs = _location_names(
            uow.db, claims.tenant_id, {r.location_id for r in roster if r.location_id}
        )
        if claims.location_ids is not None:
            locs = {k: v for k, v in locs.items() if k in claims.location_ids}
        return account.name, depts, locs
