"""Check-in at the desk: search, lookups, decisions, recording, walk-ins and sales. No Qt."""

from desktop.core.checkin.keyring import StorePassKeyring
from desktop.core.checkin.model import (
    CheckinError,
    CheckinOutcome,
    Decider,
    Decision,
    InputError,
    MemberHit,
    Override,
)
from desktop.core.checkin.outbox import CHECKIN_CREATE, MEMBER_CREATE, SALE_CREATE, OutboxWriter
from desktop.core.checkin.sales import PASS_KINDS, Sale
from desktop.core.checkin.search import MAX_RESULTS, MemberSearch, unknown_code_message
from desktop.core.checkin.service import DEBOUNCE_SECONDS, CheckinService
from desktop.core.checkin.walkin import WalkinForm, WalkinResult

__all__ = [
    "CHECKIN_CREATE",
    "DEBOUNCE_SECONDS",
    "MAX_RESULTS",
    "MEMBER_CREATE",
    "PASS_KINDS",
    "SALE_CREATE",
    "CheckinError",
    "CheckinOutcome",
    "CheckinService",
    "Decider",
    "Decision",
    "InputError",
    "MemberHit",
    "MemberSearch",
    "OutboxWriter",
    "Override",
    "Sale",
    "StorePassKeyring",
    "WalkinForm",
    "WalkinResult",
    "unknown_code_message",
]
