"""Tenant isolation: with tenant A's token, every route given tenant B's ids answers 404.

The walk covers every route in the app's OpenAPI document. A route with a path parameter
this test does not know fails the test, so a new route cannot be added without joining it.
"""

from __future__ import annotations

import re
from typing import Any

from tests.integration.helpers import Api, Tenant

# Bodies that are valid for each route, so that a 404 cannot come from validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/locations/{location_id}"): {"capacity": 5},
    ("PATCH", "/staff/{staff_id}"): {"name": "Renamed"},
    ("POST", "/locations/{location_id}/enrolment-codes"): {},
}


def _world(api: Api, slug: str) -> tuple[Tenant, dict[str, str]]:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant)
    staff = api.create_staff(tenant, "coach", f"coach@{slug}.example")
    device = api.enrol_device(tenant, location["id"])
    return tenant, {
        "location_id": location["id"],
        "staff_id": staff["id"],
        "device_id": device["device_id"],
    }


def test_every_route_hides_other_tenants(api: Api) -> None:
    tenant_a, ids_a = _world(api, "tenant-a")
    tenant_b, ids_b = _world(api, "tenant-b")
    # Routes without ids only ever show the caller's own tenant.
    for path in ("/locations", "/staff", "/devices"):
        items = api.client.get(path, headers=tenant_a.headers).json()["items"]
        assert items, path
        seen = {item["id"] for item in items}
        assert not seen & set(ids_b.values()), path
    assert api.client.get("/tenant", headers=tenant_a.headers).json()["id"] == tenant_a.id
    assert tenant_b.id != tenant_a.id

    paths = api.client.get("/openapi.json").json()["paths"]
    operations = []
    for template, methods in paths.items():
        params = re.findall(r"{(\w+)}", template)
        unknown = [p for p in params if p not in ids_b]
        assert not unknown, f"isolation walk does not know {unknown} of {template}: add it"
        if params:
            operations += [(method.upper(), template) for method in methods]
    # Deletions last, so tenant A's own ids still exist for every other check.
    operations.sort(key=lambda op: op[0] == "DELETE")
    walked = 0
    for method, template in operations:
        body = BODIES.get((method, template))
        response = api.client.request(
            method, template.format(**ids_b), headers=tenant_a.headers, json=body
        )
        assert response.status_code == 404, (method, template, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        # The same route with tenant A's own ids works, so the 404 is isolation.
        own = api.client.request(
            method, template.format(**ids_a), headers=tenant_a.headers, json=body
        )
        assert own.status_code < 400, (method, template, own.status_code, own.text)
        walked += 1
    assert walked >= 8


def test_a_kiosk_only_sees_its_own_tenant(api: Api) -> None:
    tenant_a, ids_a = _world(api, "kiosk-a")
    tenant_b, ids_b = _world(api, "kiosk-b")
    device = api.enrol_device(tenant_a, ids_a["location_id"])
    snapshot = api.client.get("/sync/snapshot", headers=api.device_headers(device)).json()
    assert snapshot["tenant"]["id"] == tenant_a.id
    assert snapshot["location"]["id"] == ids_a["location_id"]
    assert ids_b["staff_id"] not in {s["id"] for s in snapshot["staff"]}
    assert tenant_b.id != tenant_a.id
