"""The one place where errors become HTTP responses: ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from server.errors import DomainError, TooManyAttempts

log = logging.getLogger("zmos.api")
PROBLEM_JSON = "application/problem+json"


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    body = {
        **(extensions or {}),
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _describe_validation_error(error: dict[str, Any]) -> str:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")]
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    if error.get("type") == "json_invalid":
        return "the request body is not valid JSON"
    return f"{'.'.join(location)}: {message}" if location else message


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    return problem(exc.status, exc.title, exc.detail, exc.code, headers, exc.extensions)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # An id in the path that is not one (``/members/export``) names no resource: the
    # address is wrong, not the input.
    if any(error.get("loc", ("",))[0] == "path" for error in exc.errors()):
        return problem(404, "Not found", "there is nothing at this address", "not_found")
    details = [_describe_validation_error(error) for error in exc.errors()]
    return problem(
        422, "Invalid input", "; ".join(details) or "the request is not valid", "invalid_input"
    )


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    titles = {404: "Not found", 405: "Method not allowed", 401: "Not signed in"}
    detail = exc.detail if isinstance(exc.detail, str) else "the request could not be served"
    if exc.status_code == 404 and detail == "Not Found":
        detail = "there is nothing at this address"
    return problem(
        exc.status_code, titles.get(exc.status_code, "Error"), detail, f"http_{exc.status_code}"
    )


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(
        500,
        "Server error",
        "something went wrong on the server; it has been logged",
        "server_error",
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
