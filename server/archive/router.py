"""HTTP routes of the tenant archive (owners) and the analytics feeds (owners, managers)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from datetime import date
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from fastapi.responses import StreamingResponse

from server.api.deps import Admin, ContainerDep, Owner
from server.api.threaded_route import ThreadedRoute
from server.archive import feeds, service
from server.archive.schemas import ImportedRead
from server.errors import PayloadTooLarge

router = APIRouter(route_class=ThreadedRoute, tags=["archive"])

#: Archives above this size are refused before they are read (a spooled file on disk).
MAX_ARCHIVE_BYTES = 4 << 30


async def _spooled(request: Request) -> AsyncIterator[IO[bytes]]:
    """The request's body in a temporary file (in memory while small), never whole in RAM."""
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
    try:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_ARCHIVE_BYTES:
                raise PayloadTooLarge("the archive is larger than this server reads")
            spool.write(chunk)
        spool.seek(0)
        yield spool
    finally:
        spool.close()


ArchiveFile = Annotated[IO[bytes], Depends(_spooled)]

_ZIP: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        "description": "zmos-tenant-archive, version 1",
    }
}
_FEED: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/x-ndjson": {}}, "description": "the feed"}
}
_MEDIA = {"csv": "text/csv; charset=utf-8", "ndjson": "application/x-ndjson"}


@router.get("/tenant/export", response_class=StreamingResponse, responses=_ZIP)
def export_tenant(claims: Owner, container: ContainerDep) -> StreamingResponse:
    """The tenant's whole data as a ZIP of one CSV per table and ``manifest.json``
    (docs/archive-format.md), streamed as it is written. Owners only; health data is in it,
    opened."""
    chunks = service.export_for(container.uow(), container.sealer, claims)
    return StreamingResponse(
        chunks,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="zmos-archive-{claims.tenant_id}.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/tenant/archive-imports",
    response_model=ImportedRead,
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
def import_archive(
    claims: Owner,
    container: ContainerDep,
    file: ArchiveFile,
    slug: Annotated[str, Query(min_length=3, max_length=63)],
    name: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
) -> ImportedRead:
    """A new tenant ``slug`` made from an archive (the body, ``application/zip``): its rows,
    ids kept; its staff sign in there with their own passwords. All or nothing: a bad
    archive is a 422 (``bad_archive``), a slug in use a 409, and nothing is written."""
    done = service.import_new(container.uow(), container.sealer, claims, file, slug=slug, name=name)
    return ImportedRead(tenant_id=done.tenant_id, slug=done.slug, rows=done.rows)


def _feed(
    which: feeds.Feed,
    claims: Any,
    container: ContainerDep,
    start: date,
    end: date,
    fmt: feeds.FeedFormat,
) -> StreamingResponse:
    chunks = service.feed(container.uow(), claims, which, start, end, fmt)
    return StreamingResponse(
        chunks,
        media_type=_MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{which}-{start}-{end}.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


From = Annotated[date, Query(alias="from", description="first UTC day, included")]
To = Annotated[date, Query(alias="to", description="last UTC day, included")]
Format = Annotated[feeds.FeedFormat, Query(alias="format")]


@router.get("/feeds/attendance", response_class=StreamingResponse, responses=_FEED)
def attendance_feed(
    claims: Admin, container: ContainerDep, start: From, end: To, fmt: Format = "csv"
) -> StreamingResponse:
    """Check-ins, then bookings attended, between two UTC days, for analytics tools:
    members by id only. Staff limited to some locations get those locations' rows."""
    return _feed("attendance", claims, container, start, end, fmt)


@router.get("/feeds/movement", response_class=StreamingResponse, responses=_FEED)
def movement_feed(
    claims: Admin, container: ContainerDep, start: From, end: To, fmt: Format = "csv"
) -> StreamingResponse:
    """Movement events between two UTC days (voids included), members by id only."""
    return _feed("movement", claims, container, start, end, fmt)
