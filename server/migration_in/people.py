"""Members and memberships from another system's files."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select, update

from server.db.bulk import among, chunks
from server.members import csv_import
from server.members.csv_import import ImportLocation, ImportRow, RowError
from server.members.models import Member
from server.migration_in import rules
from server.migration_in.importer import KEY_CHUNK, Context, Raw, Record, texts_among
from server.migration_in.models import MigrationKey
from server.plans import renewal_rules
from server.plans.models import AccessPlan, Membership
from shared.enums import MemberSource, PlanKind
from shared.normalise import fold, name_search_key


class Members:
    name = "members"
    model = Member

    def prepare(self, ctx: Context, raws: list[Raw]) -> tuple[list[Record], list[RowError]]:
        errors: list[RowError] = []
        rows: list[ImportRow] = []
        external: dict[int, str] = {}
        for raw in raws:
            checked = self._check(ctx, raw)
            if isinstance(checked, RowError):
                errors.append(checked)
            else:
                rows.append(checked)
                external[raw.line] = raw.external_id
        if any(row.location_name for row in rows):
            locations = [ImportLocation(loc.id, loc.name) for loc in ctx.locations()]
            rows, unresolved = csv_import.resolve_names(rows, locations, [])
            errors += unresolved
        known = {loc.id for loc in ctx.locations()}
        rows, clashes, links = self._not_taken(ctx, rows, external, known)
        rows, duplicates = csv_import.drop_duplicates(rows)
        records = [
            Record(row.line, external[row.line], _member_values(row), _member_row(row))
            for row in rows
        ]
        for record in records:
            if (owner := links.get(record.line)) is not None:
                record.zmos_id, record.linked = owner, True
        return records, errors + clashes + duplicates

    def _check(self, ctx: Context, raw: Raw) -> ImportRow | RowError:
        values = {name: raw.values.get(name, "") for name in csv_import.COLUMNS}
        values["home_location"] = raw.values.get("home_location", "")
        born = values["date_of_birth"]
        if born:
            try:
                values["date_of_birth"] = rules.parse_date(born, ctx.date_format).isoformat()
            except ValueError as exc:
                return RowError(raw.line, f"date_of_birth {exc}")
        return csv_import.validate_row(raw.line, values, ctx.today)

    def _not_taken(
        self,
        ctx: Context,
        rows: list[ImportRow],
        external: dict[int, str],
        known: set[uuid.UUID],
    ) -> tuple[list[ImportRow], list[RowError], dict[int, uuid.UUID]]:
        """Values another member (not the one this row updates) already holds; and, when
        linking by email, the existing member each new row's email names (by line)."""
        owners: dict[tuple[str, str], uuid.UUID] = {}
        for name in csv_import.UNIQUE:
            column = getattr(Member, name)
            wanted = list({v for row in rows if (v := getattr(row, name))})
            for start in range(0, len(wanted), KEY_CHUNK):
                found = ctx.db.execute(
                    select(column, Member.id).where(
                        Member.tenant_id == ctx.tenant_id,
                        texts_among(ctx.db, column, wanted[start : start + KEY_CHUNK]),
                    )
                )
                owners.update({(name, value): owner for value, owner in found})
        taken: dict[str, set[str]] = {name: set() for name in csv_import.UNIQUE}
        kept: list[ImportRow] = []
        errors: list[RowError] = []
        links: dict[int, uuid.UUID] = {}
        keyed = self._keyed(ctx, owners) if ctx.link_by_email else set()
        for row in rows:
            own = ctx.existing.get(external[row.line], (None, ""))[0]
            owner = owners.get(("email", row.email or ""))
            # A member another record of this system became already is a clash: two of its
            # records cannot be one member.
            if own is None and ctx.link_by_email and owner is not None and owner not in keyed:
                own = links[row.line] = owner
            clash = {
                name
                for name in csv_import.UNIQUE
                if (value := getattr(row, name)) and owners.get((name, value), own) != own
            }
            for name in clash:
                taken[name].add(getattr(row, name))
            good, bad = csv_import.reject_taken([row], taken, known)
            kept += good
            errors += bad
            for name in clash:
                taken[name].discard(getattr(row, name))
        return kept, errors, {line: o for line, o in links.items() if line not in bad_lines(errors)}

    def _keyed(self, ctx: Context, owners: dict[tuple[str, str], uuid.UUID]) -> set[uuid.UUID]:
        """Which of the email owners a record of this source system became already."""
        ids = list({owner for (name, _), owner in owners.items() if name == "email"})
        found: set[uuid.UUID] = set()
        for part in chunks(ids):
            found.update(
                ctx.db.execute(
                    select(MigrationKey.zmos_id).where(
                        MigrationKey.tenant_id == ctx.tenant_id,
                        MigrationKey.source_system == ctx.source,
                        MigrationKey.entity == self.name,
                        among(ctx.db, MigrationKey.zmos_id, part),
                    )
                ).scalars()
            )
        return found

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        return []

    def update(self, ctx: Context, record: Record) -> None:
        values = {k: v for k, v in record.row.items() if k not in _FIXED}
        if record.linked:
            values = self._missing(ctx, record)
            if not values:
                return
        ctx.db.execute(
            update(Member)
            .where(Member.tenant_id == ctx.tenant_id, Member.id == record.zmos_id)
            .values(**values, updated_at=ctx.now)
        )

    def _missing(self, ctx: Context, record: Record) -> dict[str, Any]:
        """The row's values for what the linked member has not got: nothing of theirs is
        overwritten."""
        fields = csv_import.MEMBER_FIELDS
        current = ctx.db.execute(
            select(*(getattr(Member, name) for name in fields)).where(
                Member.tenant_id == ctx.tenant_id, Member.id == record.zmos_id
            )
        ).one()
        return {
            name: record.row[name]
            for name, held in zip(fields, current, strict=True)
            if held in (None, "") and record.row.get(name) not in (None, "")
        }

    def finish(self, ctx: Context, written: list[Record]) -> None:
        return None


