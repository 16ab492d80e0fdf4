"""A tenant's settings row (one per tenant, keyed by ``tenant_id``; defaults apply until
one is saved): saving it is the same for every kind of setting."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from sqlalchemy.orm import Session

from shared.clock import utcnow

S = TypeVar("S")


def save_settings(
    db: Session, model: type[S], tenant_id: uuid.UUID, values: Mapping[str, Any]
) -> S:
    """Create the tenant's row if it has none, set ``values`` and ``updated_at``, and return
    it (the caller commits)."""
    row: Any = db.get(model, tenant_id)
    if row is None:
        row = cast(Any, model)(tenant_id=tenant_id)
        db.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at = utcnow()
    return cast(S, row)
