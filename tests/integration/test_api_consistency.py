"""One consistent API: every list is paged alike, unknown query parameters are refused,
wrong addresses answer 404, and the OpenAPI documents the problem answers (SQLite and
PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from server.api.params import MAX_LIMIT
from server.bootstrap import Container
from server.plans.models import Membership
from shared.enums import MembershipStatus
from tests.integration.bookings_helpers import Studio, open_studio
from tests.integration.helpers import Api

#: Not lists people page: the kiosk's own protocol (a change feed with a sync cursor) and
#: reports (a few aggregate rows, one per group asked for).
NOT_PAGED = ("/sync/", "/overview/", "/reports/")


@pytest.fixture
def studio(api: Api, container: Container) -> Studio:
    return open_studio(api, container, "consistent-gym")


def _spec(api: Api) -> dict[str, Any]:
    spec: dict[str, Any] = api.client.get("/openapi.json").json()
    return spec


def _schema(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _lists(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(path, operation, answer schema) of every GET answering a list of things."""
    found = []
    for path, operations in spec["paths"].items():
        operation = operations.get("get")
        if operation is None or path.startswith(NOT_PAGED):
            continue
        content = operation["responses"].get("200", {}).get("content", {})
        if "application/json" not in content:
            continue
        schema = _schema(spec, content["application/json"]["schema"])
        is_list = schema.get("type") == "array" or any(
            _schema(spec, prop).get("type") == "array"
            and name in ("items", "entries", "results", "rows")
            for name, prop in schema.get("properties", {}).items()
        )
        if is_list:
            found.append((path, operation, schema))
    return found


def test_every_list_has_one_page_shape_and_the_same_limit_bounds(api: Api) -> None:
    spec = _spec(api)
    lists = _lists(spec)
    assert len(lists) >= 19  # the walk found the lists
    paths = {path for path, _, _ in lists}
    assert {
        "/sessions/{session_id}/roster",
        "/members/{member_id}/alerts",
        "/members/{member_id}/passes",
    } <= paths
    for path, operation, schema in lists:
        assert schema.get("type") == "object", path
        properties = schema["properties"]
        assert _schema(spec, properties["items"])["type"] == "array", path
        assert "next_offset" in properties and "next_offset" in schema["required"], path
        assert "next_cursor" not in properties, path
        params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}
        assert "offset" in params, path
        limit = params["limit"]["schema"]
        assert (limit["minimum"], limit["maximum"]) == (1, MAX_LIMIT), path


def test_every_operation_documents_problem_answers(api: Api) -> None:
    spec = _spec(api)
    text = str(spec)
    assert "HTTPValidationError" not in text
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            statuses = {"422"}
            if operation.get("security"):
                statuses |= {"401", "403", "404"}
            if "{" in path:
                statuses.add("404")
            for status in statuses:
                content = responses[status]["content"]
                assert set(content) == {"application/problem+json"}, (method, path, status)
                ref = content["application/problem+json"]["schema"]["$ref"]
                assert ref.endswith("/Problem"), (method, path, status)
    member = spec["paths"]["/members/{member_id}"]
    assert "409" in member["patch"]["responses"]


def test_documented_problems_match_what_is_answered(api: Api) -> None:
    tenant = api.sign_up("problem-docs")
    unsigned = api.client.get("/members")
    wrong = api.client.get("/members/export", headers=tenant.headers)
    unknown = api.client.get("/members", params={"nope": "1"}, headers=tenant.headers)
    for response, status in ((unsigned, 401), (wrong, 404), (unknown, 422)):
        assert response.status_code == status, response.text
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert {"type", "title", "status", "detail", "code"} <= set(body)
        assert body["status"] == status


