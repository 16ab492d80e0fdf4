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
from server.corporate.models import CorporateAccount, CorporateDepartment
from server.engagement import projection
from server.members.models import Member
from server.tenants.models import Tenant
from server.tiles import service as tiles_service
from tests.integration.helpers import Api
from tests.integration.helpers import Tenant as ApiTenant
from tests.integration.journeys_helpers import journey_world
from tests.integration.screening_helpers import screening_world
from zmos import demo_classes, demo_data, demo_members


def seed_demo(container: Container, passes: Path) -> demo_data.DemoTenant:
    """The demo's tenant: locations, staff, plans, members, memberships, sales, classes,
    bookings, check-ins, movement events, tiles."""
    tenant = demo_data.seed(container)
    members = demo_members.seed_members(container, tenant, passes)
    demo_classes.seed_classes(container, tenant, members)
    tiles_service.load_starter(uow=container.uow(), claims=tenant.owner_claims())
    return tenant


def seed_more(api: Api, container: Container, demo: demo_data.DemoTenant) -> str:
    """On top of the demo: health data (sealed), a journey and its weeks, the engagement
    projection, a corporate account with a department; a member id of the tenant."""
    slug = demo_data.TENANT_SLUG
    signed_in = api.login(slug, demo_data.STAFF[0].email, demo_data.PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    tenant = ApiTenant(slug, str(demo.tenant_id), str(demo.owner_id), token, "")
    with container.uow() as uow:
        member_id = str(
            uow.db.execute(
                select(Member.id).where(Member.tenant_id == demo.tenant_id).order_by(Member.id)
            )
            .scalars()
            .first()
        )
        account = CorporateAccount(name="=Acme Ltd", contact_email="hr@acme.example")
        account.tenant_id = demo.tenant_id
        uow.db.add(account)
        uow.db.flush()
        department = CorporateDepartment(account_id=account.id, name="Sales", cost_centre="CC-1")
        department.tenant_id = demo.tenant_id
        uow.db.add(department)
        uow.commit()
    screening_world(api, tenant, member_id)
    journey_world(api, tenant, member_id)
    projection.project_pending(
        container.uow,
        demo.tenant_id,
        projector=container.projector(),
        limit=5000,
    )
    return member_id


def export_bytes(container: Container, tenant_id: uuid.UUID) -> bytes:
    return b"".join(archive_service.export_tenant(container.uow(), container.sealer, tenant_id))


def tenant_id_of(container: Container, slug: str) -> uuid.UUID:
    with container.uow() as uow:
        found = uow.db.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one()
        return found


def table_rows(
    container: Container, tenant_id: uuid.UUID, *, with_audit: bool = False
) -> dict[str, list[tuple[Any, ...]]]:
    """Every archived table's rows of the tenant, without tenant_id, in key order; sealed
    values opened (they are sealed anew, bound to the new tenant). The audit log only when
    asked: an import adds its own entries to the log it brings."""
    sealed = sealed_columns()
    out: dict[str, list[tuple[Any, ...]]] = {}
    with container.uow() as uow:
        for table in archived_tables():
            if table.name == "audit_entries" and not with_audit:
                continue
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
