"""Malformed requests on every route answer a 4xx problem, never a 500, and change nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.helpers import Api

GARBAGE_BODIES: list[object] = [None, [], "text", 42, {"unexpected": True}, {"name": None}]
RAW_BODIES = [b"{not json", b"\xff\xfe\x00", b"", b'{"a": ' * 100]
BAD_IDS = ["not-a-uuid", "1", "%00", "00000000-0000-0000-0000-00000000000Z", "a" * 500]


_DOCUMENTED: dict[str, Any] = {}


def _operations(api: Api, *, with_body: bool = False) -> list[tuple[str, str]]:
    # Every app serves the same document; making it costs 0.5 s an app, so once a process.
    if not _DOCUMENTED:
        _DOCUMENTED.update(api.client.get("/openapi.json").json()["paths"])
    paths = _DOCUMENTED
    return [
        (m.upper(), p)
        for p, methods in paths.items()
        for m, operation in methods.items()
        if m.upper() != "DELETE" and (not with_body or "requestBody" in operation)
    ]


def _counts(api: Api, headers: dict[str, str]) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        len(api.client.get(path, headers=headers).json()["items"])
        for path in ("/locations", "/staff", "/devices")
    )


def _check(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert 400 <= status < 500, (status, response.text)  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert response.json()["detail"]  # type: ignore[attr-defined]


def test_garbage_everywhere_is_refused_cleanly(api: Api) -> None:
    tenant = api.sign_up("garbage-in")
    location = api.create_location(tenant)
    before = _counts(api, tenant.headers)
    member = api.client.post(
        "/members", json={"first_name": "A", "last_name": "B"}, headers=tenant.headers
    )
    ids = {
        "location_id": location["id"],
        "staff_id": tenant.owner_id,
        "device_id": location["id"],
        "member_id": member.json()["id"],
        "pass_id": location["id"],
        "plan_id": location["id"],
        "membership_id": location["id"],
        "checkin_id": location["id"],
        "review_item_id": location["id"],
        "session_type_id": location["id"],
        "schedule_id": location["id"],
        "session_id": location["id"],
        "booking_id": location["id"],
        "penalty_id": location["id"],
        "closure_id": location["id"],
        "sale_id": location["id"],
        "movement_event_id": location["id"],
        "circle_id": location["id"],
        "activity_import_id": location["id"],
        "tile_id": location["id"],
        "profile_id": location["id"],
        "challenge_id": location["id"],
        "template_id": location["id"],
        "enrolment_id": location["id"],
        "version": "1",
        "clearance_id": location["id"],
        "flag_id": location["id"],
        "account_id": location["id"],
        "package_id": location["id"],
        "invoice_id": location["id"],
        "admin_id": location["id"],
        "subscription_id": location["id"],
        "tenant_slug": tenant.slug,
        "token": "not-a-feed-token",
        "fmt": "png",
        "entity": "members",
        "provider": "stripe",
    }
    for method, template in _operations(api, with_body=True):
        path = template.format(**ids)
        for body in GARBAGE_BODIES:
            response = api.client.request(method, path, json=body, headers=tenant.headers)
            if response.status_code < 400:
                # Some routes have only optional fields ({} is a valid PATCH, no body a valid
                # POST): only such a body may be accepted, and then with a success.
                accepted = (method, path, body, response.status_code)
                assert body in ({"unexpected": True}, None, {"name": None}), accepted
                assert 200 <= response.status_code < 300, accepted
                continue
            _check(response)
        for raw in RAW_BODIES:
            response = api.client.request(
                method,
                path,
                content=raw,
                headers={**tenant.headers, "content-type": "application/json"},
            )
            optional = ("/enrolment-codes", "/passes", "/cancel", "/decline", "/attendance")
            if raw == b"" and template.endswith(optional):
                continue  # an empty body is allowed: all its fields are optional
            _check(response)
    assert _counts(api, tenant.headers) == before


@pytest.mark.parametrize("bad_id", BAD_IDS)
def test_malformed_ids_are_refused(api: Api, bad_id: str) -> None:
    tenant = api.sign_up("bad-ids")
    for method, template in _operations(api):
        if not re.search(r"{\w+}", template):
            continue
        path = re.sub(r"{\w+}", bad_id, template)
        response = api.client.request(method, path, headers=tenant.headers, json={})
        _check(response)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no database part
def test_validation_messages_name_the_field(api: Api) -> None:
    response = api.client.post(
        "/tenants", json={"name": "x", "slug": "Bad Slug!", "owner": {"name": "o"}}
    )
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "slug" in detail and "owner.email" in detail and "owner.password" in detail


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no database part
def test_unknown_route_and_method(api: Api) -> None:
    _check(api.client.get("/no/such/thing"))
    # Under a first segment the API knows (routed by server.api.segment_routing), all the same.
    _check(api.client.get("/sessions/not/a/route"))
    for method, path in (("PUT", "/health"), ("DELETE", "/me/bookings")):
        response = api.client.request(method, path)
        assert response.status_code == 405
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # no database part
def test_every_documented_route_is_reached_through_its_segment_app(api: Api) -> None:
    from starlette.routing import Route

    from server.api.errors import install_error_handlers
    from server.api.segment_routing import first_segment, segment_apps
    from server.main import create_app
    from server.routes import ROUTERS

    main = create_app(container=api.client.app.state.container)  # type: ignore[attr-defined]
    apps = segment_apps(ROUTERS, main, install_error_handlers)
    documented = {
        (method, path)
        for path, methods in api.client.get("/openapi.json").json()["paths"].items()
        for method in methods
    }
    indexed = {
        (method.lower(), route.path)
        for app in apps.values()
        for route in app.routes
        if isinstance(route, Route)  # what answers HTTP methods (FastAPI's routes among them)
        for method in route.methods or ()
    }
    assert documented <= indexed
    assert all(first_segment(path) in apps for _method, path in documented)


def test_health_and_docs(api: Api) -> None:
    health = api.client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "version": "0.1.0"}
    assert "swagger" in api.client.get("/docs").text.lower()
    spec = api.client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            ok = [code for code in responses if code.startswith("2")]
            assert ok, (method, path)
            if ok != ["204"]:
                assert "content" in responses[ok[0]], f"{method} {path} has no response model"
