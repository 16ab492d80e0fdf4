"""Signing in from a web form with the API's sign-in services, and what a refused sign-in
tells the person (the API's own words, as an HTML form error rather than problem+json)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, TooManyAttempts
from server.signins.schemas import TokenPair
from server.web.sessions import Door, services, start


class SignInRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


async def sign_in(
    request: Request,
    door: Door,
    login: Callable[..., TokenPair],
    request_model: type[BaseModel],
    fields: dict[str, Any],
    client: str,
) -> None:
    """Signs in with ``login`` (the API's service, same lock-out) and keeps the tokens in
    the door's cookies; raises ``SignInRefused`` with what to tell the person."""
    try:
        cmd = request_model.model_validate(fields)
    except ValidationError:
        raise SignInRefused(422, "Enter your email address and your password.") from None
    container = services(request)
    try:
        pair = await run_in_worker_thread(
            login,
            uow=container.uow(),
            identity=container.identity,
            settings=container.settings,
            cmd=cmd,
            client=client,
        )
    except TooManyAttempts as exc:
        minutes = max(1, (exc.retry_after_seconds + 59) // 60)
        raise SignInRefused(
            429, f"Too many failed attempts: try again in {minutes} minutes."
        ) from None
    except DomainError as exc:
        message = exc.detail[:1].upper() + exc.detail[1:]
        raise SignInRefused(exc.status, message) from None
    start(request, door, pair)
