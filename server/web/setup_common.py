"""What the set-up pages share: who may open them, ids in addresses, and service calls whose
refusals become pages."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError
from server.ports.identity import AccessClaims
from server.web.console import staff_in
from server.web.sessions import WebRefusal

SECTION = "setup"


async def admin(request: Request) -> AccessClaims:
    """Owners and managers; anyone else gets the refusal page."""
    return await staff_in(request, SECTION)


def parse_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise WebRefusal(404, "Not found", "There is nothing at this address.") from None


def refused(exc: DomainError) -> WebRefusal:
    """A service's refusal as the page a person sees (its own words)."""
    message = exc.detail[:1].upper() + exc.detail[1:]
    titles = {404: "Not found", 403: "Not allowed", 409: "Cannot do that"}
    return WebRefusal(exc.status, titles.get(exc.status, "Cannot do that"), message)


async def call(fn: Callable[..., Any], *args: Any) -> Any:
    """A service call in a worker thread; a refusal becomes its page (never a 500)."""
    try:
        return await run_in_worker_thread(fn, *args)
    except DomainError as exc:
        raise refused(exc) from None
