"""The engagement projection: what the movement ledger feeds, kept per member.

The ledger's writers only insert rows (a door check-in never waits for streaks). Rows start
with ``projected_seq`` NULL; the projector takes a tenant's pending rows (and pending streak
pauses) in id order, applies the pure rules of ``shared.engagement`` to each member's state,
and stamps each row with the next number of the tenant's sequence, in the order applied. A
rebuild replays in that order, so it reaches exactly what the incremental path reached,
events that arrived late included ("the 10th class" is the 10th to be projected).

**One projector per tenant at a time.** The tenant's row in ``engagement_cursors`` is the
lock: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (a second process skips the tenant
rather than waits); on SQLite the cursor is written first, which takes the database's write
lock, so a second process waits and then finds nothing pending.

**Voids and corrections.** The streak and score rules only add. When a batch holds a void,
a correction, or an event already voided, the member is rebuilt in the same run: their
projected events and pauses are replayed in sequence order, voided events left out, and
their awards recomputed (a badge whose reason was voided is taken back, so that the state is
always what a rebuild from the ledger would give). Challenge completions stay: they are the
observers' to decide.

**Decoded states are kept** between batches and runs of one process (``StateCache``),
checked against the row's ``revision``: every write of a state row writes a new random
revision, so a state another process, a rebuild or a member's goal changed is read again.

**Observers** (challenges, …) see every batch's entries before the badge rules run, so a
challenge completed by an entry earns its badge in the same run.
"""

from __future__ import annotations

import json
import secrets
import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Uuid, any_, delete, insert, literal, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.db.uow import UnitOfWork
from server.engagement import sync as kiosk_sync
from server.engagement.models import (
    BadgeAward,
    EngagementCursor,
    MemberEngagement,
    MovementEvent,
    StreakPause,
)
from server.engagement.repository import MemberDays
from server.engagement.service import entry_of
from server.outbox import record as outbox
from server.ports.analytics import PublishedEvent
from server.tenants.models import Tenant
from shared.clock import ensure_utc, utcnow
from shared.engagement import codec
from shared.engagement.badges import (
    DEFAULT_RULES,
    Award,
    CompletedChallenge,
    Rule,
    award,
)
from shared.engagement.challenges import EngagementEvent
from shared.engagement.dose import DayDose, week_start
from shared.engagement.streaks import Pause, StreakRisk, StreakState
from shared.evolve import evolve
from shared.ids import new_id
from shared.movement import LedgerEntry, MovementIntensity, local_date

#: Awards the observers decide (challenge completions): a member rebuild keeps them.
OBSERVED_PREFIX = "challenge:"
#: The key of a session's own points: no other event can earn it. Counted in the member's
#: points, never stored as an award row (the ledger event is its explanation).
EVENT_PREFIX = "event:"


@dataclass(frozen=True)
class Observed:
    #: members who completed challenges through these entries
    completed: Mapping[uuid.UUID, tuple[CompletedChallenge, ...]] = field(default_factory=dict)
    published: Sequence[PublishedEvent] = ()


class LedgerObserver(Protocol):
    def observe(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        entries: Sequence[LedgerEntry],
        now: datetime,
    ) -> Observed: ...

    def reset(self, uow: UnitOfWork, tenant_id: uuid.UUID) -> None: ...  # before a rebuild


@dataclass(frozen=True)
class Projected:
    #: Ledger events and pauses stamped by this run.
    applied: int = 0
    #: To publish once the caller has committed.
    published: tuple[PublishedEvent, ...] = ()
    #: Another process held the tenant's cursor: nothing was done.
    busy: bool = False


_EVENT_COLUMNS = (
    MovementEvent.id,
    MovementEvent.member_id,
    MovementEvent.kind,
    MovementEvent.minutes,
    MovementEvent.intensity,
    MovementEvent.provenance,
    MovementEvent.source,
    MovementEvent.occurred_at,
    MovementEvent.local_date,
    MovementEvent.zone,
    MovementEvent.voids,
    MovementEvent.location_id,
    MovementEvent.session_id,
    MovementEvent.is_void,
    MovementEvent.voided_by,
    MovementEvent.recorded_at,
)


