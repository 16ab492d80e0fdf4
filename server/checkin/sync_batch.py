"""A run of pushed check-ins applied together: read up front, decided in memory, written at once.

:class:`CheckinBatch` is the per-push cache of ``checkin.create.v1``: in a handful of queries
it loads what the handler needs for every check-in of the run (which ids are recorded
already, the members and which memberships are theirs, other kiosks' admissions on the same
passes), opens one eligibility batch for all of them (the port reads what its decisions
need once, and is told of every admission and credit as the run records them), and stages
the rows to write (check-ins, movement events, review items) for one bulk insert per table.
Class-pack credits are still taken one conditional UPDATE at a time.

Like the door's own check-ins, a run decides each member's check-ins in turn with any other
kiosk's push or door check-in of them: it locks the members it admits before reading who is
in already, so that two kiosks admitting one member at once make one visit and one re-entry.
"""

from __future__ import annotations

import uuid
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, Uuid, bindparam, func, select, true
from sqlalchemy.dialects import postgresql

from server.checkin.booked_classes import BookedClass, BookedClasses
from server.checkin.models import Checkin
from server.checkin.policy import door_policy
from server.db.bulk import among, chunks, insert_rows
from server.engagement.models import MovementEvent
from server.engagement.repository import MemberDays
from server.errors import DomainError
from server.members.models import Member
from server.passes.repository import MemberPassRepository
from server.plans.models import Membership
from server.plans.repository import MembershipRepository
from server.ports.eligibility import EligibilityBatch, EligibilityDecision, EligibilityRequest
from server.staff.repository import StaffRepository
from server.sync import changes, review, rules
from server.sync.models import ReviewItem
from server.sync.registry import MutationContext
from shared.clock import ensure_utc
from shared.door_rules import Admission, DoorPolicy, reentry_of
from shared.sync.messages import CheckinCreateArgs


@dataclass(frozen=True)
class MemberFacts:
    id: uuid.UUID
    first_name: str
    last_name: str
    #: The member's memberships (a kiosk may name one of them as the one it admitted on).
    membership_ids: frozenset[uuid.UUID]


def occurred_at(context: MutationContext, args: CheckinCreateArgs) -> tuple[datetime, bool]:
    """The check-in's business time, clamped when the kiosk's clock runs far ahead."""
    return rules.clamp_time(
        ensure_utc(args.occurred_at or context.mutation.device_time), context.now
    )


@dataclass(frozen=True)
class _Attendance:
    context: MutationContext
    booking_id: uuid.UUID
    at: datetime
    checkin_id: uuid.UUID


