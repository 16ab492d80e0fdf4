"""Unknown query parameters are refused, on every route.

FastAPI ignores a query parameter a route does not declare, so a filter the route does not
have (``GET /members?home_location_id=…``) silently answers as if none were sent: the
caller reads the whole list as the filtered one. Every route built on
:class:`server.api.threaded_route.ThreadedRoute` checks the names it was sent against those
it declares (its dependencies' included) and answers 422, naming them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qsl

from fastapi.dependencies.models import Dependant
from starlette.requests import Request
from starlette.responses import Response

from server.errors import InvalidInput

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """The query parameter names a route reads, its dependencies' included."""
    names: set[str] = set()
    pending = [dependant]
    while pending:
        current = pending.pop()
        for field in current.query_params:
            names.add(field.alias)
            choices = getattr(field.field_info.validation_alias, "choices", None)
            if isinstance(field.field_info.validation_alias, str):
                names.add(field.field_info.validation_alias)
            for choice in choices or ():
                if isinstance(choice, str):
                    names.add(choice)
            model = field.field_info.annotation
            fields = getattr(model, "model_fields", None)
            if isinstance(fields, dict):  # a pydantic model of query parameters
                names.update(info.alias or name for name, info in fields.items())
        pending.extend(current.dependencies)
    return frozenset(names)


def unknown_query_names(query_string: bytes, declared: frozenset[str]) -> list[str]:
    sent = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    return sorted({name for name, _ in sent} - declared)


def refusing_unknown_query(handler: Handler, declared: frozenset[str]) -> Handler:
    """``handler``, answering 422 first when the request has query parameters not declared."""
    takes = ", ".join(sorted(declared)) or "none"

    async def checked(request: Request) -> Response:
        query_string: bytes = request.scope.get("query_string", b"")
        if query_string:
            unknown = unknown_query_names(query_string, declared)
            if unknown:
                raise InvalidInput(
                    f"unknown query parameter{'s' if len(unknown) > 1 else ''}: "
                    f"{', '.join(unknown)} (this address takes: {takes})",
                    code="unknown_query_parameter",
                    extensions={"unknown_parameters": unknown},
                )
        return await handler(request)

    return checked
