"""The console's "Download all our data": the tenant archive, streamed to an owner's
browser (``/manage/setup/export``), as ``GET /tenant/export`` gives it to the API."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from server.archive import service
from server.web.sessions import WebRefusal, services
from server.web.setup_common import admin
from shared.enums import StaffRole

router = APIRouter(include_in_schema=False)


@router.get("/manage/setup/export")
async def download_all(request: Request) -> Response:
    claims = await admin(request)
    if claims.role != StaffRole.OWNER:
        raise WebRefusal(403, "Not allowed", "Only an owner may download all of the data.")
    container = services(request)
    return StreamingResponse(
        service.export_for(container.uow(), container.sealer, claims),
        media_type="application/zip",
        headers={
            "Content-Disposition": 'attachment; filename="zmos-archive.zip"',
            "Cache-Control": "no-store",
        },
    )
