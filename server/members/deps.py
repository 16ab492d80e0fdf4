"""Request dependencies of members: who may call, and raw (non-JSON) request bodies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email import policy
from email.parser import BytesParser
from typing import Annotated

from fastapi import Depends, Request

from server.api.deps import caller_where, staff_with
from server.errors import Forbidden, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from server.members.rules import IMAGE_MAGIC, MAX_PHOTO_BYTES
from server.ports.identity import AccessClaims
from shared.enums import PrincipalKind, StaffRole

MAX_CSV_BYTES = 5 * 1024 * 1024
#: Room for a form's boundaries and part headers around the file.
_FORM_OVERHEAD = 64 * 1024


def _must_be_member(claims: AccessClaims) -> None:
    if claims.kind is not PrincipalKind.MEMBER:
        raise Forbidden("this needs a member account")


_member = caller_where(_must_be_member)


def _staff_or_kiosk(claims: AccessClaims) -> None:
    if claims.kind is PrincipalKind.STAFF:
        return
    if claims.kind is PrincipalKind.DEVICE and claims.location_id is not None:
        return
    raise Forbidden("this needs a staff account or an enrolled kiosk device")


async def _read_limited(request: Request, limit: int, what: str) -> bytes:
    too_large = PayloadTooLarge(f"{what} is larger than {limit // (1024 * 1024)} MB")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


async def _csv_body(request: Request) -> bytes:
    media_type = _media_type(request)
    if media_type == "multipart/form-data":
        form = await _read_limited(request, MAX_CSV_BYTES + _FORM_OVERHEAD, "the CSV file")
        return _form_file(request.headers.get("content-type", ""), form)
    if media_type != "text/csv":
        raise UnsupportedMediaType(
            "send the file as the request body with Content-Type: text/csv, or as the "
            "'file' field of a multipart/form-data upload"
        )
    return await _read_limited(request, MAX_CSV_BYTES, "the CSV file")


def _form_file(content_type: str, form: bytes) -> bytes:
    """The ``file`` field of a multipart form, read with the standard library's MIME parser
    (the form holds one small file; no multipart dependency is needed for that)."""
    message = BytesParser(policy=policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + form
    )
    parts = message.iter_parts() if message.is_multipart() else iter(())
    for part in parts:
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            if len(data) > MAX_CSV_BYTES:
                raise PayloadTooLarge(f"the CSV file is larger than {MAX_CSV_BYTES // 2**20} MB")
            return data
    raise InvalidInput(
        "the form has no 'file' field: upload the CSV file as the field named file",
        code="bad_csv",
    )


async def _image_body(request: Request) -> tuple[bytes, str]:
    media_type = _media_type(request)
    if media_type not in IMAGE_MAGIC:
        raise UnsupportedMediaType("send the photo with Content-Type: image/png or image/jpeg")
    return await _read_limited(request, MAX_PHOTO_BYTES, "the photo"), media_type


def _editors() -> Callable[[AccessClaims], Awaitable[AccessClaims]]:
    return staff_with(StaffRole.OWNER, StaffRole.MANAGER, StaffRole.FRONT_DESK)


MemberClaims = Annotated[AccessClaims, Depends(_member)]
#: Front desk staff and above: they create and edit members, list them with their personal
#: data and read their passes (coaches see only their own classes' members).
MemberEditor = Annotated[AccessClaims, Depends(_editors())]
#: Staff (coaches: their classes' members only) and kiosks, which cache thumbnails.
PhotoReader = Annotated[AccessClaims, Depends(caller_where(_staff_or_kiosk))]
CsvBody = Annotated[bytes, Depends(_csv_body)]
ImageBody = Annotated[tuple[bytes, str], Depends(_image_body)]