def test_unknown_query_parameters_are_refused_naming_them(api: Api) -> None:
    tenant = api.sign_up("unknown-query")
    refused = api.client.get(
        "/members", params={"colour": "red", "sort": "name", "q": "x"}, headers=tenant.headers
    )
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["code"] == "unknown_query_parameter"
    assert body["unknown_parameters"] == ["colour", "sort"]
    assert "colour, sort" in body["detail"] and "limit" in body["detail"]
    # On a change too, before anything is done: nothing is created.
    made = api.client.post(
        "/locations",
        params={"dry_run": "1"},
        json={"name": "Nowhere", "timezone": "Europe/London", "capacity": 10},
        headers=tenant.headers,
    )
    assert made.status_code == 422 and "dry_run" in made.json()["detail"]
    listed = api.client.get("/locations", headers=tenant.headers).json()["items"]
    assert listed == []
    # Public routes alike; declared parameters and aliases (``from``/``to``) still pass.
    public = api.client.get(f"/public/{tenant.slug}/locations", params={"city": "Accra"})
    assert public.status_code == 422 and "city" in public.json()["detail"]
    assert api.client.get(f"/public/{tenant.slug}/locations", params={"limit": 5}).is_success
    report = api.client.get(
        "/overview/attendance",
        params={"from": "2026-01-01", "to": "2026-01-31"},
        headers=tenant.headers,
    )
    assert report.status_code == 200, report.text


@pytest.mark.parametrize(
    "path", ["/members/export", "/locations/all", "/sessions/today/roster", "/bookings/1"]
)
def test_a_path_id_that_is_no_id_is_not_found(api: Api, path: str) -> None:
    tenant = api.sign_up("wrong-paths")
    response = api.client.get(path, headers=tenant.headers)
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"
    assert "uuid" not in response.json()["detail"].lower()


def test_roster_alerts_and_passes_are_paged(studio: Studio) -> None:
    client = studio.api.client
    session_id = studio.session(capacity=2)
    members = [studio.member() for _ in range(3)]
    for member_id in members:
        studio.book(session_id, member_id)
    first = client.get(
        f"/sessions/{session_id}/roster", params={"limit": 2}, headers=studio.staff
    ).json()
    assert [e["member_id"] for e in first["items"]] == members[:2]
    assert (first["next_offset"], first["total"]) == (2, 3)
    assert (first["confirmed_count"], first["waitlist_count"]) == (2, 1)
    rest = client.get(
        f"/sessions/{session_id}/roster", params={"limit": 2, "offset": 2}, headers=studio.staff
    ).json()
    assert [(e["member_id"], e["waitlist_place"]) for e in rest["items"]] == [(members[2], 1)]
    assert rest["next_offset"] is None
    member = members[0]
    for text in ("waiver missing", "balance due", "photo needed"):
        client.post(f"/members/{member}/alerts", json={"text": text}, headers=studio.admin)
    alerts = client.get(
        f"/members/{member}/alerts", params={"limit": 2}, headers=studio.admin
    ).json()
    assert [a["text"] for a in alerts["items"]] == ["waiver missing", "balance due"]
    assert alerts["next_offset"] == 2
    for _ in range(2):
        assert client.post(f"/members/{member}/passes", headers=studio.admin).status_code == 201
    passes = client.get(f"/members/{member}/passes", params={"limit": 1}, headers=studio.admin)
    assert (passes.json()["next_offset"], passes.json()["total"]) == (1, 2)
    too_many = client.get(
        f"/sessions/{session_id}/roster", params={"limit": MAX_LIMIT + 1}, headers=studio.staff
    )
    assert too_many.status_code == 422


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/booking-policy", {"late_cancel_fee": "5.00", "no_show_fee": "7.50"}),
        ("/checkin-policy", {"class_checkin_opens_minutes": 30}),
    ],
)
def test_patch_changes_only_what_is_sent_and_put_needs_everything(
    api: Api, path: str, fields: dict[str, Any]
) -> None:
    tenant = api.sign_up("policy-verbs")
    first = api.client.patch(path, json=fields, headers=tenant.headers)
    assert first.status_code == 200, first.text
    assert {k: first.json()[k] for k in fields} == fields
    # Another field alone: the fees (or the window) set before stay as they were.
    other = "grace_allowance" if path == "/booking-policy" else "reentry_window_minutes"
    second = api.client.patch(path, json={other: 0}, headers=tenant.headers)
    assert second.status_code == 200, second.text
    assert {k: second.json()[k] for k in fields} == fields and second.json()[other] == 0
    # A partial PUT no longer resets what it leaves out: it is refused, naming them.
    before = api.client.get(path, headers=tenant.headers).json()
    partial = api.client.put(path, json={other: 1}, headers=tenant.headers)
    assert partial.status_code == 422, partial.text
    assert next(iter(fields)) in partial.json()["detail"]
    assert api.client.get(path, headers=tenant.headers).json() == before
    whole = {k: v for k, v in before.items() if k != "updated_at"}
    replaced = api.client.put(path, json={**whole, other: 1}, headers=tenant.headers)
    assert replaced.status_code == 200, replaced.text
    assert {k: replaced.json()[k] for k in fields} == fields
    # PATCH with null clears a fee; a bad value changes nothing.
    if path == "/booking-policy":
        cleared = api.client.patch(path, json={"no_show_fee": None}, headers=tenant.headers)
        assert cleared.json()["no_show_fee"] is None
        assert cleared.json()["late_cancel_fee"] == "5.00"
    bad = api.client.patch(path, json={other: -1}, headers=tenant.headers)
    assert bad.status_code == 422
    assert api.client.get(path, headers=tenant.headers).json()[other] == 1