class CheckinBatch:
    """``booked``: how a check-in during a class the member booked attends that booking
    (None: every check-in is to the floor)."""

    def __init__(self, context: MutationContext, booked: BookedClasses | None = None) -> None:
        self.context = context
        self.booked = booked
        self.db = context.uow.db
        self.tenant_id = context.tenant_id
        self.recorded: set[uuid.UUID] = set()
        self.members: dict[uuid.UUID, MemberFacts] = {}
        self.eligibility: EligibilityBatch | None = None
        #: What the eligibility batch was opened with, by check-in id.
        self.requests: dict[uuid.UUID, EligibilityRequest] = {}
        #: Other kiosks' admission times per (member, pass), sorted.
        self.elsewhere: dict[tuple[uuid.UUID, uuid.UUID], list[datetime]] = {}
        self.clock_flagged: bool | None = None
        self.checkins: list[dict[str, Any]] = []
        self.movements: list[dict[str, Any]] = []
        #: Members' zones and the tenant's day-start hour, read once per run.
        self.movement_days = MemberDays(self.db, self.tenant_id)
        self.movement_days.know_location(context.location.id, context.location.timezone)
        self.reviews: list[ReviewItem] = []
        self.credits_taken = 0
        self.pass_owners: dict[uuid.UUID, uuid.UUID] = {}
        self.staff_here: frozenset[uuid.UUID] = frozenset()
        self.policy = DoorPolicy()
        #: Admissions that were visits (not re-entries) at this location, per member.
        self.visits_here: dict[uuid.UUID, list[Admission]] = {}
        #: Bookings at the door per member: classes at this location the run's check-ins
        #: may attend, and the ones this run attended already.
        self.booked_here: dict[uuid.UUID, list[BookedClass]] = {}
        self.attending: set[uuid.UUID] = set()
        self.attendances: list[_Attendance] = []

    def prepare(self, args: list[CheckinCreateArgs]) -> None:
        if not args:
            return
        for ids in chunks(a.checkin_id for a in args):
            self.recorded.update(self.db.execute(self._recorded(ids)).scalars())
        for ids in chunks(a.member_id for a in args):
            self._load_members(ids)
        times = [occurred_at(self.context, a)[0] for a in args]
        self.policy = door_policy(self.db, self.tenant_id)
        admitted = [
            (a, t)
            for a, t in zip(args, times, strict=True)
            if a.admitted and a.member_id in self.members
        ]
        if admitted:
            self._one_at_a_time(a.member_id for a, _ in admitted)
        unbooked = [(a, t) for a, t in admitted if a.booking_id is None]
        if unbooked and self.booked is not None:
            self._load_booked_here(self.booked, unbooked)
        self.requests = {
            a.checkin_id: self.request(a.member_id, t, credit_prepaid=self.prepaid(a, t))
            for a, t in zip(args, times, strict=True)
            if a.member_id in self.members
        }
        self.eligibility = self.context.eligibility.open_batch(
            list(self.requests.values()), uow=self.context.uow
        )
        self._load_references(args)
        if admitted and self.policy.reentry_window_minutes > 0:
            self._load_visits_here(admitted)
        passes = [(a, t) for a, t in zip(args, times, strict=True) if a.admitted and a.pass_id]
        if passes:
            self._load_elsewhere(passes)

    def _load_references(self, args: list[CheckinCreateArgs]) -> None:
        """The passes and staff the run names, of this tenant (and, staff, this location)."""
        pass_ids = [a.pass_id for a in args if a.pass_id is not None]
        if pass_ids:
            self.pass_owners = MemberPassRepository(self.db, self.tenant_id).owners(pass_ids)
        staff_ids = [a.override_by for a in args if a.override_by is not None]
        if staff_ids:
            here = self.context.location.id
            self.staff_here = StaffRepository(self.db, self.tenant_id).serving(staff_ids, here)

    def unknown_reference(self, args: CheckinCreateArgs, member: MemberFacts) -> str | None:
        """Why an id the check-in names is not one the kiosk may name, or None."""
        if args.pass_id is not None and self.pass_owners.get(args.pass_id) != member.id:
            return f"pass {args.pass_id} is not a pass of this member"
        if args.override_by is not None and args.override_by not in self.staff_here:
            return f"override_by {args.override_by} is not staff of this location"
        return None

    def request(
        self, member_id: uuid.UUID, at: datetime, *, credit_prepaid: bool
    ) -> EligibilityRequest:
        return EligibilityRequest(
            tenant_id=self.tenant_id,
            member_id=member_id,
            location_id=self.context.location.id,
            at=at,
            credit_prepaid=credit_prepaid,
        )

    def _recorded(self, ids: list[uuid.UUID]) -> Select[Any]:
        """Which of ``ids`` are recorded check-ins. On PostgreSQL one primary-key probe per
        id (a lateral subquery): with the statistics of a fast-growing table still unset,
        the planner would otherwise read every check-in of the tenant to filter them."""
        if self.db.get_bind().dialect.name != "postgresql":
            return select(Checkin.id).where(
                Checkin.tenant_id == self.tenant_id, Checkin.id.in_(ids)
            )
        asked = func.unnest(bindparam(None, ids, type_=postgresql.ARRAY(Uuid)))
        sent = asked.table_valued("id").render_derived(name="sent")
        probe = (
            select(Checkin.id)
            .where(Checkin.tenant_id == self.tenant_id, Checkin.id == sent.c.id)
            .limit(1)
            .lateral("probe")
        )
        return select(probe.c.id).select_from(sent.join(probe, true()))

    def _load_members(self, ids: list[uuid.UUID]) -> None:
        query = (
            select(
                Member.id,
                Member.first_name,
                Member.last_name,
                Member.home_location_id,
                Membership.id,
            )
            .outerjoin(
                Membership,
                (Membership.tenant_id == Member.tenant_id) & (Membership.member_id == Member.id),
            )
            .where(Member.tenant_id == self.tenant_id, among(self.db, Member.id, ids))
        )
        names: dict[uuid.UUID, tuple[str, str]] = {}
        held: dict[uuid.UUID, set[uuid.UUID]] = {}
        for id_, first, last, home, membership_id in self.db.execute(query):
            names[id_] = (first, last)
            self.movement_days.know(id_, home)
            if membership_id is not None:
                held.setdefault(id_, set()).add(membership_id)
        for id_, (first, last) in names.items():
            self.members[id_] = MemberFacts(id_, first, last, frozenset(held.get(id_, ())))

    def _load_elsewhere(self, passes: Sequence[tuple[CheckinCreateArgs, datetime]]) -> None:
        window = rules.SHARED_PASS_WINDOW
        start = min(t for _, t in passes) - window
        end = max(t for _, t in passes) + window
        for ids in chunks(a.member_id for a, _ in passes):
            query = select(Checkin.member_id, Checkin.pass_id, Checkin.occurred_at).where(
                Checkin.tenant_id == self.tenant_id,
                among(self.db, Checkin.member_id, ids),
                Checkin.pass_id.is_not(None),
                Checkin.admitted.is_(True),
                Checkin.device_id.is_not(None),
                Checkin.device_id != self.context.device.id,
                Checkin.occurred_at >= start,
                Checkin.occurred_at <= end,
            )
            for member_id, pass_id, at in self.db.execute(query):
                if pass_id is not None:
                    self.elsewhere.setdefault((member_id, pass_id), []).append(ensure_utc(at))
        for times in self.elsewhere.values():
            times.sort()

    def _load_visits_here(self, admitted: Sequence[tuple[CheckinCreateArgs, datetime]]) -> None:
        start = min(t for _, t in admitted) - self.policy.reentry_window
        end = max(t for _, t in admitted)
        for ids in chunks(a.member_id for a, _ in admitted):
            query = select(Checkin.member_id, Checkin.id, Checkin.occurred_at).where(
                Checkin.tenant_id == self.tenant_id,
                among(self.db, Checkin.member_id, ids),
                Checkin.location_id == self.context.location.id,
                Checkin.admitted.is_(True),
                Checkin.repeat_of.is_(None),
                Checkin.occurred_at > start,
                Checkin.occurred_at <= end,
            )
            for member_id, id_, at in self.db.execute(query):
                self.visits_here.setdefault(member_id, []).append(Admission(id_, ensure_utc(at)))

    def _one_at_a_time(self, member_ids: Iterable[uuid.UUID]) -> None:
        """Lock the members (as the door's check-ins do) until the push commits: another
        kiosk's push of the same members waits, then sees this one's admissions. In id order,
        so that two pushes never wait for each other. SQLite: the push holds the database's
        write lock already (it took it updating the kiosk's sync state)."""
        if self.db.get_bind().dialect.name != "postgresql":
            return
        for ids in chunks(sorted(set(member_ids))):
            self.db.execute(
                select(Member.id)
                .where(Member.tenant_id == self.tenant_id, among(self.db, Member.id, ids))
                .order_by(Member.id)
                # FOR NO KEY UPDATE: waits for the door's FOR UPDATE and other pushes, not
                # for rows being inserted that name the member.
                .with_for_update(key_share=True)
            ).all()

    def _load_booked_here(
        self, booked: BookedClasses, unbooked: Sequence[tuple[CheckinCreateArgs, datetime]]
    ) -> None:
        """The bookings a kiosk that did not know of them may have checked members in
        during: the same classes the door would attend (one query per run)."""
        found = booked.booked_between(
            self.context.uow,
            tenant_id=self.tenant_id,
            member_ids=list(dict.fromkeys(a.member_id for a, _ in unbooked)),
            location_id=self.context.location.id,
            start=min(t for _, t in unbooked),
            end=max(t for _, t in unbooked),
            policy=self.policy,
        )
        for one in sorted(found, key=lambda b: b.starts_at):
            self.booked_here.setdefault(one.member_id, []).append(one)

    def booking_at_door(self, member_id: uuid.UUID, at: datetime) -> uuid.UUID | None:
        """The member's booked class at this location whose check-in window holds ``at``
        (the earliest starting), not attended by an earlier check-in of this run."""
        for one in self.booked_here.get(member_id, ()):
            opens = one.starts_at - self.policy.class_checkin_opens
            if opens <= at < one.ends_at and one.booking_id not in self.attending:
                return one.booking_id
        return None

    def prepaid(self, args: CheckinCreateArgs, at: datetime) -> bool:
        """Into a booked class (the kiosk's or one it did not know of): its booking holds
        the class-pack credit."""
        return args.booking_id is not None or (
            args.admitted and self.booking_at_door(args.member_id, at) is not None
        )

    def attend(
        self, context: MutationContext, booking_id: uuid.UUID, at: datetime, checkin_id: uuid.UUID
    ) -> None:
        """Stage the booking's attendance by this check-in, recorded once the check-ins are
        written (the attendance names its check-in)."""
        self.attending.add(booking_id)
        self.attendances.append(_Attendance(context, booking_id, at, checkin_id))

    def reentry(self, member_id: uuid.UUID, at: datetime) -> Admission | None:
        """The visit (at this location, within the re-entry window) a check-in at ``at``
        belongs to, counting the ones this run recorded before it."""
        return reentry_of(self.visits_here.get(member_id, ()), at, self.policy.reentry_window)

    def known(self, checkin_id: uuid.UUID) -> bool:
        return checkin_id in self.recorded

    def member(self, member_id: uuid.UUID) -> MemberFacts | None:
        return self.members.get(member_id)

    def owns(self, member: MemberFacts, membership_id: uuid.UUID | None) -> bool:
        return membership_id is not None and membership_id in member.membership_ids

    def decide(
        self, checkin_id: uuid.UUID, member: MemberFacts, at: datetime, *, credit_prepaid: bool
    ) -> EligibilityDecision:
        """The port's decision on one check-in of the run (asked as prepared, when it was)."""
        assert self.eligibility is not None, "prepare() opens the eligibility batch"
        request = self.requests.get(checkin_id)
        asked = (member.id, at, credit_prepaid)
        if request is None or (request.member_id, request.at, request.credit_prepaid) != asked:
            request = self.request(member.id, at, credit_prepaid=credit_prepaid)
        return self.eligibility.decide(request)

    def take_credit(self, membership_id: uuid.UUID) -> bool:
        """Use one credit with a conditional UPDATE; the eligibility batch is told."""
        assert self.eligibility is not None
        self.credits_taken += 1
        taken = MembershipRepository(self.db, self.tenant_id).take_credit(membership_id)
        if taken:
            # A Core UPDATE: kiosks learn the new credit count through an explicit change.
            changes.touch(self.db, Membership, self.tenant_id, membership_id)
        self.eligibility.credit_used(membership_id, taken=taken)
        return taken

    def used_elsewhere(
        self, member_id: uuid.UUID, pass_id: uuid.UUID, at: datetime
    ) -> datetime | None:
        """Another kiosk's admission on this pass within the shared-pass window of ``at``."""
        times = self.elsewhere.get((member_id, pass_id), [])
        index = bisect_left(times, at - rules.SHARED_PASS_WINDOW)
        if index < len(times) and times[index] <= at + rules.SHARED_PASS_WINDOW:
            return times[index]
        return None

    def clock_needs_flag(self) -> bool:
        """True once per device until an open clock review item exists."""
        if self.clock_flagged is None:
            items = review.ReviewItemRepository(self.db, self.tenant_id)
            found = items.open_of_device(self.context.device.id, review.CLOCK_AHEAD)
            self.clock_flagged = found is not None
        return not self.clock_flagged

    def add_checkin(self, row: dict[str, Any]) -> None:
        row["tenant_id"] = self.tenant_id
        self.checkins.append(row)
        self.recorded.add(row["id"])
        if row["admitted"]:
            changes.record_values(self.db, Checkin, row)
            if row.get("repeat_of") is None:
                visit = Admission(row["id"], row["occurred_at"])
                self.visits_here.setdefault(row["member_id"], []).append(visit)
            if row["membership_id"] is not None:
                assert self.eligibility is not None
                self.eligibility.admitted(row["membership_id"], row["occurred_at"])

    def add_movement(self, row: dict[str, Any]) -> None:
        """A row as ``engagement.service.movement_row`` makes it."""
        self.movements.append({"tenant_id": self.tenant_id, **row})

    def review(self, context: MutationContext, kind: str, summary: str, **about: Any) -> None:
        """Stage a review item, written with the batch's other rows."""
        item = review.new_item(
            self.tenant_id,
            location_id=context.location.id,
            kind=kind,
            summary=summary,
            member_id=about.get("member_id"),
            checkin_id=about.get("checkin_id"),
            device_id=context.device.id,
            mutation_id=context.mutation.mutation_id,
            now=context.now,
        )
        if kind == review.CLOCK_AHEAD:
            self.clock_flagged = True
        self.reviews.append(item)
        context.review_items.append(item)
        changes.record_change(self.db, item)

    def staged(self) -> int:
        return len(self.checkins) + len(self.movements) + len(self.reviews) + self.credits_taken

    def write(self) -> None:
        columns = ReviewItem.__table__.columns
        reviews = [{c.key: getattr(item, c.key) for c in columns} for item in self.reviews]
        staged = [(Checkin, self.checkins), (MovementEvent, self.movements), (ReviewItem, reviews)]
        for model, rows in staged:
            insert_rows(self.db, model, rows)
        if self.attendances:
            self._record_attendances()

    def _record_attendances(self) -> None:
        """Each in a savepoint: a booking changed meanwhile (cancelled by staff since the
        run read it) leaves its check-in a plain door check-in rather than failing the run."""
        assert self.booked is not None
        self.db.flush()
        for one in self.attendances:
            savepoint = self.db.begin_nested()
            try:
                movement = self.booked.attend(
                    self.context.uow,
                    tenant_id=self.tenant_id,
                    booking_id=one.booking_id,
                    at=one.at,
                    checkin_id=one.checkin_id,
                )
            except DomainError:
                savepoint.rollback()
                continue
            savepoint.commit()
            if movement is not None:
                one.context.published.append(movement)