def _dose(entry: LedgerEntry) -> DayDose:
    moderate = entry.minutes if entry.intensity == MovementIntensity.MODERATE else 0
    vigorous = entry.minutes if entry.intensity == MovementIntensity.VIGOROUS else 0
    return DayDose(entry.local_date, moderate, vigorous, sessions=1)


def _engagement_event(entry: LedgerEntry) -> EngagementEvent:
    return EngagementEvent(
        id=entry.id,
        member_id=entry.member_id,
        occurred_at=entry.occurred_at,
        local_date=entry.local_date,
        kind=entry.kind,
        minutes=entry.minutes,
        intensity=entry.intensity.value,
        provenance=entry.provenance.value,
        voids=entry.voids,
        voided=entry.voided,
    )


@dataclass
class _Member:
    """One member's state during a run, and what the run awarded them."""

    state: codec.MemberState
    keys: set[str]
    new_awards: list[tuple[Award, uuid.UUID | None]] = field(default_factory=list)
    goal: tuple[str | None, int | None] = (None, None)
    exists: bool = False
    changed: bool = False
    #: Badge keys held before this run: a member replay awards them again, silently.
    held: frozenset[str] = frozenset()


def new_revision() -> int:
    """A revision no earlier write of the row had (62 random bits; never 0, the default)."""
    return secrets.randbits(62) + 1


@dataclass(frozen=True)
class _Cached:
    revision: int
    state: codec.MemberState
    keys: frozenset[str]
    goal: tuple[str | None, int | None]


class StateCache:
    """The decoded states of the members a process projected last, by (tenant, member):
    loading and decoding a state costs more than applying an event to it. States are
    immutable, so a hit is shared, never copied. Bounded: the least recently used go.
    Projectors of different tenants may share it from several threads: a lock keeps each
    operation whole."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[uuid.UUID, uuid.UUID], _Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: uuid.UUID, member_id: uuid.UUID, revision: int) -> _Cached | None:
        key = (tenant_id, member_id)
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.revision != revision:
                return None
            self._entries.move_to_end(key)
            return found

    def put(self, tenant_id: uuid.UUID, member_id: uuid.UUID, entry: _Cached) -> None:
        key = (tenant_id, member_id)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget_tenant(self, tenant_id: uuid.UUID) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[0] == tenant_id]:
                del self._entries[key]


def _among(db: Session, column: Any, ids: Sequence[uuid.UUID]) -> ColumnElement[bool]:
    """``column IN ids``; on PostgreSQL one array parameter (thousands of bound values
    cost more to send and parse than the lookup itself)."""
    found: ColumnElement[bool]
    if _dialect(db) is postgresql:
        found = column == any_(literal(list(ids), type_=postgresql.ARRAY(Uuid())))
    else:
        found = column.in_(ids)
    return found


@dataclass(frozen=True)
class _PauseItem:
    id: uuid.UUID
    member_id: uuid.UUID
    pause: Pause


Item = LedgerEntry | _PauseItem


def _apply_pause(member: _Member, pause: Pause) -> None:
    state = member.state
    member.state = replace(state, daily=state.daily.apply(pause), weekly=state.weekly.apply(pause))
    member.changed = True


def _apply_entry(
    member: _Member,
    entry: LedgerEntry,
    rules: Sequence[Rule],
    completed: tuple[CompletedChallenge, ...],
) -> None:
    """One ledger event into the member's state: streaks, score, week totals, tally, awards."""
    state = member.state
    member.changed = True
    if entry.is_void or entry.voided:
        return
    dose = _dose(entry)
    daily, weekly = state.daily.apply(dose), state.weekly.apply(dose)
    week = week_start(entry.local_date, state.adherence.first_weekday)
    tally, trigger = state.tally.observe(
        _engagement_event(entry),
        daily_streak=daily.current,
        weekly_streak=weekly.current,
        completed=completed,
    )
    earned = award(rules, trigger, member.keys)
    for item in earned:
        member.keys.add(item.key)
        from_event = None if item.key.startswith(OBSERVED_PREFIX) else entry.id
        member.new_awards.append((item, from_event))
    member.state = evolve(
        state,
        daily=daily,
        weekly=weekly,
        adherence=state.adherence.apply(dose),
        tally=tally,
        weeks=state.add_week(week, dose.weighted_minutes, 1),
        points=state.points + sum(a.points for a in earned),
        zone=entry.zone,
    )


