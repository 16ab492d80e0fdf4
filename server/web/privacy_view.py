"""What the privacy pages show: the member app's "Your data" (download, ask for a
correction, their requests) and the console's Privacy page of a member (export, erase, the
member's requests), dates in the location's formats."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from server.api.deps import Services
from server.errors import InvalidInput
from server.ports.identity import AccessClaims
from server.privacy import service
from server.privacy.schemas import (
    ErasureCommand,
    PrivacyRequestRead,
    RectificationAsk,
    StaffRectification,
)
from server.web.account_view import places as member_places
from server.web.formatting import Formats
from server.web.members_view import places as staff_places
from server.web.members_view import within
from shared.enums import StaffRole

KIND_WORDS = {
    "export": "Data export",
    "erasure": "Erasure",
    "rectification": "Correction",
}


def _rows(requests: list[PrivacyRequestRead], fmt: Formats) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "kind": KIND_WORDS[r.kind.value],
            "by": "you" if r.requested_by_kind == "member" else "staff",
            "by_member": r.requested_by_kind == "member",
            "at": fmt.datetime(r.requested_at),
            "done": fmt.datetime(r.completed_at) if r.completed_at else None,
            "details": r.details,
            "outcome": r.outcome,
            "open": r.completed_at is None,
        }
        for r in requests
    ]


def _invalid(exc: ValidationError) -> InvalidInput:
    first = exc.errors()[0]
    field = ".".join(str(p) for p in first["loc"]) or "the form"
    return InvalidInput(f"{field}: {first['msg']}")


# --- the member app ---------------------------------------------------------------------------


def my_data(container: Services, claims: AccessClaims) -> dict[str, Any]:
    fmt = member_places(container, claims).home
    requests = service.my_requests(
        uow=container.read_uow(), claims=claims, limit=200, offset=0
    ).items
    return {"requests": _rows(requests, fmt)}


def my_export(container: Services, claims: AccessClaims) -> bytes:
    document = service.export_member(
        uow=container.uow(), sealer=container.sealer, claims=claims, member_id=claims.subject_id
    )
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def ask_correction(container: Services, claims: AccessClaims, fields: Mapping[str, str]) -> None:
    try:
        cmd = RectificationAsk(details=fields.get("details", ""))
    except ValidationError as exc:
        raise InvalidInput("Say what is wrong, in up to 2,000 characters") from exc
    service.ask_rectification(uow=container.uow(), claims=claims, cmd=cmd)


# --- the console ------------------------------------------------------------------------------


def member_privacy(
    container: Services, claims: AccessClaims, member_id: uuid.UUID
) -> dict[str, Any]:
    within(container, claims, {"member_id": member_id})
    found = service.member_privacy(uow=container.read_uow(), claims=claims, member_id=member_id)
    fmt = staff_places(container, claims).fmt(found.home_location_id)
    return {
        "member": found,
        "name": f"{found.first_name} {found.last_name}",
        "erased": fmt.datetime(found.erased_at) if found.erased_at else None,
        "may_erase": claims.role is StaffRole.OWNER,
        "requests": _rows(found.requests, fmt),
    }


def member_export(container: Services, claims: AccessClaims, member_id: uuid.UUID) -> bytes:
    within(container, claims, {"member_id": member_id})
    document = service.export_member(
        uow=container.uow(), sealer=container.sealer, claims=claims, member_id=member_id
    )
    return json.dumps(document, ensure_ascii=False, indent=1).encode()


def erase(
    container: Services, claims: AccessClaims, member_id: uuid.UUID, fields: Mapping[str, str]
) -> None:
    within(container, claims, {"member_id": member_id})
    try:
        cmd = ErasureCommand(confirmation=fields.get("confirmation", ""))
    except ValidationError as exc:
        raise _invalid(exc) from exc
    service.erase_member(
        uow=container.uow(), grants=container.grants, claims=claims, member_id=member_id, cmd=cmd
    )


def answer(
    container: Services,
    claims: AccessClaims,
    member_id: uuid.UUID,
    request_id: uuid.UUID,
    fields: Mapping[str, str],
) -> None:
    """Mark a member's correction request answered (the correction itself made on the
    member's profile), with a note of what was done."""
    within(container, claims, {"member_id": member_id})
    note = fields.get("note", "").strip() or None
    try:
        cmd = StaffRectification.model_validate(
            {"changes": {}, "request_id": request_id, "note": note}
        )
    except ValidationError as exc:
        raise InvalidInput("The note is too long: 500 characters at most") from exc
    service.rectify_member(uow=container.uow(), claims=claims, member_id=member_id, cmd=cmd)
