"""Data access for members, their email verifications and their login throttle."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    String,
    Uuid,
    and_,
    column,
    exists,
    func,
    or_,
    select,
    table,
    update,
)

from server.db.repository import TenantRepository
from server.members import rules
from server.members.models import EmailVerification, Member, PasswordToken
from shared.enums import MembershipStatus
from shared.memberships import UNPAID
from shared.normalise import email_key, fold

_CHUNK = 500
#: Memberships as far as the member list filters on them. Named, not imported, as the
#: plans domain builds on members.
_memberships = table(
    "memberships",
    column("tenant_id", Uuid),
    column("member_id", Uuid),
    column("plan_id", Uuid),
    column("status", String),
    column("starts_on", Date),
    column("ends_on", Date),
    column("frozen_until", Date),
)


@dataclass(frozen=True)
class MemberFilters:
    """Which members a list holds besides a search text: by home location, and by a
    membership they hold (on a plan, in a status as of ``today``, or both in one)."""

    home_location_id: uuid.UUID | None = None
    plan_id: uuid.UUID | None = None
    status: MembershipStatus | None = None
    today: date | None = None


def _membership_in(status: MembershipStatus, today: date) -> ColumnElement[bool]:
    """A membership's status as of ``today`` in SQL, as ``shared.memberships`` decides it."""
    m = _memberships.c
    cancelled = m.status == MembershipStatus.CANCELLED.value
    expired = and_(~cancelled, m.ends_on.is_not(None), m.ends_on < today)
    frozen = and_(
        ~cancelled,
        ~expired,
        m.status == MembershipStatus.FROZEN.value,
        or_(m.frozen_until.is_(None), m.frozen_until > today),
    )
    current = and_(~cancelled, ~expired, ~frozen)
    started = and_(current, m.starts_on <= today)
    unpaid = [s.value for s in UNPAID]
    return {
        MembershipStatus.CANCELLED: cancelled,
        MembershipStatus.EXPIRED: expired,
        MembershipStatus.FROZEN: frozen,
        MembershipStatus.PENDING: and_(current, m.starts_on > today),
        MembershipStatus.ACTIVE: and_(started, m.status.not_in(unpaid)),
        MembershipStatus.PAST_DUE: and_(started, m.status == MembershipStatus.PAST_DUE.value),
        MembershipStatus.SUSPENDED: and_(started, m.status == MembershipStatus.SUSPENDED.value),
        MembershipStatus.AWAITING_PAYMENT: and_(
            started, m.status == MembershipStatus.AWAITING_PAYMENT.value
        ),
    }[status]


#: Bookings and class sessions as far as members need them: whether a coach leads a class
#: the member is booked into. Named, not imported, as the bookings domain builds on members.
_bookings = table(
    "bookings", column("tenant_id", Uuid), column("member_id", Uuid), column("session_id", Uuid)
)
_sessions = table(
    "class_sessions",
    column("tenant_id", Uuid),
    column("id", Uuid),
    column("instructor_id", Uuid),
    column("location_id", Uuid),
)
#: Check-ins, named for the same reason: where a member has been.
_checkins = table(
    "checkins", column("tenant_id", Uuid), column("member_id", Uuid), column("location_id", Uuid)
)


def seen_at(location_ids: Collection[uuid.UUID] | None) -> tuple[ColumnElement[bool], ...]:
    """Members a caller limited to ``location_ids`` reaches: their home is one of those, or
    they have none, or they checked in or booked at one of them. None: every member."""
    if location_ids is None:
        return ()
    ids = sorted(location_ids)
    checked_in = exists().where(
        _checkins.c.tenant_id == Member.tenant_id,
        _checkins.c.member_id == Member.id,
        _checkins.c.location_id.in_(ids),
    )
    booked = exists().where(
        _bookings.c.tenant_id == Member.tenant_id,
        _bookings.c.member_id == Member.id,
        _sessions.c.tenant_id == _bookings.c.tenant_id,
        _sessions.c.id == _bookings.c.session_id,
        _sessions.c.location_id.in_(ids),
    )
    return (
        or_(
            Member.home_location_id.is_(None),
            Member.home_location_id.in_(ids),
            checked_in,
            booked,
        ),
    )