#: Names of one concept that the API once spelled several ways; each has one name now.
RETIRED_NAMES = {
    "waitlist_length": "waitlist_count",
    "waitlisted": "waitlist_count",
    "booked": "confirmed_count",
}


def test_one_name_per_concept_in_every_schema(api: Api) -> None:
    schemas = _spec(api)["components"]["schemas"]
    for name, schema in schemas.items():
        for field in schema.get("properties", {}):
            assert field not in RETIRED_NAMES, f"{name}.{field}: say {RETIRED_NAMES[field]}"


def test_members_are_filtered_by_home_location_plan_and_status(studio: Studio) -> None:
    client, desk = studio.api.client, studio.desk
    home = desk.location["id"]
    other_home = studio.api.create_location(desk.tenant, "Kumasi")["id"]
    monthly_here = studio.member(home_location_id=uuid.UUID(home))
    pack_there = studio.member(plan=studio.pack_plan, home_location_id=uuid.UUID(other_home))
    frozen = studio.member(first_name="Kofi")
    membership = client.get(f"/members/{frozen}/memberships", headers=desk.admin).json()
    frozen_id = membership["items"][0]["id"]
    froze = client.post(
        f"/memberships/{frozen_id}/freeze",
        json={"until": (date.today() + timedelta(days=14)).isoformat()},
        headers=desk.admin,
    )
    assert froze.status_code == 200, froze.text
    nobody = studio.member(plan="")

    def ids(**params: Any) -> set[str]:
        response = client.get("/members", params=params, headers=desk.admin)
        assert response.status_code == 200, response.text
        return {m["id"] for m in response.json()["items"]}

    assert ids() == {monthly_here, pack_there, frozen, nobody}
    assert ids(home_location_id=home) == {monthly_here}
    assert ids(home_location_id=other_home) == {pack_there}
    assert ids(plan_id=studio.monthly_plan) == {monthly_here, frozen}
    assert ids(plan_id=studio.pack_plan) == {pack_there}
    assert ids(status="frozen") == {frozen}
    assert ids(status="active") == {monthly_here, pack_there}
    assert ids(status="active", plan_id=studio.monthly_plan) == {monthly_here}
    assert ids(status="expired") == set()
    assert ids(q="Kofi", status="frozen") == {frozen}
    # A renewal declined: past due is its own status, not active.
    with desk.container.uow() as uow:
        uow.db.execute(
            update(Membership)
            .where(Membership.member_id == uuid.UUID(monthly_here))
            .values(status=MembershipStatus.PAST_DUE.value)
        )
        uow.commit()
    assert ids(status="past_due") == {monthly_here}
    assert ids(status="active") == {pack_there}
    assert ids(status="suspended") == set()
    bad = client.get("/members", params={"status": "asleep"}, headers=desk.admin)
    assert bad.status_code == 422 and "status" in bad.json()["detail"]


