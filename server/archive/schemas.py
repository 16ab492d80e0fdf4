"""Request and response bodies of the archive's routes."""

from __future__ import annotations

import uuid

from pydantic import BaseModel


class ImportedRead(BaseModel):
    tenant_id: uuid.UUID
    slug: str
    #: Rows inserted, by table.
    rows: dict[str, int]