class MemberRepository(TenantRepository[Member]):
    """Current (not archived) members; ``including_archived`` queries see every row."""

    model = Member
    noun = "member"

    @classmethod
    def _criteria(cls) -> tuple[ColumnElement[bool], ...]:
        return (Member.archived_at.is_(None),)

    def _all_rows(self) -> Select[Any]:
        return select(Member).where(Member.tenant_id == self.tenant_id)

    def booked_with(self, member_id: uuid.UUID, coach_id: uuid.UUID) -> bool:
        """Whether the member has been booked into a class ``coach_id`` leads."""
        booked = exists().where(
            _bookings.c.tenant_id == self.tenant_id,
            _bookings.c.member_id == member_id,
            _sessions.c.tenant_id == _bookings.c.tenant_id,
            _sessions.c.id == _bookings.c.session_id,
            _sessions.c.instructor_id == coach_id,
        )
        return bool(self.db.execute(select(booked)).scalar())

    def by_email(self, email: str) -> Member | None:
        row: Member | None = self.db.execute(
            self._select().where(Member.email == email_key(email))
        ).scalar_one_or_none()
        return row

    def by_party(self, party_id: str) -> Member | None:
        """The member linked to this ZHEP party, if any."""
        row: Member | None = self.db.execute(
            self._select().where(Member.party_id == party_id)
        ).scalar_one_or_none()
        return row

    def holder_of(
        self, field: str, value: str, *, excluding: uuid.UUID | None = None
    ) -> Member | None:
        """The member, archived or not, whose ``field`` (email, barcode, card_number) is value."""
        column = getattr(Member, field)
        query = self._all_rows().where(column == value)
        if excluding is not None:
            query = query.where(Member.id != excluding)
        row: Member | None = self.db.execute(query.limit(1)).scalar_one_or_none()
        return row

    def taken(self, field: str, values: Iterable[str]) -> set[str]:
        """Which of ``values`` some member (archived or not) already has as ``field``."""
        column = getattr(Member, field)
        wanted, found = sorted(set(values)), set[str]()
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            query = select(column).where(Member.tenant_id == self.tenant_id, column.in_(chunk))
            found.update(self.db.execute(query).scalars())
        return found

    def search(
        self,
        query: str | None,
        *,
        limit: int,
        offset: int,
        location_ids: Collection[uuid.UUID] | None = None,
        filters: MemberFilters = MemberFilters(),
    ) -> Sequence[Member]:
        statement = self._select().where(*seen_at(location_ids), *self._filtered(filters))
        if query and query.strip():
            statement = statement.where(_matches(query.strip()))
        statement = statement.order_by(
            func.lower(Member.last_name), func.lower(Member.first_name), Member.id
        )
        rows: Sequence[Member] = (
            self.db.execute(statement.limit(limit).offset(offset)).scalars().all()
        )
        return rows

    def _filtered(self, filters: MemberFilters) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if filters.home_location_id is not None:
            where.append(Member.home_location_id == filters.home_location_id)
        if filters.plan_id is not None or filters.status is not None:
            held = [
                _memberships.c.tenant_id == self.tenant_id,
                _memberships.c.member_id == Member.id,
            ]
            if filters.plan_id is not None:
                held.append(_memberships.c.plan_id == filters.plan_id)
            if filters.status is not None:
                held.append(_membership_in(filters.status, filters.today or date.today()))
            where.append(exists().where(*held))
        return where

    def photo(self, member_id: uuid.UUID) -> tuple[bytes | None, str | None] | None:
        row = self.db.execute(
            select(Member.photo, Member.photo_content_type).where(
                Member.tenant_id == self.tenant_id,
                Member.id == member_id,
                Member.archived_at.is_(None),
            )
        ).one_or_none()
        return None if row is None else (row[0], row[1])

    def add_verification(self, row: EmailVerification) -> EmailVerification:
        row.tenant_id = self.tenant_id
        self.db.add(row)
        return row

    def verifications_since(self, member_id: uuid.UUID, since: datetime) -> int:
        count: int = self.db.execute(
            select(func.count())
            .select_from(EmailVerification)
            .where(
                EmailVerification.tenant_id == self.tenant_id,
                EmailVerification.member_id == member_id,
                EmailVerification.created_at >= since,
            )
        ).scalar_one()
        return count

    def verification(self, verification_id: uuid.UUID) -> EmailVerification | None:
        row: EmailVerification | None = self.db.execute(
            select(EmailVerification)
            .where(
                EmailVerification.tenant_id == self.tenant_id,
                EmailVerification.id == verification_id,
            )
            .with_for_update()
        ).scalar_one_or_none()
        return row

    def add_password_token(self, row: PasswordToken) -> PasswordToken:
        row.tenant_id = self.tenant_id
        self.db.add(row)
        return row

    def password_tokens_since(self, member_id: uuid.UUID, since: datetime) -> int:
        count: int = self.db.execute(
            select(func.count())
            .select_from(PasswordToken)
            .where(
                PasswordToken.tenant_id == self.tenant_id,
                PasswordToken.member_id == member_id,
                PasswordToken.created_at >= since,
            )
        ).scalar_one()
        return count

    def password_token(self, token_id: uuid.UUID) -> PasswordToken | None:
        row: PasswordToken | None = self.db.execute(
            select(PasswordToken)
            .where(PasswordToken.tenant_id == self.tenant_id, PasswordToken.id == token_id)
            .with_for_update()
        ).scalar_one_or_none()
        return row

    def use_password_tokens(self, member_id: uuid.UUID, now: datetime) -> None:
        """Every open link of the member stops working (one was used, or a new password set)."""
        self.db.execute(
            update(PasswordToken)
            .where(
                PasswordToken.tenant_id == self.tenant_id,
                PasswordToken.member_id == member_id,
                PasswordToken.used_at.is_(None),
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )


def _matches(query: str) -> Any:
    """Email, phone, barcode/card, or every word of a name (first or last, any case or
    accent)."""
    lowered = query.lower()
    if "@" in query:
        return Member.email.contains(lowered, autoescape=True)
    exact_code = or_(Member.barcode == query, Member.card_number == query)
    if rules.looks_like_phone(query):
        return or_(exact_code, *(Member.phone.like(p) for p in rules.phone_patterns(query)))
    # Folded as the stored key is, so "ÉMILE", "émile" and "emile" all find "Émile".
    words = [Member.search_key.contains(fold(word), autoescape=True) for word in query.split()]
    return or_(exact_code, and_(*words))
