"""A tenant with data in many tables, and reading tables back for comparison."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from server.archive import service as archive_service
from server.archive.tables import archived_tables, columns_of, reseal_context, sealed_columns
from server.bootstrap import Container
from server.tenants.models import Tenant
from server.tiles import service as tiles_service
from zmos import demo_classes, demo_data, demo_members


def seed_demo(container: Container, passes: Path) -> demo_data.DemoTenant:
    """The demo's tenant: locations, staff, plans, members, memberships, sales, classes,
    bookings, check-ins, movement events, tiles."""
    tenant = demo_data.seed(container)
    members = demo_members.seed_members(container, tenant, passes)
    demo_classes.seed_classes(container, tenant, members)
    tiles_service.load_starter(uow=container.uow(), claims=tenant.owner_claims())
    return tenant


def export_bytes(container: Container, tenant_id: uuid.UUID) -> bytes:
    return b"".join(archive_service.export_tenant(container.uow(), container.sealer, tenant_id))


def tenant_id_of(container: Container, slug: str) -> uuid.UUID:
    with container.uow() as uow:
        found = uow.db.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
        return found


def table_rows(container: Container, tenant_id: uuid.UUID) -> dict[str, list[tuple[Any, ...]]]:
    """Every archived table's rows of the tenant, without tenant_id, in key order; sealed
    values opened (they are sealed anew, bound to the new tenant)."""
    sealed = sealed_columns()
    out: dict[str, list[tuple[Any, ...]]] = {}
    with container.uow() as uow:
        for table in archived_tables():
            names = columns_of(table)
            order = [c for c in table.primary_key.columns if c.name != "tenant_id"]
            rows = uow.db.execute(
                select(*[table.c[n] for n in names])
                .where(table.c.tenant_id == tenant_id)
                .order_by(*order)
            ).all()
            opened = []
            for row in rows:
                values = list(row)
                for i, name in enumerate(names):
                    if (table.name, name) in sealed and values[i] is not None:
                        row_id = values[names.index("id")]
                        values[i] = container.sealer.open(
                            values[i], context=reseal_context(table.name, name, tenant_id, row_id)
                        )
                opened.append(tuple(values))
            out[table.name] = opened
    return out


def import_bytes(container: Container, data: bytes, slug: str) -> archive_service.Imported:
    return archive_service.import_archive(
        container.uow(), container.sealer, io.BytesIO(data), slug=slug
    )
