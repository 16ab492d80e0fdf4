"""Use cases of the archive: a tenant's export, streamed; reading an archive back into an
empty tenant, all or nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO

from server.archive import export, feeds, importer, rules, tables
from server.audit import rules as audit_rules
from server.audit.recorder import record_action
from server.db.sealed import FieldSealer
from server.db.uow import UnitOfWork
from server.errors import Conflict, InvalidInput, NotFound
from server.ports.identity import AccessClaims
from server.tenants.models import Tenant
from server.tenants.repository import tenant_by_slug
from server.tenants.rules import SLUG
from shared.clock import utcnow
from shared.ids import new_id


def export_tenant(uow: UnitOfWork, sealer: FieldSealer, tenant_id: object) -> Iterator[bytes]:
    """The tenant's archive as it is written; the read stays open until the last byte."""
    with uow:
        tables.repeatable_read(uow.db)
        tenant = uow.db.get(Tenant, tenant_id)
        if tenant is None:
            raise NotFound("no such tenant")
        yield from export.stream(uow.db, sealer, tenant, utcnow())
        tenant_key = tenant.id
    # Logged once the last byte is out (an export cut short gave nobody the archive), in a
    # transaction of its own: the export's snapshot is read-only.
    with uow:
        record_action(
            uow.db,
            tenant_id=tenant_key,
            action=audit_rules.ARCHIVE_EXPORT,
            entity="tenants",
            entity_id=tenant_key,
        )
        uow.commit()


def export_for(uow: UnitOfWork, sealer: FieldSealer, claims: AccessClaims) -> Iterator[bytes]:
    return export_tenant(uow, sealer, claims.tenant_id)


def export_slug(uow: UnitOfWork, slug: str) -> Tenant:
    with uow:
        tenant = tenant_by_slug(uow.db, slug)
        if tenant is None:
            raise NotFound(f"no tenant {slug!r}")
        uow.db.expunge(tenant)
        return tenant


@dataclass(frozen=True)
class Imported:
    tenant_id: uuid.UUID
    slug: str
    created: bool
    rows: dict[str, int]


def import_new(
    uow: UnitOfWork,
    sealer: FieldSealer,
    claims: AccessClaims,
    file: IO[bytes],
    *,
    slug: str,
    name: str | None = None,
) -> Imported:
    """An owner's import: always into a new tenant (an existing slug is a 409), since the
    owner's own tenant is never empty and another tenant is not theirs to fill."""
    return import_archive(uow, sealer, file, slug=slug, name=name, new_only=True)


def import_archive(
    uow: UnitOfWork,
    sealer: FieldSealer,
    file: IO[bytes],
    *,
    slug: str,
    name: str | None = None,
    new_only: bool = False,
) -> Imported:
    """Read ``file`` into the tenant ``slug``: made from the archive's settings if it does not
    exist, refused (409, nothing changed) if it holds any data already, so a second run of
    the same import changes nothing."""
    if not SLUG.match(slug):
        raise InvalidInput(f"{slug!r} is not a tenant slug (lower-case letters, digits, hyphens)")
    try:
        archive = importer.open_archive(file)
    except rules.ArchiveError as exc:
        raise InvalidInput(str(exc), code="bad_archive") from None
    with uow:
        target = tenant_by_slug(uow.db, slug)
        created = target is None
        if target is None:
            currency = archive.tenant.get("currency")
            if not isinstance(currency, str) or (not name and not archive.tenant.get("name")):
                raise InvalidInput("the archive's manifest holds no tenant currency and name")
            target = Tenant(
                id=new_id(), slug=slug, name=name or str(archive.tenant["name"]), currency=currency
            )
            uow.db.add(target)
        elif new_only:
            raise Conflict(f"the tenant {slug!r} exists already", code="slug_taken")
        else:
            held = tables.holds_data(uow.db, target.id)
            if held:
                raise Conflict(
                    f"tenant {slug!r} is not empty (it holds {', '.join(held[:5])}"
                    f"{' …' if len(held) > 5 else ''}): "
                    "an archive is read into an empty tenant only",
                    code="tenant_not_empty",
                )
            if name:
                target.name = name
        try:
            importer.apply_tenant_fields(target, archive.tenant)
            uow.flush()
            rows = importer.load(uow.db, sealer, archive, target.id)
        except rules.ArchiveError as exc:
            raise InvalidInput(str(exc), code="bad_archive") from None
        record_action(
            uow.db,
            tenant_id=target.id,
            action=audit_rules.ARCHIVE_IMPORT,
            entity="tenants",
            entity_id=target.id,
        )
        uow.commit()
        return Imported(target.id, target.slug, created, rows)


def feed(
    uow: UnitOfWork,
    claims: AccessClaims,
    which: feeds.Feed,
    start: date,
    end: date,
    fmt: feeds.FeedFormat,
) -> Iterator[bytes]:
    """A feed's file, from the start of ``start`` to the end of ``end`` (UTC days, both
    included), over the caller's locations."""
    if end < start:
        raise InvalidInput("'to' is before 'from'")
    since = datetime.combine(start, time(), UTC)
    until = datetime.combine(end + timedelta(days=1), time(), UTC)
    read = feeds.attendance if which == "attendance" else feeds.movement
    columns = feeds.ATTENDANCE if which == "attendance" else feeds.MOVEMENT

    def chunks() -> Iterator[bytes]:
        with uow:
            rows = read(uow.db, claims.tenant_id, since, until, claims.location_ids)
            yield from (feeds.as_ndjson(rows) if fmt == "ndjson" else feeds.as_csv(columns, rows))

    return chunks()