_STAMP_POSTGRESQL = text(
    "UPDATE movement_events AS m SET projected_seq = CAST(v.value ->> 1 AS bigint)"
    " FROM json_array_elements(CAST(:rows AS json)) AS v"
    " WHERE m.tenant_id = :tenant_id AND m.id = CAST(v.value ->> 0 AS uuid)"
)
_UPSERT_POSTGRESQL = text(
    "INSERT INTO member_engagement (tenant_id, member_id, state, daily_current, daily_longest,"
    " weekly_current, weekly_longest, score, points, last_active_on, updated_at, revision)"
    " SELECT :tenant_id, v.member_id, v.state, v.daily_current, v.daily_longest,"
    " v.weekly_current, v.weekly_longest, v.score, v.points, v.last_active_on, :now, :revision"
    " FROM json_to_recordset(CAST(:rows AS json)) AS v(member_id uuid, state json,"
    " daily_current int, daily_longest int, weekly_current int, weekly_longest int,"
    " score numeric, points int, last_active_on date)"
    " ON CONFLICT (tenant_id, member_id) DO UPDATE SET state = excluded.state,"
    " daily_current = excluded.daily_current, daily_longest = excluded.daily_longest,"
    " weekly_current = excluded.weekly_current, weekly_longest = excluded.weekly_longest,"
    " score = excluded.score, points = excluded.points,"
    " last_active_on = excluded.last_active_on, updated_at = excluded.updated_at,"
    " revision = excluded.revision"
)
_AWARDS_POSTGRESQL = text(
    "INSERT INTO badge_awards (tenant_id, id, member_id, key, badge, points, explanation,"
    " earned_on, event_id)"
    " SELECT :tenant_id, v.id, v.member_id, v.key, v.badge, v.points, v.explanation,"
    " v.earned_on, v.event_id FROM json_to_recordset(CAST(:rows AS json)) AS v(id uuid,"
    " member_id uuid, key text, badge text, points int, explanation text, earned_on date,"
    " event_id uuid)"
)


def _json_default(value: object) -> str:
    if isinstance(value, uuid.UUID | date):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _write_postgresql(
    db: Session,
    tenant_id: uuid.UUID,
    rows: Sequence[dict[str, Any]],
    awards: Sequence[dict[str, Any]],
    now: datetime,
    revision: int,
) -> None:
    """The batch's states and awards in two statements whatever their number: the rows as
    one JSON document the server reads as a record set (binding thousands of parameters,
    or escaping arrays of text, costs more than the work itself)."""
    if rows:
        document = json.dumps(
            [{k: v for k, v in r.items() if k not in ("tenant_id", "updated_at")} for r in rows],
            default=_json_default,
        )
        db.execute(
            _UPSERT_POSTGRESQL,
            {"tenant_id": tenant_id, "now": now, "rows": document, "revision": revision},
        )
    if awards:
        document = json.dumps(
            [{k: v for k, v in a.items() if k != "tenant_id"} for a in awards],
            default=_json_default,
        )
        db.execute(_AWARDS_POSTGRESQL, {"tenant_id": tenant_id, "rows": document})


def _dialect(db: Session) -> Any:
    return postgresql if db.get_bind().dialect.name == "postgresql" else sqlite


def _claim(db: Session, tenant_id: uuid.UUID) -> int | None:
    """The tenant's last sequence number, with its cursor locked; None if another process
    holds it."""
    db.execute(
        _dialect(db)
        .insert(EngagementCursor)
        .values(tenant_id=tenant_id, last_seq=0)
        .on_conflict_do_nothing()
    )
    found = db.execute(
        select(EngagementCursor.last_seq)
        .where(EngagementCursor.tenant_id == tenant_id)
        .with_for_update(skip_locked=True)
    ).scalar_one_or_none()
    return None if found is None else int(found)