def bad_lines(errors: list[RowError]) -> set[int]:
    return {e.line for e in errors}


#: Set when the member is created, never by a re-run.
_FIXED = {"source", "fitness_goals", "preferences", "token_generation"}


def _member_values(row: ImportRow) -> dict[str, Any]:
    return {name: getattr(row, name) for name in csv_import.MEMBER_FIELDS}


def _member_row(row: ImportRow) -> dict[str, Any]:
    return _member_values(row) | {
        "search_key": name_search_key(row.first_name, row.last_name)[:210],
        "source": MemberSource.IMPORT.value,
        "fitness_goals": [],
        "preferences": {},
        "token_generation": 0,
    }


class Memberships:
    name = "memberships"
    model = Membership

    def prepare(self, ctx: Context, raws: list[Raw]) -> tuple[list[Record], list[RowError]]:
        plans = list(
            ctx.db.execute(
                select(AccessPlan.id, AccessPlan.name).where(AccessPlan.tenant_id == ctx.tenant_id)
            )
        )
        periods = {
            plan_id: period
            for plan_id, period in ctx.db.execute(
                select(AccessPlan.id, AccessPlan.billing_period).where(
                    AccessPlan.tenant_id == ctx.tenant_id,
                    AccessPlan.kind == PlanKind.RECURRING.value,
                    AccessPlan.billing_period.is_not(None),
                )
            )
        }
        records: list[Record] = []
        errors: list[RowError] = []
        for raw in raws:
            reasons: list[str] = []
            member = ctx.ref("member", raw, reasons)
            plan = _plan(raw.values["plan"], plans, reasons)
            values = self._dates(ctx, raw, reasons)
            if reasons or member is None or plan is None:
                errors.append(RowError(raw.line, "; ".join(reasons)))
                continue
            values |= {"member_id": member, "plan_id": plan}
            row = (
                values
                | {"source": MemberSource.IMPORT.value, "failed_charges": 0}
                | renewal_columns(values, periods.get(plan), ctx.today)
            )
            records.append(Record(raw.line, raw.external_id, values, row))
        return records, errors

    def _dates(self, ctx: Context, raw: Raw, reasons: list[str]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("starts_on", "ends_on"):
            text = raw.values.get(name, "")
            try:
                values[name] = rules.parse_date(text, ctx.date_format) if text else None
            except ValueError as exc:
                reasons.append(f"{name} {exc}")
        starts, ends = values.get("starts_on"), values.get("ends_on")
        if starts and ends and ends < starts:
            reasons.append("ends_on is before starts_on")
        status = raw.values.get("status", "")
        try:
            if status:
                values["status"] = rules.word_of(rules.MEMBERSHIP_STATUS, status, "status")
            elif starts:
                values["status"] = (
                    "expired"
                    if ends and ends < ctx.today
                    else ("pending" if starts > ctx.today else "active")
                )
        except ValueError as exc:
            reasons.append(str(exc))
        credits = raw.values.get("credits_remaining", "")
        try:
            values["credits_remaining"] = (
                rules.parse_count(credits, "credits_remaining", least=0, most=10_000)
                if credits
                else None
            )
        except ValueError as exc:
            reasons.append(str(exc))
        return values

    def check_changes(self, ctx: Context, records: list[Record]) -> list[RowError]:
        return []

    def update(self, ctx: Context, record: Record) -> None:
        values = {k: v for k, v in record.row.items() if k not in ("source", "failed_charges")}
        ctx.db.execute(
            update(Membership)
            .where(Membership.tenant_id == ctx.tenant_id, Membership.id == record.zmos_id)
            .values(**values, updated_at=ctx.now)
        )

    def finish(self, ctx: Context, written: list[Record]) -> None:
        return None


#: Statuses whose membership goes on: the renewal job charges them (a frozen one once
#: its freeze ends).
_GOING_ON = ("active", "pending", "frozen")


def renewal_columns(
    values: dict[str, Any], billing_period: str | None, today: date
) -> dict[str, Any]:
    """A recurring membership that goes on renews as one sold on its start date does:
    billed up to today (the other system took those payments), renewing on its next
    anniversary of ``starts_on``. One that ended, or any other plan's, never renews."""
    none: dict[str, Any] = {"periods_billed": None, "next_renewal_on": None, "next_charge_on": None}
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if (
        billing_period is None
        or starts is None
        or values.get("status") not in _GOING_ON
        or (ends is not None and ends < today)
    ):
        return none
    periods = renewal_rules.periods_covering(starts, billing_period, max(today, starts))
    renews = renewal_rules.renewal_on(starts, billing_period, periods)
    return {"periods_billed": periods, "next_renewal_on": renews, "next_charge_on": renews}


def _plan(text: str, plans: list[Any], reasons: list[str]) -> uuid.UUID | None:
    """A ZMOS plan named by its name or id, whatever the case and accents."""
    wanted = fold(text.strip())
    found = [pid for pid, name in plans if str(pid) == wanted or fold(name.strip()) == wanted]
    if len(found) == 1:
        plan_id: uuid.UUID = found[0]
        return plan_id
    why = "names several of your plans: use its id" if found else "is not one of your plans"
    reasons.append(f"plan {text!r} {why}")
    return None


__all__ = ["Members", "Memberships"]