def test_public_sessions_by_date_and_category_in_any_case(studio: Studio) -> None:
    client, slug = studio.api.client, studio.desk.tenant.slug
    yoga = studio.session_type("Yoga flow", category="Yoga")
    soon = studio.session(starts_in=timedelta(days=1), session_type_id=yoga)
    later = studio.session(starts_in=timedelta(days=3))
    everything = client.get(f"/public/{slug}/sessions").json()["items"]
    days = {s["id"]: s["local_date"] for s in everything}
    assert set(days) == {soon, later}

    def ids(**params: Any) -> list[str]:
        response = client.get(f"/public/{slug}/sessions", params=params)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["items"]]

    assert ids(date=days[soon]) == [soon]
    assert ids(date=days[later]) == [later]
    for category in ("yoga", "YOGA", "Yoga"):
        assert ids(category=category) == [soon]
    assert ids(category="hiit") == [later]
    both = client.get(
        f"/public/{slug}/sessions", params={"date": days[soon], "date_from": days[soon]}
    )
    assert both.status_code == 422 and "date" in both.json()["detail"]


def test_archive_is_delete_for_locations_members_and_staff(api: Api) -> None:
    paths = _spec(api)["paths"]
    for path in ("/locations/{location_id}", "/members/{member_id}", "/staff/{staff_id}"):
        assert "204" in paths[path]["delete"]["responses"], path
        assert not any(p.startswith(path + "/archive") for p in paths), path
    tenant = api.sign_up("archive-staff")
    coach = api.create_staff(tenant, "coach", "coach@archive-staff.example")
    desk = api.create_staff(tenant, "front_desk", "desk@archive-staff.example")
    coach_headers = api.token_for(tenant.slug, "coach@archive-staff.example")
    desk_headers = api.token_for(tenant.slug, "desk@archive-staff.example")
    assert api.client.get("/me", headers=coach_headers).status_code == 200
    refused = api.client.delete(f"/staff/{coach['id']}", headers=desk_headers)
    assert refused.status_code == 403
    assert api.client.delete(f"/staff/{tenant.owner_id}", headers=tenant.headers).status_code == 403
    archived = api.client.delete(f"/staff/{coach['id']}", headers=tenant.headers)
    assert archived.status_code == 204, archived.text
    assert api.client.get("/me", headers=coach_headers).status_code == 401
    shown = api.client.get(f"/staff/{coach['id']}", headers=tenant.headers).json()
    assert shown["active"] is False
    other = api.sign_up("archive-other")
    assert api.client.delete(f"/staff/{desk['id']}", headers=other.headers).status_code == 404
    still = api.client.get(f"/staff/{desk['id']}", headers=tenant.headers).json()
    assert still["active"] is True


def test_every_operation_refuses_an_unknown_query_parameter(api: Api) -> None:
    """Walks the whole document: a route added later is covered as soon as it is listed."""
    spec = _spec(api)
    filler = {"tenant_slug": "nobody", "fmt": "png", "token": "x"}
    called = 0
    for path, operations in spec["paths"].items():
        url = path
        for name in [part[1:-1] for part in path.split("/") if part.startswith("{")]:
            url = url.replace("{" + name + "}", filler.get(name, str(uuid.uuid4())))
        for name in ("{fmt}", "{token}"):  # segments such as qr.{fmt} and {token}.ics
            url = url.replace(name, filler[name[1:-1]])
        for method in operations:
            response = api.client.request(method.upper(), url, params={"zz_nope": "1"})
            assert response.status_code == 422, (method, path, response.text)
            assert response.json()["unknown_parameters"] == ["zz_nope"], (method, path)
            called += 1
    assert called == sum(len(ops) for ops in spec["paths"].values()) > 100
