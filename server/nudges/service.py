"""The nudge job and the use cases of nudge settings and history.

The job gathers each tenant's candidates (classes soon, streaks at risk, lapses, no-shows),
decides each with the pure rules and records every decision but a wait. Each record is its
own transaction: the row's unique subject decides which process sends, and the notice is
queued in the same transaction, so a nudge is sent once however many processes run the job.
A send also counts the member's week again with their row locked, so the cap holds too.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.db.uow import UnitOfWork
from server.errors import NotFound
from server.notices import rules as notice_rules
from server.notices import service as notices
from server.nudges import repository as repo
from server.nudges import rules
from server.nudges.models import Nudge, NudgePolicy, NudgeSettings
from server.nudges.rules import Candidate, NudgeKind
from server.nudges.schemas import (
    NudgePage,
    NudgePolicyRead,
    NudgePolicyWrite,
    NudgeRead,
    NudgeSettingsRead,
    NudgeSettingsWrite,
)
from server.tenants.models import Tenant
from shared.clock import utcnow
from shared.engagement.streaks import StreakRisk
from shared.ids import new_id
from shared.quiet_hours import QuietHours

log = logging.getLogger("zmos.nudges")

StreaksAtRisk = Callable[[UnitOfWork, uuid.UUID, datetime], list[StreakRisk]]
#: Tenants read per query while walking all of them.
TENANT_BATCH = 50

#: Class reminders go on the channels a member chose for reminders; the rest as nudges.
_MESSAGE_KINDS = {NudgeKind.CLASS_REMINDER: notice_rules.Kind.REMINDER}
_HEADLINES = {
    NudgeKind.CLASS_REMINDER: "Reminder: {name} at {at}",
    NudgeKind.STREAK_PROTECTION: "One session this week keeps your {current}-{span} streak",
    NudgeKind.LAPSED: "We miss you: a short session counts",
    NudgeKind.NO_SHOW: "We missed you at {name}: book your next class",
}


def _no_streaks(uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime) -> list[StreakRisk]:
    return []


def run_nudges(
    uow_factory: Callable[[], UnitOfWork],
    now: datetime | None = None,
    *,
    streaks_at_risk: StreaksAtRisk = _no_streaks,
) -> int:
    """Decide and record every due nudge of every tenant; the number sent."""
    now = now or utcnow()
    sent = 0
    after: uuid.UUID | None = None
    while True:
        with uow_factory() as uow:
            query = select(Tenant.id).order_by(Tenant.id).limit(TENANT_BATCH)
            if after is not None:
                query = query.where(Tenant.id > after)
            tenant_ids = list(uow.db.execute(query).scalars())
        for tenant_id in tenant_ids:
            try:
                sent += _run_tenant(uow_factory, tenant_id, now, streaks_at_risk)
            except Exception:
                log.exception("nudges of tenant %s failed; the next run tries again", tenant_id)
        if len(tenant_ids) < TENANT_BATCH:
            return sent
        after = tenant_ids[-1]


_Pending = tuple[uuid.UUID, Candidate, str]


def _candidates(
    uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime, streaks_at_risk: StreaksAtRisk
) -> tuple[repo.Policy, list[_Pending], dict[uuid.UUID, repo.Recipient]]:
    db = uow.db
    policy = repo.policy(db, tenant_id)
    before = timedelta(minutes=policy.reminder_minutes)
    upcoming = repo.upcoming_classes(db, tenant_id, now, before)
    no_shows = repo.recent_no_shows(db, tenant_id, now)
    lapsed = repo.lapsed_members(db, tenant_id, now, policy.lapse_days)
    risks = [r for r in streaks_at_risk(uow, tenant_id, now) if rules.worth_warning(r)]
    members = (
        {b.member_id for b in upcoming}
        | {b.member_id for b in no_shows}
        | {m for m, _ in lapsed}
        | {r.member_id for r in risks}
    )
    people = repo.recipients(db, tenant_id, members)
    found: list[_Pending] = []
    for b in upcoming:
        if (person := people.get(b.member_id)) is None:
            continue
        at = rules.clock(b.starts_at.astimezone(person.zone).time())
        candidate = Candidate(
            NudgeKind.CLASS_REMINDER,
            f"booking:{b.booking_id}",
            due_at=b.starts_at - before,
            why=rules.reminder_why(b.class_name, b.starts_at, before, person.zone),
            done=b.checked_in,
            deadline=b.starts_at,
        )
        headline = _HEADLINES[NudgeKind.CLASS_REMINDER].format(name=b.class_name, at=at)
        found.append((b.member_id, candidate, headline))
    for risk in risks:
        if risk.member_id not in people:
            continue
        candidate = Candidate(
            NudgeKind.STREAK_PROTECTION,
            f"streak:{risk.unit}:{risk.period_ends_on.isoformat()}",
            due_at=now,
            why=rules.streak_why(risk.unit, risk.current, risk.minutes_needed, risk.period_ends_on),
        )
        span = "week" if risk.unit == "week" else "day"
        headline = _HEADLINES[NudgeKind.STREAK_PROTECTION].format(current=risk.current, span=span)
        found.append((risk.member_id, candidate, headline))
    for member_id, last in lapsed:
        if (person := people.get(member_id)) is None:
            continue
        candidate = Candidate(
            NudgeKind.LAPSED,
            f"lapse:{last.isoformat()}",
            due_at=last + timedelta(days=policy.lapse_days),
            why=rules.lapsed_why(last, policy.lapse_days, person.zone),
        )
        found.append((member_id, candidate, _HEADLINES[NudgeKind.LAPSED]))
    for b in no_shows:
        if (person := people.get(b.member_id)) is None:
            continue
        candidate = Candidate(
            NudgeKind.NO_SHOW,
            f"no_show:{b.booking_id}",
            due_at=b.starts_at,
            why=rules.no_show_why(b.class_name, b.starts_at, person.zone),
            done=b.booked_again,
        )
        headline = _HEADLINES[NudgeKind.NO_SHOW].format(name=b.class_name)
        found.append((b.member_id, candidate, headline))
    return policy, found, people


def _run_tenant(
    uow_factory: Callable[[], UnitOfWork],
    tenant_id: uuid.UUID,
    now: datetime,
    streaks_at_risk: StreaksAtRisk,
) -> int:
    with uow_factory() as uow:
        policy, found, people = _candidates(uow, tenant_id, now, streaks_at_risk)
        if not found:
            return 0
        done = repo.recorded(uow.db, tenant_id, (c.subject_key for _, c, _ in found))
        found = [f for f in found if (f[0], f[1].kind.value, f[1].subject_key) not in done]
        members = {member_id for member_id, _, _ in found}
        prefs = repo.preferences_of(uow.db, tenant_id, members)
        counts = repo.sent_since(uow.db, tenant_id, members, now - rules.CAP_WINDOW)
    sent = 0
    # Due first, so that under the cap the older promise goes before the newer.
    for member_id, candidate, headline in sorted(found, key=lambda f: f[1].due_at):
        person = people[member_id]
        chosen = prefs[member_id]
        if person.reminders_off:
            chosen = replace(chosen, opted_out=chosen.opted_out | {NudgeKind.CLASS_REMINDER})
        decision = rules.decide(
            candidate,
            chosen,
            person.zone,
            now,
            sent_in_window=counts.get(member_id, 0),
            weekly_cap=policy.weekly_cap,
        )
        if decision.action is rules.Action.WAIT:
            continue
        recorded = _record(
            uow_factory,
            tenant_id,
            member_id,
            candidate,
            decision,
            now,
            person,
            headline,
            policy.weekly_cap,
            chosen.quiet,
        )
        if recorded is rules.Action.SEND:
            sent += 1
            counts[member_id] = counts.get(member_id, 0) + 1
    return sent


def _record(
    uow_factory: Callable[[], UnitOfWork],
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    candidate: Candidate,
    decision: rules.Decision,
    now: datetime,
    person: repo.Recipient,
    headline: str,
    weekly_cap: int,
    quiet: QuietHours,
) -> rules.Action | None:
    """Insert the nudge and, if it is sent, queue its notice: one transaction, which
    another process's insert of the same subject makes fail as a whole. What was recorded
    (sent or skipped); None if another process recorded it first."""
    sending = decision.action is rules.Action.SEND
    reason = decision.reason
    try:
        with uow_factory() as uow:
            if sending:
                # Another process may be sending this member another nudge right now: with
                # the member locked, the cap is counted again from what is committed.
                repo.lock_member(uow.db, tenant_id, member_id)
                since = now - rules.CAP_WINDOW
                sent = repo.sent_since(uow.db, tenant_id, [member_id], since).get(member_id, 0)
                if sent >= weekly_cap:
                    sending, reason = False, rules.Skip.CAP
            nudge = Nudge(
                tenant_id=tenant_id,
                id=new_id(),
                member_id=member_id,
                kind=candidate.kind.value,
                subject_key=candidate.subject_key,
                why=candidate.why[:300],
                due_at=candidate.due_at,
                created_at=now,
                sent_at=now if sending else None,
                skipped=None if reason is None else reason.value,
            )
            uow.db.add(nudge)
            uow.flush()
            if sending:
                mail = rules.message(candidate.kind, candidate.why, headline)
                queued = notices.to_member(
                    uow=uow,
                    tenant_id=tenant_id,
                    member_id=member_id,
                    kind=_MESSAGE_KINDS.get(candidate.kind, notice_rules.Kind.NUDGE),
                    subject=mail.subject,
                    body=f"Hello {person.first_name},\n\n{mail.body}",
                    topic=f"nudge.{candidate.kind.value}",
                    quiet=quiet,
                )
                if not queued:  # no channel chosen for this kind (or unsubscribed)
                    sending = False
                    nudge.sent_at, nudge.skipped = None, rules.Skip.OPTED_OUT.value
            uow.commit()
    except IntegrityError:
        return None  # another process recorded it first
    return rules.Action.SEND if sending else rules.Action.SKIP


# --- use cases of the API ------------------------------------------------------------------


def _page(
    uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, limit: int, offset: int
) -> NudgePage:
    with uow:
        if not repo.member_exists(uow.db, tenant_id, member_id):
            raise NotFound(f"member {member_id} was not found")
        rows, total = repo.nudges_of(uow.db, tenant_id, member_id, limit, offset)
        items = [NudgeRead.model_validate(row) for row in rows]
    more = offset + len(items) < total
    return NudgePage(items=items, next_offset=offset + len(items) if more else None)


def member_nudges(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, limit: int, offset: int
) -> NudgePage:
    """A member's nudges, newest first, sent or skipped, each with why."""
    return _page(uow, tenant_id, member_id, limit, offset)


