"""A member's payer benefit at the door, offline (integrated mode): when no membership admits
them, the benefit ZPS last confirmed (synced down by the server) does while it holds, as the
server decides when ZPS does not answer. Staff are told how old that answer is; the server
decides again when the check-in is pushed and flags a disagreement for staff."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import replace
from datetime import datetime

from desktop.core.checkin.model import Decision
from desktop.core.store.benefits import BenefitRows
from shared import benefits as rules


def with_benefit(
    conn: sqlite3.Connection, member_id: uuid.UUID, decision: Decision, at: datetime
) -> Decision:
    """``decision`` (the memberships'), or the benefit's when it admits and they did not."""
    if decision.admitted:
        return decision
    known = BenefitRows(conn).get(member_id)
    if known is None:
        return decision
    outcome = rules.from_last_known(known, at, now=at)
    if outcome.admitted:
        return Decision(True, outcome.reason, staff_note=outcome.warning)
    return replace(
        decision, reason=f"{decision.reason}; {outcome.reason}", staff_note=outcome.warning
    )
