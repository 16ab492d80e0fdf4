"""Signing in from a web form with the API's sign-in services, and what a refused sign-in
tells the person (the API's own words, as an HTML form error rather than problem+json);
and what the account pages (the member app's and the console's) share: a form read into a
command, a service refusal said in a sentence, and a one-time code as typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from server.api.threaded_route import run_in_worker_thread
from server.errors import DomainError, TooManyAttempts
from server.signins.schemas import TokenPair
from server.web.sessions import Door, services, start

M = TypeVar("M", bound=BaseModel)


class Refused(Exception):
    """A form the page shows again, with ``message`` and answered with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def sentence(text: str) -> str:
    """A service's message as a sentence on a page: a capital first, a full stop last."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def command(model: type[M], fields: dict[str, Any], words: Mapping[str, str]) -> M:
    """The form's fields as ``model``; refused (422) with ``words`` for each field whose
    bounds they miss (what the bounds mean to a person filling the form)."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        named = [str(error["loc"][0]) for error in exc.errors() if error["loc"]]
        said = [words.get(name, "Check the form.") for name in dict.fromkeys(named)]
        raise Refused(422, " ".join(said) or "Check the form.") from None


async def form_call(service: Callable[..., Any], **kwargs: Any) -> Any:
    """A service in a worker thread; its refusal is the form's, in the service's words."""
    try:
        return await run_in_worker_thread(lambda: service(**kwargs))
    except DomainError as exc:
        raise Refused(exc.status, sentence(exc.detail)) from None


def one_time_code(value: str) -> str:
    """A code as pasted from an email (trimmed; longer than any code is cut, not stored)."""
    return value.strip()[:300]


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
