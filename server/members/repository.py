"""Data access for members, their email verifications and their login throttle."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
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
from shared.normalise import email_key, fold

_CHUNK = 500
#: Bookings and class sessions as far as members need them: whether a coach leads a class
#: the member is booked into. Named, not imported, as the bookings domain builds on members.
_bookings = table(
    "bookings", column("tenant_id", Uuid), column("member_id", Uuid), column("session_id", Uuid)
)
_sessions = table(
    "class_sessions", column("tenant_id", Uuid), column("id", Uuid), column("instructor_id", Uuid)
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

    def search(self, query: str | None, *, limit: int, offset: int) -> Sequence[Member]:
        statement = self._select()
        if query and query.strip():
            statement = statement.where(_matches(query.strip()))
        statement = statement.order_by(
            func.lower(Member.last_name), func.lower(Member.first_name), Member.id
        )
        rows: Sequence[Member] = (
            self.db.execute(statement.limit(limit).offset(offset)).scalars().all()
        )
        return rows

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
