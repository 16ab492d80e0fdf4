"""Tenant isolation: with tenant A's token, every route given tenant B's ids answers 404.

The walk covers every route in the app's OpenAPI document. A route with a path parameter
this test does not know fails the test, so a new route cannot be added without joining it.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import image_bytes

PNG = image_bytes(".png")
# Request bodies that are valid for each route, so that a 404 cannot come from validation.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/locations/{location_id}"): {"json": {"capacity": 5}},
    ("PATCH", "/staff/{staff_id}"): {"json": {"name": "Renamed"}},
    ("POST", "/locations/{location_id}/enrolment-codes"): {"json": {}},
    ("PATCH", "/members/{member_id}"): {"json": {"first_name": "Renamed"}},
    ("PUT", "/members/{member_id}/photo"): {
        "content": PNG,
        "headers": {"content-type": "image/png"},
    },
    ("POST", "/members/{member_id}/passes"): {"json": {}},
    ("POST", "/passes/{pass_id}/revoke"): {"json": {"reason": "lost"}},
    ("PATCH", "/plans/{plan_id}"): {"json": {"name": "Renamed plan"}},
    ("POST", "/memberships/{membership_id}/freeze"): {"json": {"until": "2099-01-01"}},
    ("POST", "/memberships/{membership_id}/cancel"): {"json": {"reason": "moving away"}},
    ("POST", "/review-items/{review_item_id}/resolve"): {"json": {"note": "merged"}},
}
#: Path parameters that are not ids take these values.
OTHER_PARAMS = {"fmt": "png"}


def _world(api: Api, slug: str) -> tuple[Tenant, dict[str, str]]:
    tenant = api.sign_up(slug)
    location = api.create_location(tenant)
    staff = api.create_staff(tenant, "coach", f"coach@{slug}.example")
    device = api.enrol_device(tenant, location["id"])
    member = api.client.post(
        "/members", json={"first_name": "Kwame", "last_name": slug}, headers=tenant.headers
    ).json()
    photo = api.client.put(
        f"/members/{member['id']}/photo",
        content=PNG,
        headers={**tenant.headers, "content-type": "image/png"},
    )
    assert photo.status_code == 200, photo.text
    issued = api.client.post(f"/members/{member['id']}/passes", headers=tenant.headers).json()
    plan = api.client.post(
        "/plans",
        json={
            "name": "Monthly",
            "kind": "recurring",
            "billing_period": "month",
            "price": "40.00",
            "currency": "GBP",
        },
        headers=tenant.headers,
    ).json()
    membership = api.client.post(
        f"/members/{member['id']}/memberships",
        json={"plan_id": plan["id"], "starts_on": "2026-01-01", "ends_on": "2099-12-31"},
        headers=tenant.headers,
    ).json()
    checkin = api.client.post(
        "/checkins",
        json={"member_id": member["id"], "location_id": location["id"], "method": "search"},
        headers=tenant.headers,
    ).json()
    walkin = {
        "mutation_id": 1,
        "name": "member.create.v1",
        "args": {
            "member_id": str(uuid.uuid4()),
            "first_name": "Kwame",
            "last_name": slug,
            "possible_duplicate_of": [member["id"]],
        },
        "device_time": "2026-01-01T10:00:00Z",
        "hlc": "0",
    }
    pushed = api.client.post(
        "/sync/push",
        json={"device_id": device["device_id"], "schema_version": 1, "mutations": [walkin]},
        headers=api.device_headers(device),
    ).json()
    return tenant, {
        "review_item_id": pushed["results"][0]["review_item_id"],
        "location_id": location["id"],
        "staff_id": staff["id"],
        "device_id": device["device_id"],
        "member_id": member["id"],
        "pass_id": issued["id"],
        "plan_id": plan["id"],
        "membership_id": membership["id"],
        "checkin_id": checkin["id"],
    }


def _request(api: Api, method: str, path: str, tenant: Tenant, template: str) -> Any:
    options = dict(BODIES.get((method, template), {}))
    headers = {**tenant.headers, **options.pop("headers", {})}
    return api.client.request(method, path, headers=headers, **options)


def test_every_route_hides_other_tenants(api: Api) -> None:
    tenant_a, ids_a = _world(api, "tenant-a")
    tenant_b, ids_b = _world(api, "tenant-b")
    # A membership of tenant A's member on tenant A's plan (for B's member: still 404).
    BODIES[("POST", "/members/{member_id}/memberships")] = {
        "json": {"plan_id": ids_a["plan_id"], "starts_on": "2026-01-01"}
    }
    # Routes without ids only ever show the caller's own tenant.
    for path in ("/locations", "/staff", "/devices", "/members", "/plans", "/checkins"):
        items = api.client.get(path, headers=tenant_a.headers).json()["items"]
        assert items, path
        seen = {item["id"] for item in items}
        assert not seen & set(ids_b.values()), path
    assert api.client.get("/tenant", headers=tenant_a.headers).json()["id"] == tenant_a.id
    assert tenant_b.id != tenant_a.id

    paths = api.client.get("/openapi.json").json()["paths"]
    operations = []
    for template, methods in paths.items():
        params = [p for p in re.findall(r"{(\w+)}", template) if p not in OTHER_PARAMS]
        unknown = [p for p in params if p not in ids_b]
        assert not unknown, f"isolation walk does not know {unknown} of {template}: add it"
        if params:
            operations += [(method.upper(), template) for method in methods]
    # Deletions last, so tenant A's own ids still exist for every other check.
    operations.sort(key=lambda op: op[0] == "DELETE")
    walked = 0
    for method, template in operations:
        response = _request(
            api, method, template.format(**ids_b, **OTHER_PARAMS), tenant_a, template
        )
        assert response.status_code == 404, (method, template, response.status_code, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        # The same route with tenant A's own ids works, so the 404 is isolation.
        own = _request(api, method, template.format(**ids_a, **OTHER_PARAMS), tenant_a, template)
        assert own.status_code < 400, (method, template, own.status_code, own.text)
        walked += 1
    assert walked >= 25


def test_a_kiosk_only_sees_its_own_tenant(api: Api) -> None:
    tenant_a, ids_a = _world(api, "kiosk-a")
    tenant_b, ids_b = _world(api, "kiosk-b")
    device = api.enrol_device(tenant_a, ids_a["location_id"])
    snapshot = api.client.get("/sync/snapshot", headers=api.device_headers(device)).json()
    assert snapshot["tenant"]["id"] == tenant_a.id
    assert snapshot["location"]["id"] == ids_a["location_id"]
    assert ids_b["staff_id"] not in {s["id"] for s in snapshot["staff"]}
    assert tenant_b.id != tenant_a.id
