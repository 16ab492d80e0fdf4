"""The month's invoicing run (``zmos corporate invoice --month``): every tenant's accounts,
one transaction per tenant. Running it twice issues nothing new."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from server.corporate_billing.invoicing import issue_month
from server.corporate_billing.schemas import IssuedRead
from server.db.uow import UnitOfWork
from server.tenants.models import Tenant


def issue_all_tenants(
    make_uow: Callable[[], UnitOfWork], *, month: str, slug: str | None = None
) -> dict[str, IssuedRead]:
    """Invoices issued (or found) per tenant slug; an unknown slug is a LookupError."""
    with make_uow() as uow:
        query = select(Tenant.id, Tenant.slug).order_by(Tenant.slug)
        if slug is not None:
            query = query.where(Tenant.slug == slug)
        tenants = [(row.id, row.slug) for row in uow.db.execute(query)]
    if slug is not None and not tenants:
        raise LookupError(f"no tenant has the slug {slug!r}")
    return {
        name: issue_month(uow=make_uow(), tenant_id=tenant_id, month=month)
        for tenant_id, name in tenants
    }
