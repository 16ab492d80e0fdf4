"""Tiles that follow a movement prescription profile take its contra-indications and its
intensity (on the Tiles' three-step scale), now and whenever it gets a new version."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.prescriptions import service as prescriptions
from server.tiles.models import Tile


def profile_fields(values: prescriptions.ProfileValues) -> dict[str, Any]:
    return {
        "profile_id": values.profile_id,
        "intensity": values.tile_intensity.value,
        "contraindications": list(values.contraindications),
    }


def apply_profile(db: Session, tenant_id: uuid.UUID, fields: dict[str, Any]) -> dict[str, Any]:
    """A Tile's ``fields`` with its profile's values over them when it names one."""
    profile_id = fields.get("profile_id")
    if profile_id is None:
        return fields
    return fields | profile_fields(prescriptions.followed_profile(db, tenant_id, profile_id))


class TilesFollow:
    """Moves a profile's Tiles onto its new version (the editor's transaction)."""

    def follow(self, db: Session, tenant_id: uuid.UUID, values: prescriptions.ProfileValues) -> int:
        fields = profile_fields(values)
        del fields["profile_id"]
        # Through the ORM, not one UPDATE: kiosk change capture sees ORM writes only.
        rows = db.execute(
            select(Tile).where(Tile.tenant_id == tenant_id, Tile.profile_id == values.profile_id)
        ).scalars()
        count = 0
        for row in rows:
            for name, value in fields.items():
                setattr(row, name, value)
            count += 1
        db.flush()
        return count


#: The fields of a Tile that follows a profile which the profile, not the Tile, sets.
OWNED = frozenset({"intensity", "contraindications"})


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
