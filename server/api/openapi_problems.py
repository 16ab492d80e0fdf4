"""The OpenAPI document lists each operation's real error answers.

Every error is ``application/problem+json`` (:mod:`server.api.errors`), but FastAPI documents
a 422 as its own list of validation errors and no other error at all. Once the document is
built, each operation gets the problem answers that apply to it: 422 on every operation
(unknown query parameters are refused everywhere), 401 and 403 on those that need a token,
404 on those with a path parameter or a token (a resource of another tenant is not found),
409 on signed-in changes. Answers a route documents itself are kept.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from server.api.errors import PROBLEM_JSON

PROBLEM_REF = "#/components/schemas/Problem"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error (RFC 9457). `code` is stable and machine-readable; `detail` says "
    "what went wrong in words a person reads; some codes add members of their own.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "description": "`/problems/<code>`"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "additionalProperties": True,
}
_DESCRIPTIONS = {
    "401": "Not signed in, or the token has expired or been revoked",
    "403": "The token's account may not do this",
    "404": "No such resource in the caller's tenant, or a malformed id in the path",
    "409": "The change conflicts with the resource's current state",
    "422": "Invalid input, or a query parameter this operation does not take",
}
_CHANGES = frozenset({"post", "put", "patch", "delete"})
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")


def _problem(status: str) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status],
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def problem_statuses(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses an operation can answer with, by what it takes."""
    statuses = ["422"]
    secured = bool(operation.get("security"))
    if secured:
        statuses += ["401", "403"]
    if secured or "{" in path:
        statuses.append("404")
    if secured and method in _CHANGES:
        statuses.append("409")
    return statuses


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """``spec`` with problem answers on every operation (changed in place, and returned)."""
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            for status in problem_statuses(method, path, operation):
                documented = responses.get(status)
                if status == "422" or documented is None or "content" not in documented:
                    responses[status] = _problem(status)
            for status, documented in responses.items():
                # A route's own error answers say what they mean; the body is a problem.
                problem = documented.get("content", {}).get(PROBLEM_JSON)
                if str(status)[0] in "45" and problem is not None and "schema" not in problem:
                    problem["schema"] = {"$ref": PROBLEM_REF}
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name in _FASTAPI_VALIDATION:
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    return spec


def install_problem_docs(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json``) document problem answers."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