def _settings_read(prefs: rules.Preferences) -> NudgeSettingsRead:
    return NudgeSettingsRead(
        opted_out=sorted(prefs.opted_out),
        quiet_start=rules.clock(prefs.quiet.start),
        quiet_end=rules.clock(prefs.quiet.end),
    )


def get_settings(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID
) -> NudgeSettingsRead:
    with uow:
        return _settings_read(repo.preferences(uow.db.get(NudgeSettings, (tenant_id, member_id))))


def put_settings(
    *, uow: UnitOfWork, tenant_id: uuid.UUID, member_id: uuid.UUID, cmd: NudgeSettingsWrite
) -> NudgeSettingsRead:
    start, end = rules.parse_clock(cmd.quiet_start), rules.parse_clock(cmd.quiet_end)
    with uow:
        if not repo.member_exists(uow.db, tenant_id, member_id):
            raise NotFound(f"member {member_id} was not found")
        row = uow.db.get(NudgeSettings, (tenant_id, member_id))
        if row is None:
            row = NudgeSettings(tenant_id=tenant_id, member_id=member_id)
            uow.db.add(row)
        row.opted_out = sorted({k.value for k in cmd.opted_out})
        row.quiet_start_minute = start.hour * 60 + start.minute
        row.quiet_end_minute = end.hour * 60 + end.minute
        row.updated_at = utcnow()
        uow.flush()
        result = _settings_read(repo.preferences(row))
        uow.commit()
    return result


def get_policy(*, uow: UnitOfWork, tenant_id: uuid.UUID) -> NudgePolicyRead:
    with uow:
        p = repo.policy(uow.db, tenant_id)
    return NudgePolicyRead(
        weekly_cap=p.weekly_cap, reminder_minutes=p.reminder_minutes, lapse_days=p.lapse_days
    )


def put_policy(*, uow: UnitOfWork, tenant_id: uuid.UUID, cmd: NudgePolicyWrite) -> NudgePolicyRead:
    with uow:
        row = uow.db.get(NudgePolicy, tenant_id)
        if row is None:
            row = NudgePolicy(tenant_id=tenant_id)
            uow.db.add(row)
        row.weekly_cap = cmd.weekly_cap
        row.reminder_minutes = cmd.reminder_minutes
        row.lapse_days = cmd.lapse_days
        row.updated_at = utcnow()
        uow.commit()
    return NudgePolicyRead(**cmd.model_dump())