class Projector:
    """Projects a tenant's pending ledger rows; observers and badge rules are given once."""

    def __init__(
        self,
        observers: Sequence[LedgerObserver] = (),
        rules: Sequence[Rule] = DEFAULT_RULES,
        cache: StateCache | None = None,
    ) -> None:
        self.observers = list(observers)
        self.rules = list(rules)
        self.cache = cache if cache is not None else StateCache()

    # --- the incremental path --------------------------------------------------------

    def project(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, *, limit: int = 2000, now: datetime
    ) -> Projected:
        """Project up to ``limit`` pending rows in the open unit of work, the events of
        what changed added to its outbox (``published``); the caller commits."""
        db = uow.db
        last_seq = _claim(db, tenant_id)
        if last_seq is None:
            return Projected(busy=True)
        rows = db.execute(
            select(*_EVENT_COLUMNS)
            .where(MovementEvent.tenant_id == tenant_id, MovementEvent.projected_seq.is_(None))
            .order_by(MovementEvent.id)
            .limit(limit)
        ).all()
        pauses = db.execute(
            select(StreakPause)
            .where(StreakPause.tenant_id == tenant_id, StreakPause.projected_seq.is_(None))
            .order_by(StreakPause.id)
            .limit(limit)
        ).scalars()
        items: list[tuple[uuid.UUID, Item]] = [(row.id, entry_of(row)) for row in rows]
        items += [(p.id, _pause_item(p)) for p in pauses]
        if not items:
            return Projected()
        items.sort(key=lambda pair: pair[0])
        ordered = [item for _, item in items]
        members = self._load(db, tenant_id, {_member_of(i) for i in ordered})
        before = {m: _figures(s.state) for m, s in members.items()}
        streaks = {m: (s.state.daily, s.state.weekly) for m, s in members.items()}
        entries = [i for i in ordered if isinstance(i, LedgerEntry)]
        completed, observed = self._observe(uow, tenant_id, entries, now)
        last_of = {e.member_id: e.id for e in entries if not (e.is_void or e.voided)}
        to_rebuild: set[uuid.UUID] = set()
        for item in ordered:
            member_id = _member_of(item)
            member = members[member_id]
            if isinstance(item, LedgerEntry):
                if item.is_void or item.voids is not None or item.voided:
                    to_rebuild.add(member_id)
                done = completed.get(member_id, ()) if last_of.get(member_id) == item.id else ()
                _apply_entry(member, item, self.rules, done)
            else:
                _apply_pause(member, item.pause)
        seq = self._stamp(db, tenant_id, ordered, last_seq)
        for member_id in to_rebuild:
            members[member_id] = self._replay_member(db, tenant_id, members[member_id], member_id)
        self._save(db, tenant_id, members, now)
        kiosk_sync.send(db, tenant_id, kiosk_sync.changed(streaks, _kiosk_view(members)), now)
        published = list(observed)
        for member_id, member in members.items():
            published += _changes(tenant_id, member_id, before[member_id], member, now)
        outbox.record(db, published)
        db.execute(
            update(EngagementCursor)
            .where(EngagementCursor.tenant_id == tenant_id)
            .values(last_seq=seq)
        )
        return Projected(len(ordered), tuple(published))

    def _observe(
        self,
        uow: UnitOfWork,
        tenant_id: uuid.UUID,
        entries: Sequence[LedgerEntry],
        now: datetime,
    ) -> tuple[dict[uuid.UUID, tuple[CompletedChallenge, ...]], list[PublishedEvent]]:
        completed: dict[uuid.UUID, tuple[CompletedChallenge, ...]] = defaultdict(tuple)
        published: list[PublishedEvent] = []
        if not entries:
            return completed, published
        for observer in self.observers:
            seen = observer.observe(uow, tenant_id, entries, now)
            for member_id, done in seen.completed.items():
                completed[member_id] += tuple(done)
            published += seen.published
        return completed, published

    def _stamp(
        self, db: Session, tenant_id: uuid.UUID, ordered: Sequence[Item], last_seq: int
    ) -> int:
        events: list[dict[str, Any]] = []
        pauses: list[dict[str, Any]] = []
        for item in ordered:
            last_seq += 1
            if isinstance(item, LedgerEntry):
                events.append({"tenant_id": tenant_id, "id": item.id, "projected_seq": last_seq})
            else:
                pauses.append({"tenant_id": tenant_id, "id": item.id, "projected_seq": last_seq})
        if events and _dialect(db) is postgresql:
            # One statement for the whole batch: the ids and their numbers as one document.
            document = json.dumps([[str(e["id"]), e["projected_seq"]] for e in events])
            db.execute(_STAMP_POSTGRESQL, {"tenant_id": tenant_id, "rows": document})
        elif events:
            db.execute(update(MovementEvent), events)
        if pauses:
            db.execute(update(StreakPause), pauses)
        return last_seq

    # --- state rows ------------------------------------------------------------------

    def _load(
        self, db: Session, tenant_id: uuid.UUID, member_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, _Member]:
        ids = list(member_ids)
        members: dict[uuid.UUID, _Member] = {}
        revisions: dict[uuid.UUID, int] = {}
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for member_id, revision in db.execute(
                select(MemberEngagement.member_id, MemberEngagement.revision).where(
                    MemberEngagement.tenant_id == tenant_id,
                    _among(db, MemberEngagement.member_id, chunk),
                )
            ):
                revisions[member_id] = revision
        missed: list[uuid.UUID] = []
        for member_id, revision in revisions.items():
            cached = self.cache.get(tenant_id, member_id, revision)
            if cached is None:
                missed.append(member_id)
                continue
            members[member_id] = _Member(
                cached.state, set(cached.keys), goal=cached.goal, exists=True
            )
        for start in range(0, len(missed), 5000):
            chunk = missed[start : start + 5000]
            for row in db.execute(
                select(
                    MemberEngagement.member_id,
                    MemberEngagement.state,
                    MemberEngagement.goal_kind,
                    MemberEngagement.goal_target,
                ).where(
                    MemberEngagement.tenant_id == tenant_id,
                    _among(db, MemberEngagement.member_id, chunk),
                )
            ):
                members[row.member_id] = _Member(
                    codec.decode(row.state),
                    set(),
                    goal=(row.goal_kind, row.goal_target),
                    exists=True,
                )
            # Only the keys are needed to award once; they live in badge_awards.
            for member_id, key in db.execute(
                select(BadgeAward.member_id, BadgeAward.key).where(
                    BadgeAward.tenant_id == tenant_id,
                    _among(db, BadgeAward.member_id, chunk),
                    # A session's own points are keyed by its event, projected only once.
                    ~BadgeAward.key.startswith(EVENT_PREFIX),
                )
            ):
                if member_id in members:
                    members[member_id].keys.add(key)
        for member_id in ids:
            members.setdefault(member_id, _Member(codec.MemberState(), set()))
            members[member_id].held = frozenset(members[member_id].keys)
        return members

    def _save(
        self, db: Session, tenant_id: uuid.UUID, members: Mapping[uuid.UUID, _Member], now: datetime
    ) -> None:
        new_rows: list[dict[str, Any]] = []
        old_rows: list[dict[str, Any]] = []
        awards: list[dict[str, Any]] = []
        for member_id, member in members.items():
            if not member.changed:
                continue
            row = {"tenant_id": tenant_id, "member_id": member_id, **_columns(member.state)}
            row["updated_at"] = now
            (old_rows if member.exists else new_rows).append(row)
            for item, event_id in member.new_awards:
                if item.key.startswith(EVENT_PREFIX):
                    # A session's own points: in the state's total, explained by the event
                    # itself; a row each would double the projector's writes.
                    continue
                awards.append(
                    {
                        "tenant_id": tenant_id,
                        "id": new_id(),
                        "member_id": member_id,
                        "key": item.key,
                        "badge": item.badge,
                        "points": item.points,
                        "explanation": item.explanation,
                        "earned_on": item.earned_on,
                        "event_id": event_id,
                    }
                )
        # New and known members alike in one upsert; the members' own goal columns are
        # never in it.
        rows = new_rows + old_rows
        revision = new_revision()
        for member_id, member in members.items():
            if member.changed:
                # Kept before the commit: if it rolls back, the row keeps its old revision
                # and the next load reads it again.
                entry = _Cached(revision, member.state, frozenset(member.keys), member.goal)
                self.cache.put(tenant_id, member_id, entry)
        if _dialect(db) is postgresql:
            _write_postgresql(db, tenant_id, rows, awards, now, revision)
            return
        for row in rows:
            row["revision"] = revision
        if rows:
            upsert = sqlite.insert(MemberEngagement)
            written = [c for c in rows[0] if c not in ("tenant_id", "member_id")]
            db.execute(
                upsert.on_conflict_do_update(
                    index_elements=["tenant_id", "member_id"],
                    set_={c: upsert.excluded[c] for c in written},
                ),
                rows,
            )
        if awards:
            db.execute(insert(BadgeAward), awards)

    # --- replays ---------------------------------------------------------------------

    def _replay_member(
        self, db: Session, tenant_id: uuid.UUID, member: _Member, member_id: uuid.UUID
    ) -> _Member:
        """The member from their projected history, voided events left out; their awards
        are recomputed but for the observers' (challenge completions)."""
        db.flush()
        kept = {
            key: points
            for key, points in db.execute(
                select(BadgeAward.key, BadgeAward.points).where(
                    BadgeAward.tenant_id == tenant_id,
                    BadgeAward.member_id == member_id,
                    BadgeAward.key.startswith(OBSERVED_PREFIX),
                )
            )
        }
        kept.update(
            {a.key: a.points for a, _ in member.new_awards if a.key.startswith(OBSERVED_PREFIX)}
        )
        db.execute(
            delete(BadgeAward).where(
                BadgeAward.tenant_id == tenant_id,
                BadgeAward.member_id == member_id,
                ~BadgeAward.key.startswith(OBSERVED_PREFIX),
            )
        )
        observed_new = [(a, e) for a, e in member.new_awards if a.key.startswith(OBSERVED_PREFIX)]
        fresh = _Member(
            replace(codec.MemberState(), points=sum(kept.values())),
            set(kept),
            new_awards=observed_new,
            goal=member.goal,
            exists=member.exists,
            changed=True,
            held=member.held,
        )
        for item in _history(db, tenant_id, member_id):
            if isinstance(item, LedgerEntry):
                _apply_entry(fresh, item, self.rules, ())
            else:
                _apply_pause(fresh, item.pause)
        return fresh

    def rebuild(
        self, uow: UnitOfWork, tenant_id: uuid.UUID, *, now: datetime, chunk: int = 2000
    ) -> int:
        """Reset the tenant's states, awards and observers, and replay everything projected
        in sequence order; then project what is pending. Returns the rows replayed."""
        db = uow.db
        if _claim(db, tenant_id) is None:
            return 0
        self.cache.forget_tenant(tenant_id)
        for observer in self.observers:
            observer.reset(uow, tenant_id)
        goals = {
            row.member_id: (row.goal_kind, row.goal_target)
            for row in db.execute(
                select(
                    MemberEngagement.member_id,
                    MemberEngagement.goal_kind,
                    MemberEngagement.goal_target,
                ).where(MemberEngagement.tenant_id == tenant_id)
            )
        }
        db.execute(delete(BadgeAward).where(BadgeAward.tenant_id == tenant_id))
        db.execute(delete(MemberEngagement).where(MemberEngagement.tenant_id == tenant_id))
        members: dict[uuid.UUID, _Member] = {}
        replayed = 0
        for batch in _chunks(_history(db, tenant_id, None), chunk):
            entries = [i for i in batch if isinstance(i, LedgerEntry)]
            completed, _ = self._observe(uow, tenant_id, entries, now)
            last_of = {e.member_id: e.id for e in entries if not (e.is_void or e.voided)}
            for item in batch:
                member_id = _member_of(item)
                member = members.setdefault(member_id, _Member(codec.MemberState(), set()))
                if isinstance(item, LedgerEntry):
                    done = completed.get(member_id, ()) if last_of.get(member_id) == item.id else ()
                    _apply_entry(member, item, self.rules, done)
                else:
                    _apply_pause(member, item.pause)
            replayed += len(batch)
        for member_id, member in members.items():
            member.goal = goals.get(member_id, (None, None))
        self._save(db, tenant_id, members, now)
        kiosk_sync.send(db, tenant_id, kiosk_sync.changed({}, _kiosk_view(members)), now)
        # Goals are the members' own: put back those of members with no history.
        for member_id, (kind, target) in goals.items():
            if member_id in members:
                db.execute(
                    update(MemberEngagement)
                    .where(
                        MemberEngagement.tenant_id == tenant_id,
                        MemberEngagement.member_id == member_id,
                    )
                    .values(goal_kind=kind, goal_target=target, revision=new_revision())
                )
            elif kind is not None:
                db.execute(
                    insert(MemberEngagement).values(
                        tenant_id=tenant_id,
                        member_id=member_id,
                        state={},
                        goal_kind=kind,
                        goal_target=target,
                        updated_at=now,
                    )
                )
        return replayed


