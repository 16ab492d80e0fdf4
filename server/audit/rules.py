"""What the audit log records, as plain functions: no database here."""

from __future__ import annotations

from datetime import datetime, timedelta

#: The youngest entry the database lets anyone delete: the purge's floor (see the migration).
MIN_RETENTION_DAYS = 30

#: Tables whose writes are not recorded: the log itself, the sync engine's own
#: bookkeeping (copies of changes already recorded at their source, counters), and the event
#: outbox (events of changes recorded at their source, and their delivery state).
NOT_AUDITED = frozenset(
    {
        "audit_entries",
        "sync_changes",
        "location_sync_seq",
        "device_sync_state",
        "login_throttle",
        "outbox_events",
        "outbox_deliveries",
    }
)

CREATE, UPDATE, DELETE, BULK_CREATE = "create", "update", "delete", "bulk_create"

SALE, REFUND, CHECKIN_OVERRIDE, BOOKING_CANCEL = (
    "sale",
    "refund",
    "check-in-override",
    "booking-cancel",
)
PRIVACY_EXPORT, ARCHIVE_EXPORT, ARCHIVE_IMPORT = (
    "privacy-export",
    "archive-export",
    "archive-import",
)
ROSTER_UPLOAD, INVOICE_ISSUE = "roster-upload", "invoice-issue"

#: Named actions a use case records besides the rows it writes (the entity and its id,
#: never values).
NAMED_ACTIONS = (
    "sign-in",
    "erasure",
    SALE,
    REFUND,
    CHECKIN_OVERRIDE,
    BOOKING_CANCEL,
    PRIVACY_EXPORT,
    ARCHIVE_EXPORT,
    ARCHIVE_IMPORT,
    ROSTER_UPLOAD,
    INVOICE_ISSUE,
    "purge",
)


def retention_problem(retention_days: int) -> str | None:
    if retention_days < MIN_RETENTION_DAYS:
        return f"the audit log keeps entries at least {MIN_RETENTION_DAYS} days"
    return None


def purge_cutoff(now: datetime, retention_days: int) -> datetime:
    """Entries older than this are purged: the configured retention, exactly (a retention
    under the floor is refused before, see :func:`retention_problem`)."""
    return now - timedelta(days=retention_days)


def entity_key(parts: tuple[object, ...]) -> str:
    """A row's key besides its tenant, as one text (composite keys joined with "/")."""
    return "/".join(str(part) for part in parts)[:120]
