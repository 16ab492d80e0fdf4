"""What the API answers to a request body, without a server, a container or a database.

A route's body is checked by its pydantic schema before the route runs, and the server's
one error handler turns a refusal into a problem document. Here a one-route app does
exactly that with the same schema and the same handler, so the rules a schema holds
(field limits, consistency validators) and the wording people get are tested once, in
milliseconds, instead of through a database on each backend.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from server.api.errors import install_error_handlers


@cache
def _client(schema: type[BaseModel]) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    def accept(body: Any) -> dict[str, bool]:
        return {"accepted": True}

    accept.__annotations__ = {"body": schema, "return": dict[str, bool]}
    app.post("/")(accept)
    return TestClient(app, raise_server_exceptions=False)


def answer(schema: type[BaseModel], body: object) -> httpx.Response:
    """The answer to ``POST`` of ``body`` (as JSON) to a route whose body is ``schema``."""
    # starlette types its TestClient over httpx2, which is not installed: the call is untyped
    response: httpx.Response = _client(schema).post("/", json=body)
    return response


def refusal(schema: type[BaseModel], body: object) -> str:
    """The problem document's ``detail`` for a refused ``body``; fails if it was accepted."""
    response = answer(schema, body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    detail: str = response.json()["detail"]
    return detail
