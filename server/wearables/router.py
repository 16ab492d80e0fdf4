"""HTTP routes of activity imports. Thin: read the upload, call the service, return."""

from __future__ import annotations

import uuid
from email import policy
from email.parser import BytesParser
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status

from server.api.deps import AnyStaff, ContainerDep, ReadUowDep, UowDep
from server.api.params import Limit, Offset
from server.api.threaded_route import ThreadedRoute
from server.errors import InvalidInput, PayloadTooLarge, UnsupportedMediaType
from server.members.deps import MemberClaims
from server.ports.identity import AccessClaims
from server.wearables import service
from server.wearables.files import UNPACKED_PER_PACKED
from server.wearables.import_schemas import (
    ActivityImportPage,
    ActivityImportRead,
    ActivityImportSummary,
)

router = APIRouter(route_class=ThreadedRoute, tags=["activity imports"])

#: Room for a form's boundaries and part headers around the file.
_FORM_OVERHEAD = 64 * 1024
#: The upload is read by ``_activity_file`` (to refuse it unread past the limit), so its form
#: is documented here.
_UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}
_EXISTING = {200: {"model": ActivityImportRead, "description": "The same file: its first import"}}


def upload_limit(request: Request) -> int:
    limit: int = request.app.state.container.settings.activity_import_max_bytes
    return limit


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the activity file is larger than {limit / (1024 * 1024):g} MB", code="file_too_large"
    )


async def _activity_file(request: Request) -> tuple[str, bytes]:
    """The form's ``file`` field and its name; past the size limit a 413, the rest of the
    body unread."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise UnsupportedMediaType(
            "send the activity file as the 'file' field of a multipart/form-data upload"
        )
    limit = upload_limit(request)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + _FORM_OVERHEAD:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit + _FORM_OVERHEAD:
            raise _too_large(limit)
        chunks.append(chunk)
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + b"".join(chunks)
    )
    for part in message.iter_parts() if message.is_multipart() else iter(()):
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            if len(data) > limit:
                raise _too_large(limit)
            if not data:
                raise InvalidInput("the activity file is empty", code="import_file_refused")
            return str(part.get_filename() or ""), data
    raise InvalidInput(
        "the form has no 'file' field: upload the activity file as the field named file",
        code="import_file_refused",
    )


ActivityFile = Annotated[tuple[str, bytes], Depends(_activity_file)]


def _run(
    container: ContainerDep,
    claims: AccessClaims,
    member_id: uuid.UUID,
    upload: tuple[str, bytes],
    response: Response,
) -> ActivityImportRead:
    filename, data = upload
    limit = container.settings.activity_import_max_bytes
    imported = service.import_activity_file(
        uow=container.uow(),
        tenant_id=claims.tenant_id,
        member_id=member_id,
        uploaded_by=claims.subject_id,
        filename=filename,
        data=data,
        max_unpacked=limit * UNPACKED_PER_PACKED,
    )
    response.status_code = status.HTTP_201_CREATED if imported.created else status.HTTP_200_OK
    return ActivityImportRead.model_validate(imported.row)


@router.post(
    "/me/activity-imports",
    response_model=ActivityImportRead,
    status_code=status.HTTP_201_CREATED,
    responses=_EXISTING,  # type: ignore[arg-type]
    openapi_extra=_UPLOAD,
)
def import_my_activity(
    claims: MemberClaims, upload: ActivityFile, container: ContainerDep, response: Response
) -> ActivityImportRead:
    """Import an activity file (multipart field ``file``): an Apple Health ``export.xml`` or
    its ``export.zip``, a GPX or FIT file, or a Google Fit sessions ``.json``. Each workout
    becomes a device-imported movement event, less what was recorded already (the same
    workout from another file or device, minutes inside a gym visit); implausible records are
    skipped and listed. A file that is not what it says is a 422 and stores nothing; a file
    past the size limit a 413. The same file again answers with its first import (200)."""
    return _run(container, claims, claims.subject_id, upload, response)


@router.post(
    "/members/{member_id}/activity-imports",
    response_model=ActivityImportRead,
    status_code=status.HTTP_201_CREATED,
    responses=_EXISTING,  # type: ignore[arg-type]
    openapi_extra=_UPLOAD,
)
def import_activity_for_member(
    member_id: uuid.UUID,
    claims: AnyStaff,
    upload: ActivityFile,
    container: ContainerDep,
    response: Response,
) -> ActivityImportRead:
    """Import an activity file for a member, as they would themselves."""
    return _run(container, claims, member_id, upload, response)


@router.get("/me/activity-imports", response_model=ActivityImportPage)
def my_activity_imports(
    claims: MemberClaims, uow: UowDep, limit: Limit = 50, offset: Offset = 0
) -> ActivityImportPage:
    """One's own imports, newest first, with their counts."""
    items, next_offset = service.member_imports(
        uow=uow, tenant_id=claims.tenant_id, member_id=claims.subject_id, limit=limit, offset=offset
    )
    return ActivityImportPage(
        items=[ActivityImportSummary.model_validate(i) for i in items], next_offset=next_offset
    )


@router.get("/me/activity-imports/{activity_import_id}", response_model=ActivityImportRead)
def my_activity_import(
    activity_import_id: uuid.UUID, claims: MemberClaims, uow: ReadUowDep
) -> ActivityImportRead:
    """One of one's imports with its report: each record and what became of it."""
    row = service.member_import(
        uow=uow,
        tenant_id=claims.tenant_id,
        member_id=claims.subject_id,
        import_id=activity_import_id,
    )
    return ActivityImportRead.model_validate(row)
