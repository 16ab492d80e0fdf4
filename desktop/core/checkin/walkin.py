"""Register a walk-in with a few fields, warning of members who look like the same person."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.checkin.model import InputError, MemberHit
from desktop.core.checkin.outbox import MEMBER_CREATE, OutboxWriter
from desktop.core.checkin.search import MemberSearch
from desktop.core.store import LocalRepository, MemberRecord, MemberRepository, Store
from desktop.core.store.codec import opt_str
from shared.enums import MemberSource
from shared.ids import new_id
from shared.normalise import PHONE_CHARS, normalise_email, phone_digits

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_DIGITS = (6, 15)
MAX_NAME = 100


@dataclass(frozen=True)
class WalkinForm:
    first_name: str
    last_name: str
    phone: str = ""
    email: str = ""

    def cleaned(self) -> WalkinForm:
        """The same form, trimmed; raises :class:`InputError` saying what to fix."""
        first, last = " ".join(self.first_name.split()), " ".join(self.last_name.split())
        phone, email = self.phone.strip(), self.email.strip()
        if not first:
            raise InputError("Enter the first name")
        if not last:
            raise InputError("Enter the last name")
        if len(first) > MAX_NAME or len(last) > MAX_NAME:
            raise InputError(f"A name has at most {MAX_NAME} characters")
        if not phone and not email:
            raise InputError("Enter a phone number or an email address (or both)")
        if email and not _EMAIL.match(email):
            raise InputError(f"“{email}” is not an email address, e.g. name@example.com")
        if phone:
            digits = phone_digits(phone) or ""
            low, high = PHONE_DIGITS
            if not PHONE_CHARS.match(phone) or not low <= len(digits) <= high:
                raise InputError(
                    f"“{phone}” is not a phone number: use {low} to {high} digits, "
                    "spaces, dashes and a leading +"
                )
        return WalkinForm(first, last, phone, email)


@dataclass(frozen=True)
class WalkinResult:
    """Either the new member, or the existing members it may duplicate (nothing written)."""

    member: MemberRecord | None
    duplicates: list[MemberHit] = field(default_factory=list)

    @property
    def created(self) -> bool:
        return self.member is not None


def find_duplicates(
    search: MemberSearch, repo: MemberRepository, form: WalkinForm
) -> list[MemberHit]:
    """Members with the same normalised email or phone, pulled or local."""
    found: dict[uuid.UUID, MemberRecord] = {}
    email = normalise_email(form.email)
    digits = phone_digits(form.phone)
    for m in [
        *(repo.by_email(email) if email else []),
        *(repo.by_phone(digits) if digits else []),
    ]:
        found.setdefault(m.id, m)
    return search.hits(list(found.values()))


def register_walkin(
    *,
    store: Store,
    outbox: OutboxWriter,
    search: MemberSearch,
    now: Callable[[], datetime],
    form: WalkinForm,
    home_location_id: uuid.UUID | None,
    allow_duplicates: bool = False,
) -> WalkinResult:
    form = form.cleaned()
    duplicates = find_duplicates(search, MemberRepository(store.connection()), form)
    if duplicates and not allow_duplicates:
        return WalkinResult(None, duplicates)
    at = now()
    member = MemberRecord(
        id=new_id(),
        first_name=form.first_name,
        last_name=form.last_name,
        email=form.email or None,
        phone=form.phone or None,
        home_location_id=home_location_id,
        local=True,
    )
    args = {
        "member_id": str(member.id),
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "phone": member.phone,
        "home_location_id": opt_str(member.home_location_id),
        "source": MemberSource.DESK.value,
        "registered_at": at.isoformat(),
        "possible_duplicate_of": [str(d.member_id) for d in duplicates],
    }
    with store.transaction() as conn:
        mutation_id = outbox.append(conn, MEMBER_CREATE, args, at)
        LocalRepository(conn).add_member(member, created_at=at, mutation_id=mutation_id)
    return WalkinResult(member, duplicates)
