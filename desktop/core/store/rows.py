"""Pulled members and memberships as the cache tables hold them: one column list and one row
builder per table, shared by the snapshot (which replaces the tables) and by pulls (which
upsert one row, or a run of rows, at a time)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from desktop.core.store.codec import opt_str
from shared.normalise import (
    code_norm,
    name_tokens,
    normalise_email,
    phone_digits,
    sort_name,
)
from shared.sync.snapshot import SnapshotMember, SnapshotMembership

MEMBER_COLUMNS = (
    "id, first_name, last_name, email, phone, barcode, card_number, home_location_id, "
    "guest_of_id, sort_name, email_norm, phone_digits, barcode_norm, card_norm, date_of_birth"
)
#: Pulled members also carry the screening limit (local members, registered here, have none).
INSERT_MEMBER = (
    f"INTO cached_member ({MEMBER_COLUMNS}, screening_limited, screening_cleared_until) "
    f"VALUES ({', '.join('?' * 17)})"
)

MEMBERSHIP_COLUMNS = (
    "id, member_id, plan_id, status, starts_on, ends_on, frozen_until, credits_remaining, "
    "home_location_id, covered_by"
)
INSERT_MEMBERSHIP = f"INTO cached_membership ({MEMBERSHIP_COLUMNS}) VALUES ({', '.join('?' * 10)})"


def member_row(m: SnapshotMember) -> tuple[object, ...]:
    return (
        str(m.id),
        m.first_name,
        m.last_name,
        m.email,
        m.phone,
        m.barcode,
        m.card_number,
        opt_str(m.home_location_id),
        opt_str(m.guest_of_id),
        sort_name(m.first_name, m.last_name),
        normalise_email(m.email),
        phone_digits(m.phone),
        code_norm(m.barcode),
        code_norm(m.card_number),
        opt_str(m.date_of_birth),
        int(m.screening_limited),
        opt_str(m.screening_cleared_until),
    )


def token_rows(members: Iterable[SnapshotMember]) -> Iterator[tuple[str, str]]:
    for m in members:
        for token in name_tokens(m.first_name, m.last_name):
            yield token, str(m.id)


def membership_row(ms: SnapshotMembership) -> tuple[object, ...]:
    return (
        str(ms.id),
        str(ms.member_id),
        str(ms.plan_id),
        ms.status.value,
        ms.starts_on.isoformat(),
        opt_str(ms.ends_on),
        opt_str(ms.frozen_until),
        ms.credits_remaining,
        opt_str(ms.home_location_id),
        ms.covered_by,
    )
