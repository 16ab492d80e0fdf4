"""Session types that follow a movement prescription profile take its intensity, goal,
contra-indications and weekly frequency, now and whenever it gets a new version."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.prescriptions import service as prescriptions
from server.scheduling.models import SessionType

#: The fields of a type that follows a profile which the profile, not the type, sets.
OWNED = frozenset({"intensity", "primary_goal", "contraindications", "suggested_per_week"})


def profile_fields(values: prescriptions.ProfileValues) -> dict[str, Any]:
    return {
        "profile_id": values.profile_id,
        "intensity": values.intensity,
        "primary_goal": values.primary_goal,
        "contraindications": list(values.contraindications),
        "suggested_per_week": values.suggested_per_week,
    }


def apply_profile(db: Session, tenant_id: uuid.UUID, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` of a session type being written, with its profile's values over them when
    it names one: the profile, not the form, says what the type prescribes."""
    profile_id = fields.get("profile_id")
    if profile_id is None:
        return fields
    return fields | profile_fields(prescriptions.followed_profile(db, tenant_id, profile_id))


class SessionTypesFollow:
    """Moves a profile's session types onto its new version (the editor's transaction)."""

    def follow(self, db: Session, tenant_id: uuid.UUID, values: prescriptions.ProfileValues) -> int:
        fields = profile_fields(values)
        del fields["profile_id"]
        # Through the ORM, not one UPDATE: kiosk change capture sees ORM writes only.
        rows = db.execute(
            select(SessionType).where(
                SessionType.tenant_id == tenant_id, SessionType.profile_id == values.profile_id
            )
        ).scalars()
        count = 0
        for row in rows:
            for name, value in fields.items():
                setattr(row, name, value)
            count += 1
        db.flush()
        return count


def followed_fields(
    db: Session, tenant_id: uuid.UUID, before: uuid.UUID | None, changes: dict[str, Any]
) -> dict[str, Any]:
    """What an edit must set from the profile: all of its values when the edit chooses
    another profile (one that may be chosen: not archived), the current version's again
    when it names the same one or touches a value the followed profile owns; nothing
    when no profile is followed. ``before``: the profile followed before the edit."""
    chosen = changes.get("profile_id", before)
    if chosen is None:
        return {}
    if chosen != before:
        return profile_fields(prescriptions.followed_profile(db, tenant_id, chosen))
    if "profile_id" in changes or changes.keys() & OWNED:
        return profile_fields(prescriptions.current_values(db, tenant_id, chosen))
    return {}
