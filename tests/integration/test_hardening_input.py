"""Inputs the database cannot hold or Python cannot compute with: refused with a 422 problem,
never a 500, and nothing changed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import PACK
from tests.integration.scheduling_helpers import YOGA, open_studio

HUGE = 2**63


def _refused(response: Any) -> None:
    assert response.status_code == 422, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def _paged_operations(api: Api) -> list[tuple[str, str]]:
    paths = api.client.get("/openapi.json").json()["paths"]
    found = []
    for path, methods in paths.items():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in {"offset", "cursor"}:
                    found.append((path, parameter["name"]))
    return found


def test_offsets_and_cursors_out_of_range_are_refused_on_every_list(
    api: Api, container: Container
) -> None:
    studio = open_studio(api, container, "huge-offset")
    member = studio.member("Ama")
    device = api.enrol_device(studio.tenant, studio.location["id"])
    kiosk = api.device_headers(device)
    values = {
        "tenant_slug": "huge-offset",
        "member_id": member,
        "location_id": studio.location["id"],
        "session_id": studio.location["id"],
        "closure_id": studio.location["id"],
        "circle_id": studio.location["id"],
        "tile_id": studio.location["id"],
        "challenge_id": studio.location["id"],
        "profile_id": studio.location["id"],
        "template_id": studio.location["id"],
        "account_id": studio.location["id"],
        "invoice_id": studio.location["id"],
        "package_id": studio.location["id"],
        "subscription_id": studio.location["id"],
    }
    operations = _paged_operations(api)
    assert len(operations) >= 12
    assert any(path.startswith("/public/") for path, _ in operations)
    assert ("/sync/pull", "cursor") in operations
    for path, name in operations:
        url = path.format(**values)
        headers = studio.admin
        if path.startswith("/sync/pull"):
            headers = kiosk
        elif path.startswith("/me/"):
            headers = studio.member_headers(member)
        for bad in (HUGE, 2**64, -1):
            _refused(api.client.get(url, params={name: bad}, headers=headers))
        ok = api.client.get(url, params={name: 2**31 - 1}, headers=headers)
        assert ok.status_code < 500, (url, ok.text)


def test_dates_that_would_overflow_are_refused(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "far-dates")
    type_id = studio.session_type(name="Long")["id"]
    where = {"location_id": studio.location["id"], "session_type_id": type_id}
    _refused(
        studio.post(
            "/sessions",
            {**where, "local_date": "9999-12-31", "local_start": "23:55", "duration_minutes": 1440},
        )
    )
    for first, last in (("9999-12-01", "9999-12-31"), ("0001-01-01", "0001-03-01")):
        _refused(
            studio.post(
                "/schedules",
                {
                    **where,
                    "weekdays": [1, 3],
                    "local_start": "07:00",
                    "starts_on": first,
                    "ends_on": last,
                },
            )
        )
    pack = studio.post("/plans", {**PACK, "validity_days": 90}).json()["id"]
    member = studio.member("Ama")
    _refused(
        studio.post(f"/members/{member}/memberships", {"plan_id": pack, "starts_on": "9999-12-30"})
    )
    for day in ("0001-01-01", "9999-12-31"):
        _refused(api.client.get("/sessions", params={"date_from": day}, headers=studio.admin))
        _refused(api.client.get("/public/far-dates/sessions", params={"date_to": day}))
    assert studio.sessions() == []
    # Inside the bounds, the same requests work.
    fine = studio.session(
        type_id, date.today() + timedelta(days=3), at="23:55", duration_minutes=1440
    )
    assert fine["id"]


@pytest.mark.parametrize("bad", ["Ama\x00", "A\x07b", "\x1b[31mred", "x\x7f"])
def test_control_characters_in_text_are_refused(api: Api, container: Container, bad: str) -> None:
    studio = open_studio(api, container, "control-chars")
    before = api.client.get("/members", headers=studio.admin).json()["items"]
    _refused(studio.post("/members", {"first_name": bad, "last_name": "Mensah"}))
    _refused(studio.post("/session-types", {**YOGA, "description": bad}))
    _refused(studio.post("/locations", {"name": bad, "timezone": "Europe/London"}))
    _refused(api.client.get("/members", params={"q": bad}, headers=studio.admin))
    # In the path it names nothing: not found (no tenant has such a slug).
    unknown = api.client.get(f"/public/control{quote(bad)}/locations")
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert api.client.get("/members", headers=studio.admin).json()["items"] == before
    # Tab and line breaks stay allowed in free text.
    notes = studio.post("/session-types", {**YOGA, "name": "Notes", "description": "a\tb\r\nc"})
    assert notes.status_code == 201, notes.text


def test_a_csv_row_with_control_characters_is_refused_and_the_rest_imported(api: Api) -> None:
    tenant = api.sign_up("import-control")
    csv = "first_name,last_name\nAma,Mensah\nKo\x00fi,Boateng\nYaa,Asa\x1bntewaa\nEsi,Owusu\n"
    headers = {**tenant.headers, "content-type": "text/csv"}
    response = api.client.post("/members/import", content=csv.encode(), headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["created"] == 2
    assert [(r["line"], r["reason"]) for r in result["rejected"]] == [
        (3, "first_name must not contain control characters"),
        (4, "last_name must not contain control characters"),
    ]
    names = {
        m["first_name"] for m in api.client.get("/members", headers=tenant.headers).json()["items"]
    }
    assert names == {"Ama", "Esi"}