def _kiosk_view(
    members: Mapping[uuid.UUID, _Member],
) -> Iterable[tuple[uuid.UUID, StreakState, StreakState, bool]]:
    for member_id, member in members.items():
        badged = any(item.badge is not None for item, _ in member.new_awards)
        yield member_id, member.state.daily, member.state.weekly, badged


def _chunks(items: Iterable[Item], size: int) -> Iterable[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pause_item(row: StreakPause) -> _PauseItem:
    return _PauseItem(row.id, row.member_id, Pause(row.starts_on, row.ends_on, row.reason))


def _member_of(item: Item) -> uuid.UUID:
    return item.member_id


def _history(db: Session, tenant_id: uuid.UUID, member_id: uuid.UUID | None) -> list[Item]:
    """Projected events and pauses (of one member, or all), in sequence order."""
    events = select(*_EVENT_COLUMNS, MovementEvent.projected_seq).where(
        MovementEvent.tenant_id == tenant_id, MovementEvent.projected_seq.is_not(None)
    )
    pauses = select(StreakPause).where(
        StreakPause.tenant_id == tenant_id, StreakPause.projected_seq.is_not(None)
    )
    if member_id is not None:
        events = events.where(MovementEvent.member_id == member_id)
        pauses = pauses.where(StreakPause.member_id == member_id)
    items: list[tuple[int, Item]] = [
        (row.projected_seq, entry_of(row)) for row in db.execute(events)
    ]
    items += [(p.projected_seq or 0, _pause_item(p)) for p in db.execute(pauses).scalars()]
    items.sort(key=lambda pair: pair[0])
    return [item for _, item in items]


@dataclass(frozen=True)
class _Figures:
    daily: int
    weekly: int
    score: float


def _figures(state: codec.MemberState) -> _Figures:
    return _Figures(state.daily.current, state.weekly.current, round(state.adherence.score, 2))


def _columns(state: codec.MemberState) -> dict[str, Any]:
    return {
        "state": codec.encode(state),
        "daily_current": state.daily.current,
        "daily_longest": state.daily.longest,
        "weekly_current": state.weekly.current,
        "weekly_longest": state.weekly.longest,
        "score": round(state.adherence.score, 6),
        "points": state.points,
        "last_active_on": state.tally.last_active_on,
    }


def _changes(
    tenant_id: uuid.UUID,
    member_id: uuid.UUID,
    before: _Figures,
    member: _Member,
    now: datetime,
) -> list[PublishedEvent]:
    state = member.state
    after = _figures(state)
    out: list[PublishedEvent] = []
    who = {"member_id": str(member_id)}
    if (before.daily, before.weekly) != (after.daily, after.weekly):
        out.append(
            PublishedEvent(
                tenant_id,
                "engagement.streak_changed",
                now,
                {
                    **who,
                    "daily_current": state.daily.current,
                    "daily_longest": state.daily.longest,
                    "weekly_current": state.weekly.current,
                    "weekly_longest": state.weekly.longest,
                },
            )
        )
    if before.score != after.score:
        out.append(
            PublishedEvent(
                tenant_id,
                "engagement.score_changed",
                now,
                {**who, "score": after.score, "previous": before.score},
            )
        )
    # Points alone (one per session) would flood the port: badges are what change.
    fresh = (pair for pair in member.new_awards if pair[0].badge and pair[0].key not in member.held)
    for item, event_id in fresh:
        out.append(
            PublishedEvent(
                tenant_id,
                "engagement.badge_awarded",
                now,
                {
                    **who,
                    "key": item.key,
                    "badge": item.badge,
                    "points": item.points,
                    "explanation": item.explanation,
                    "earned_on": item.earned_on.isoformat(),
                    "movement_event_id": str(event_id) if event_id else None,
                },
            )
        )
    return out


# --- entry points ------------------------------------------------------------------------


def project(
    uow: UnitOfWork,
    tenant_id: uuid.UUID,
    *,
    limit: int = 2000,
    now: datetime,
    observers: Sequence[LedgerObserver] = (),
) -> Projected:
    """Project up to ``limit`` of the tenant's pending rows in the open unit of work."""
    return Projector(observers).project(uow, tenant_id, limit=limit, now=now)


def project_pending(
    make_uow: Callable[[], UnitOfWork],
    tenant_id: uuid.UUID,
    *,
    projector: Projector,
    limit: int = 2000,
    most: int | None = None,
) -> int:
    """Project the tenant's pending rows batch by batch, each committed with its events;
    stops when none is left, another process holds the cursor, or after ``most`` rows."""
    total = 0
    while most is None or total < most:
        with make_uow() as uow:
            done = projector.project(uow, tenant_id, limit=limit, now=utcnow())
            uow.commit()
        total += done.applied
        if done.busy or done.applied < limit:
            break
    return total


def tenants_pending(uow: UnitOfWork) -> list[uuid.UUID]:
    """Tenants with rows waiting for the projector."""
    events = select(MovementEvent.tenant_id).where(MovementEvent.projected_seq.is_(None))
    pauses = select(StreakPause.tenant_id).where(StreakPause.projected_seq.is_(None))
    found = uow.db.execute(events.union(pauses)).scalars()
    return sorted(set(found))


def project_all_job(*, make_uow: Callable[[], UnitOfWork], projector: Projector) -> int:
    """The background job: every tenant with pending rows, a bounded amount each."""
    with make_uow() as uow:
        tenants = tenants_pending(uow)
    return sum(project_pending(make_uow, t, projector=projector, most=20_000) for t in tenants)


def streaks_at_risk(uow: UnitOfWork, tenant_id: uuid.UUID, now: datetime) -> list[StreakRisk]:
    """Members whose daily or weekly streak breaks unless they move before the period
    ends: a streak going, no freeze left, and this period not met yet (or a missed period
    still in its repair window)."""
    db = uow.db
    day_start = MemberDays(db, tenant_id).day_start_hour()
    rows = db.execute(
        select(MemberEngagement.member_id, MemberEngagement.state).where(
            MemberEngagement.tenant_id == tenant_id,
            (MemberEngagement.daily_current > 0) | (MemberEngagement.weekly_current > 0),
        )
    )
    risks: list[StreakRisk] = []
    for member_id, data in rows:
        state = codec.decode(data)
        today = local_date(ensure_utc(now), state.zone, day_start)
        for streak in (state.daily, state.weekly):
            risk = _risk(member_id, streak, today)
            if risk is not None:
                risks.append(risk)
    return risks


def period_minutes(streak: StreakState, day: date) -> int:
    """Moderate-equivalent minutes counted so far toward ``day``'s period."""
    period = streak.rule.period(day)
    first, last = streak.rule.first_day(period), streak.rule.last_day(period)
    return sum(m for d, m in streak.pending if first <= d <= last)


def _risk(member_id: uuid.UUID, streak: StreakState, today: date) -> StreakRisk | None:
    view = streak.view(today)
    if view.current == 0 or view.freezes > 0:
        return None
    rule = streak.rule
    done = period_minutes(streak, today)
    needed = max(0, rule.target_minutes - done)
    if view.at_risk:
        # The missed period before is repaired first, from this period's minutes.
        before = rule.first_day(rule.period(today)) - timedelta(days=1)
        needed = max(0, rule.target_minutes - period_minutes(streak, before)) + needed
    if needed == 0:
        return None
    ends_on = rule.last_day(rule.period(today))
    return StreakRisk(member_id, rule.unit, view.current, needed, ends_on, today)


def rebuild_tenants(
    make_uow: Callable[[], UnitOfWork],
    *,
    projector: Projector,
    slug: str | None = None,
) -> dict[str, int]:
    """``zmos engagement rebuild``: each tenant (or the one with ``slug``) rebuilt from its
    ledger in one transaction, then its pending rows projected. Rows replayed per slug;
    an unknown slug is a LookupError."""
    with make_uow() as uow:
        query = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        if slug is not None:
            query = query.where(Tenant.slug == slug)
        tenants = [(row.id, row.slug) for row in uow.db.execute(query)]
    if slug is not None and not tenants:
        raise LookupError(f"no tenant has the slug {slug!r}")
    done: dict[str, int] = {}
    for tenant_id, name in tenants:
        with make_uow() as uow:
            replayed = projector.rebuild(uow, tenant_id, now=utcnow())
            uow.commit()
        done[name] = replayed + project_pending(make_uow, tenant_id, projector=projector)
    return done
