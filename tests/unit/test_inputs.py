"""The bounds every input is held to, and that every request body is held to them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import get_args

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from server.routes import ROUTERS
from shared.inputs import MAX_YEAR, MIN_YEAR, InputModel, problem
from shared.sync.messages import CheckinCreateArgs, PushRequest


class _Inner(BaseModel):
    note: str


class _Body(InputModel):
    name: str
    day: date | None = None
    tags: list[str] = []
    inner: _Inner | None = None
    extra: dict[str, str] = {}


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "a\x00b"},
        {"name": "\x1b[2J"},
        {"name": "x\x85"},
        {"name": "ok", "tags": ["fine", "bad\x00"]},
        {"name": "ok", "inner": {"note": "\x00"}},
        {"name": "ok", "extra": {"k\x00": "v"}},
        {"name": "ok", "day": "0001-01-01"},
        {"name": "ok", "day": "9999-12-31"},
        {"name": "ok", "day": f"{MIN_YEAR - 1}-12-31"},
        {"name": "ok", "day": f"{MAX_YEAR + 1}-01-01"},
    ],
)
def test_bad_values_anywhere_in_a_body_are_refused(fields: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _Body.model_validate(fields)


def test_tabs_line_breaks_and_bounds_themselves_are_taken() -> None:
    body = _Body.model_validate(
        {"name": "a\tb\r\nc", "day": f"{MAX_YEAR}-12-31", "tags": ["é", "名前"]}
    )
    assert body.name == "a\tb\r\nc"
    assert _Body.model_validate({"name": "x", "day": f"{MIN_YEAR}-01-01"}).day
    assert problem(datetime(1, 1, 1, tzinfo=UTC)) is not None
    assert problem("plain") is None


def test_mutation_arguments_hold_the_same_bounds() -> None:
    args = {
        "checkin_id": "0190e6a0-0000-7000-8000-000000000001",
        "member_id": "0190e6a0-0000-7000-8000-000000000002",
        "location_id": "0190e6a0-0000-7000-8000-000000000003",
        "method": "search",
        "admitted": True,
        "reason": "ok",
    }
    assert CheckinCreateArgs.model_validate(args)
    with pytest.raises(ValidationError):
        CheckinCreateArgs.model_validate({**args, "occurred_at": "0001-01-01T00:00:00Z"})
    with pytest.raises(ValidationError):
        CheckinCreateArgs.model_validate({**args, "reason": "\x00"})


def test_every_request_body_is_an_input_model() -> None:
    """The checks live in one base class; every body a route reads inherits it (a push is
    an envelope: its mutations' arguments are checked one by one, so one bad mutation is
    rejected alone)."""
    bodies = set()
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute):
                for param in route.dependant.body_params:
                    annotation = param.field_info.annotation
                    # An optional body (``X | None``) is checked as its model.
                    models = [a for a in get_args(annotation) if a is not type(None)]
                    bodies.update(models or [annotation])
    assert len(bodies) >= 40
    unchecked = [
        body
        for body in bodies
        if not (isinstance(body, type) and issubclass(body, InputModel)) and body is not PushRequest
    ]
    assert unchecked == []
