"""What a member's export holds and what their erasure does to each table that names them.

Every table with a ``member_id`` column must be either in :data:`ERASURE` (it holds personal
data: how erasure treats it) or in :data:`NOT_PERSONAL` (with the reason), so that a new
table cannot be forgotten (a test compares them with the schema)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

#: The version of the export document's shape.
EXPORT_FORMAT = "zmos-member-export/1"
#: The name an erased member keeps, so receipts and lists still read.
ERASED_FIRST_NAME = "Erased"
ERASED_LAST_NAME = "member"
ERASED_NAME = f"{ERASED_FIRST_NAME} {ERASED_LAST_NAME}"
MAX_DETAILS = 2000


class RequestKind(enum.StrEnum):
    EXPORT = "export"
    ERASURE = "erasure"
    RECTIFICATION = "rectification"


@dataclass(frozen=True)
class Keep:
    """Kept as the law or aggregates need it; ``scrub`` names free-text columns cleared."""

    why: str
    scrub: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delete:
    why: str


Policy = Keep | Delete

#: How erasure treats each table naming the member (``members`` itself is anonymised in place).
ERASURE: dict[str, Policy] = {
    # Financial records: amounts and dates stay (bookkeeping law); the member row they point
    # at is anonymised.
    "desk_payments": Keep("financial record", scrub=("discount_reason",)),
    "booking_penalties": Keep("financial record", scrub=("waived_reason",)),
    "memberships": Keep("financial record of what was sold"),
    # Attendance and movement stay for the studio's aggregates, without free text.
    "bookings": Keep("attendance aggregates"),
    "checkins": Keep("attendance aggregates", scrub=("override_reason",)),
    "movement_events": Keep("movement aggregates", scrub=("reason",)),
    "member_engagement": Keep("engagement aggregates"),
    "badge_awards": Keep("engagement aggregates"),
    "tile_completions": Keep("engagement aggregates"),
    "streak_pauses": Keep("engagement aggregates", scrub=("note",)),
    "challenge_participants": Keep("challenge totals"),
    "circle_memberships": Keep("circle sizes"),
    "session_ratings": Keep("class ratings", scrub=("comment",)),
    "journey_enrolments": Keep("journey outcomes"),
    "coach_assignment_changes": Keep("coach workload history"),
    "review_items": Keep("the desk's review log", scrub=("summary", "resolution_note")),
    "activity_imports": Keep("import counts", scrub=("filename",)),
    "privacy_requests": Keep("proof that the request was honoured", scrub=("details",)),
    "benefit_utilisations": Keep("visits reported to the member's payer (ZPS)"),
    "corporate_employees": Keep(
        "the company's seat count and invoices",
        scrub=("employee_ref", "work_email", "first_name", "last_name", "invitation_hash"),
    ),
    # Personal data with no reason to stay.
    "member_alerts": Delete("staff notes about the member"),
    "benefit_snapshots": Delete("the member's payer benefit, asked again if needed"),
    "coach_contacts": Delete("coach notes: health data"),
    "screening_clearances": Delete("health data"),
    "screenings": Delete("health data"),
    "risk_flags": Delete("health data"),
    "coach_assignments": Delete("a live relation to a coach"),
    "nudges": Delete("messages to the member"),
    "nudge_settings": Delete("the member's preferences"),
    "channel_preferences": Delete("the member's preferences"),
    "notices": Delete("messages to the member"),
    "calendar_feeds": Delete("a secret link of the member"),
    "member_passes": Delete("wallet passes of the member"),
    "payment_cards": Delete("the member's card on file at the PSP"),
    "email_verifications": Delete("sign-in secrets"),
    "member_password_tokens": Delete("sign-in secrets"),
}

#: Tables naming a member that hold nothing personal (none yet: each entry needs a reason).
NOT_PERSONAL: dict[str, str] = {}

#: Tables reached through a member's rows rather than a ``member_id`` of their own, and how
#: erasure treats them.
CHILD_ERASURE: dict[str, Policy] = {
    "sale_refunds": Keep("financial record", scrub=("reason",)),
    "journey_enrolment_weeks": Keep("journey outcomes"),
    "journey_enrolment_events": Keep("journey history", scrub=("reason",)),
    "journey_assessment_results": Delete("assessment results: health data"),
    "corporate_consents": Keep("proof of what was consented to, and when"),
}

#: Deleted first: they point at rows of another table deleted too.
DELETE_ORDER = ("screening_clearances", "journey_assessment_results")

#: Secrets never written to an export (hashes of passwords and tokens).
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "nonce"})

#: Member fields erasure clears (``members`` itself).
MEMBER_CLEARED = (
    "email",
    "phone",
    "date_of_birth",
    "photo",
    "photo_content_type",
    "photo_updated_at",
    "barcode",
    "card_number",
    "emergency_contact",
    "password_hash",
    "email_verified_at",
    "waiver_accepted_at",
)


def confirms(confirmation: str, *, email: str | None, first_name: str, last_name: str) -> bool:
    """Erasure is confirmed by typing the member's email or full name (case and spaces aside)."""
    typed = " ".join(confirmation.split()).casefold()
    if not typed:
        return False
    name = " ".join(f"{first_name} {last_name}".split()).casefold()
    return typed == name or (email is not None and typed == email.casefold())
