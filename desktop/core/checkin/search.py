"""Find members at the desk: by name, phone or email; by barcode or card number (typed or
scanned: a search for a member's exact code finds that member)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Sequence
from datetime import date

from desktop.core.checkin.model import MemberHit
from desktop.core.store import (
    CachedMembership,
    LocalCardRepository,
    MemberRecord,
    MemberRepository,
)
from shared.enums import CheckinMethod, MembershipStatus
from shared.memberships import PAYMENT_OVERDUE, UNPAID
from shared.normalise import (
    MIN_PHONE_DIGITS,
    PHONE_CHARS,
    code_norm,
    fold,
    normalise_email,
    phone_digits,
    words,
)

MAX_RESULTS = 20
#: Memberships the summary shows: an unpaid one too, so the desk sees why the door says so.
_LIVE = (MembershipStatus.ACTIVE, MembershipStatus.FROZEN, *UNPAID)


def unknown_code_message(code: str) -> str:
    return f"Unknown card {code.strip()} — not linked to any member"


def membership_summary(memberships: Sequence[CachedMembership], today: date) -> str:
    """One line about the memberships that matter today: "Monthly · until 3 Mar"."""
    if not memberships:
        return "No membership"
    live = [
        m for m in memberships if m.status in _LIVE and (m.ends_on is None or m.ends_on >= today)
    ]
    if not live:
        return "No current membership"
    parts = []
    for m in sorted(live, key=lambda m: (m.status != MembershipStatus.ACTIVE, m.plan.name)):
        text = m.plan.name
        if m.status is MembershipStatus.FROZEN:
            text += " (frozen)"
        elif m.status in UNPAID:
            text += f" ({PAYMENT_OVERDUE.lower()})"
        if m.credits_remaining is not None:
            text += f" · {m.credits_remaining} credits"
        if m.ends_on is not None:
            text += f" · until {m.ends_on.day} {m.ends_on.strftime('%b')}"
        parts.append(text)
    return "; ".join(parts)


class MemberSearch:
    """Read-only queries over pulled and local members, on the caller's connection."""

    def __init__(self, conn: Callable[[], sqlite3.Connection], today: Callable[[], date]):
        self._conn = conn
        self._today = today

    def search(self, query: str, limit: int = MAX_RESULTS) -> list[MemberHit]:
        return self.hits(self.find(query, limit))

    def find(self, query: str, limit: int = MAX_RESULTS) -> list[MemberRecord]:
        text = query.strip()
        repo = MemberRepository(self._conn())
        limit = max(1, min(limit, MAX_RESULTS))
        if not text:
            return []
        by_code = self.by_code(text)
        if by_code is not None:
            return [by_code]
        if "@" in text:
            return repo.search_email(normalise_email(text) or "", limit)
        digits = phone_digits(text) or ""
        if PHONE_CHARS.match(text) and len(digits) >= MIN_PHONE_DIGITS:
            return repo.search_phone(digits, limit)
        prefixes = _distinct_prefixes(words(text))
        if not prefixes:
            return []
        found = repo.search_names(prefixes, limit)
        if len(text.split()) == 1 and len(found) < limit:
            # One word may also be the start of an email address ("jsmith", "ana.s").
            seen = {m.id for m in found}
            extra = repo.search_email(fold(text), limit - len(found))
            found += [m for m in extra if m.id not in seen]
        return found

    def hits(self, members: Sequence[MemberRecord]) -> list[MemberHit]:
        memberships = MemberRepository(self._conn()).memberships(m.id for m in members)
        by_member: dict[uuid.UUID, list[CachedMembership]] = {}
        for ms in memberships:
            by_member.setdefault(ms.member_id, []).append(ms)
        today = self._today()
        return [
            MemberHit(
                member_id=m.id,
                name=m.display_name,
                phone=m.phone,
                email=m.email,
                summary=membership_summary(by_member.get(m.id, []), today),
                local=m.local,
                card_number=m.card_number,
            )
            for m in members
        ]

    def by_barcode(self, code: str) -> MemberRecord | None:
        value = code_norm(code)
        return MemberRepository(self._conn()).by_code("barcode_norm", value) if value else None

    def by_card(self, code: str) -> MemberRecord | None:
        value = code_norm(code)
        if not value:
            return None
        conn = self._conn()
        assigned = LocalCardRepository(conn).pending_member(value)
        member = MemberRepository(conn).get(assigned) if assigned is not None else None
        return member or MemberRepository(conn).by_code("card_norm", value)

    def by_code(self, code: str) -> MemberRecord | None:
        """The member whose printed barcode or key card ``code`` is, if any."""
        return self.by_scanned_code(code)[0]

    def by_scanned_code(self, code: str) -> tuple[MemberRecord | None, CheckinMethod]:
        """What a USB scanner typed, and how it was read: a printed barcode, else a card."""
        member = self.by_barcode(code)
        if member is not None:
            return member, CheckinMethod.BARCODE
        return self.by_card(code), CheckinMethod.CARD


def _distinct_prefixes(query_words: list[str]) -> list[str]:
    """Drop words that are a prefix of another query word ("an ana" → ["ana"])."""
    unique = sorted(set(query_words), key=len, reverse=True)
    kept: list[str] = []
    for word in unique:
        if not any(other.startswith(word) for other in kept):
            kept.append(word)
    return kept
