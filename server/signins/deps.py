"""Request dependencies of signing in: the address a client's sign-ins are counted under."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from server.config import Settings
from server.signins.rules import client_key


async def _client_address(request: Request) -> str:
    settings: Settings = request.app.state.container.settings
    header = settings.trusted_proxy_header
    forwarded = request.headers.get(header) if header else None
    return client_key(request.client.host if request.client else None, forwarded)


ClientAddress = Annotated[str, Depends(_client_address)]
