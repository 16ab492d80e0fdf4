"""Register a walk-in with a few fields, warning of members who look like the same person."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from desktop.core.checkin.model import InputError, MemberHit
from desktop.core.checkin.outbox import MEMBER_CREATE, OutboxWriter
from desktop.core.checkin.search import MemberSearch
from desktop.core.store import LocalRepository, MemberRecord, MemberRepository, Store
from desktop.core.store.codec import opt_str
from shared.enums import MemberSource
from shared.ids import new_id
from shared.normalise import PHONE_CHARS, code_norm, normalise_email, phone_digits, sort_name

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CARD = re.compile(r"^[!-~]{1,64}$")
PHONE_DIGITS = (6, 15)
#: Phones are the same number when their last digits agree (national or +country form).
PHONE_MATCH_DIGITS = 9
MAX_NAME = 100
MAX_CONTACT = 200


@dataclass(frozen=True)
class WalkinForm:
    first_name: str
    last_name: str
    phone: str = ""
    email: str = ""
    #: As typed: ``YYYY-MM-DD`` or ``DD/MM/YYYY``; empty when not given.
    date_of_birth: str = ""
    emergency_contact: str = ""
    card_number: str = ""
    waiver_accepted: bool = False

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
        born = self.date_of_birth.strip()
        if born:
            parse_birth_date(born)
        contact = " ".join(self.emergency_contact.split())
        if len(contact) > MAX_CONTACT:
            raise InputError(f"The emergency contact has at most {MAX_CONTACT} characters")
        card = self.card_number.strip()
        if card and not _CARD.match(card):
            raise InputError(f"“{card}” is not a card number: letters and digits, no spaces")
        return WalkinForm(
            first, last, phone, email, born, contact, card, waiver_accepted=self.waiver_accepted
        )

    @property
    def birth_date(self) -> date | None:
        return parse_birth_date(self.date_of_birth) if self.date_of_birth.strip() else None


def parse_birth_date(text: str, today: date | None = None) -> date:
    """``YYYY-MM-DD`` or ``DD/MM/YYYY``; raises :class:`InputError` for anything else."""
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            born = date(year, month, day)
        else:
            born = date.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"“{text}” is not a date of birth: write it as 31/12/1990 or 1990-12-31"
        ) from None
    today = today or date.today()
    if born > today or born.year < today.year - 130:
        raise InputError(f"“{text}” is not a date of birth: check the year")
    return born


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
    """Members who may be the same person, pulled or local: the same email, the same phone
    in any format (compared by its last digits, so "024…" matches "+233 24…"), or the same
    name and date of birth."""
    found: dict[uuid.UUID, MemberRecord] = {}
    email = normalise_email(form.email)
    digits = phone_digits(form.phone)
    candidates = [*(repo.by_email(email) if email else [])]
    if digits:
        ending = digits[-PHONE_MATCH_DIGITS:]
        candidates += [
            m
            for m in repo.by_phone_ending(ending)
            if (phone_digits(m.phone) or "")[-PHONE_MATCH_DIGITS:] == ending
            or phone_digits(m.phone) == digits
        ]
    born = form.birth_date
    if born is not None:
        candidates += repo.by_name_and_birth(sort_name(form.first_name, form.last_name), born)
    for m in candidates:
        found.setdefault(m.id, m)
    return search.hits(list(found.values()))


def duplicate_question(hit: MemberHit) -> str:
    """What staff are asked about a member the walk-in may already be."""
    card = f" (card {hit.card_number})" if hit.card_number else ""
    return f"Is this {hit.name}{card}?"


def register_walkin(
    *,
    store: Store,
    outbox: OutboxWriter,
    search: MemberSearch,
    now: Callable[[], datetime],
    form: WalkinForm,
    home_location_id: uuid.UUID | None,
    allow_duplicates: bool = False,
    staff_id: uuid.UUID | None = None,
) -> WalkinResult:
    form = form.cleaned()
    repo = MemberRepository(store.connection())
    card = form.card_number
    if card:
        holder = repo.by_code("card_norm", code_norm(card) or card)
        if holder is not None:
            raise InputError(f"Card {card} is already {holder.display_name}'s")
    duplicates = find_duplicates(search, repo, form)
    if duplicates and not allow_duplicates:
        return WalkinResult(None, duplicates)
    at = now()
    member = MemberRecord(
        id=new_id(),
        first_name=form.first_name,
        last_name=form.last_name,
        email=form.email or None,
        phone=form.phone or None,
        card_number=form.card_number or None,
        home_location_id=home_location_id,
        local=True,
        date_of_birth=form.birth_date,
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
        "date_of_birth": opt_str(member.date_of_birth),
        "emergency_contact": form.emergency_contact or None,
        "card_number": member.card_number,
        "waiver_accepted_at": at.isoformat() if form.waiver_accepted else None,
        "staff_id": opt_str(staff_id),
    }
    with store.transaction() as conn:
        mutation_id = outbox.append(conn, MEMBER_CREATE, args, at)
        LocalRepository(conn).add_member(member, created_at=at, mutation_id=mutation_id)
    return WalkinResult(member, duplicates)
