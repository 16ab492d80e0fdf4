"""Staff alerts on members (add, list, resolve; roles and tenancy), kiosk thumbnails, and
both reaching kiosks through the snapshot and the pull."""

from __future__ import annotations

import io
from typing import Any

import cv2
import numpy as np
from PIL import Image

from tests.integration.helpers import Api, Tenant
from tests.integration.members_helpers import create_member


def _alerts(api: Api, tenant: Tenant, member_id: str, status: str = "open") -> list[str]:
    response = api.client.get(
        f"/members/{member_id}/alerts", params={"status": status}, headers=tenant.headers
    )
    assert response.status_code == 200, response.text
    return [a["text"] for a in response.json()["items"]]


def _add(api: Api, headers: dict[str, str], member_id: str, text: str) -> Any:
    return api.client.post(f"/members/{member_id}/alerts", json={"text": text}, headers=headers)


def test_staff_add_list_and_resolve_alerts(api: Api) -> None:
    tenant = api.sign_up("alerts-gym")
    member = create_member(api, tenant)
    api.create_staff(tenant, "front_desk", "desk@alerts-gym.example")
    desk = api.token_for("alerts-gym", "desk@alerts-gym.example")
    waiver = _add(api, desk, member["id"], "  waiver missing ")
    assert waiver.status_code == 201, waiver.text
    assert waiver.json()["text"] == "waiver missing"
    assert waiver.json()["resolved_at"] is None
    assert _add(api, tenant.headers, member["id"], "balance due").status_code == 201
    assert _alerts(api, tenant, member["id"]) == ["waiver missing", "balance due"]
    url = f"/members/{member['id']}/alerts/{waiver.json()['id']}/resolve"
    resolved = api.client.post(url, headers=desk)
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolved_at"] is not None
    again = api.client.post(url, headers=desk)
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert _alerts(api, tenant, member["id"]) == ["balance due"]
    assert _alerts(api, tenant, member["id"], "resolved") == ["waiver missing"]
    assert _alerts(api, tenant, member["id"], "all") == ["waiver missing", "balance due"]


def test_bad_alerts_are_refused_and_change_nothing(api: Api) -> None:
    tenant = api.sign_up("badalert-gym")
    member = create_member(api, tenant)
    for body in ({"text": "   "}, {"text": "x" * 201}, {}, {"text": "ok", "colour": "red"}):
        response = api.client.post(
            f"/members/{member['id']}/alerts", json=body, headers=tenant.headers
        )
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    bad_status = api.client.get(
        f"/members/{member['id']}/alerts", params={"status": "maybe"}, headers=tenant.headers
    )
    assert bad_status.status_code == 422
    assert _alerts(api, tenant, member["id"], "all") == []


def test_coaches_and_other_tenants_never_see_alerts(api: Api) -> None:
    tenant = api.sign_up("alertown-gym")
    other = api.sign_up("alertother-gym")
    member = create_member(api, tenant)
    alert = _add(api, tenant.headers, member["id"], "balance due").json()
    api.create_staff(tenant, "coach", "coach@alertown-gym.example")
    coach = api.token_for("alertown-gym", "coach@alertown-gym.example")
    assert _add(api, coach, member["id"], "sneaky").status_code == 403
    assert api.client.get(f"/members/{member['id']}/alerts", headers=coach).status_code == 403
    resolve = f"/members/{member['id']}/alerts/{alert['id']}/resolve"
    assert api.client.post(resolve, headers=coach).status_code == 403
    # Another tenant: the member and the alert do not exist for them.
    assert _add(api, other.headers, member["id"], "x").status_code == 404
    listed = api.client.get(f"/members/{member['id']}/alerts", headers=other.headers)
    assert listed.status_code == 404
    assert api.client.post(resolve, headers=other.headers).status_code == 404
    assert _alerts(api, tenant, member["id"]) == ["balance due"]


def _photo_bytes() -> bytes:
    noise = np.random.default_rng(7).integers(0, 255, (600, 600, 3), dtype=np.uint8)
    ok, encoded = cv2.imencode(".jpg", noise)
    assert ok
    return bytes(encoded.tobytes())


def test_kiosks_get_alerts_and_small_thumbnails_by_snapshot_and_pull(api: Api) -> None:
    tenant = api.sign_up("alertsync-gym")
    location = api.create_location(tenant)
    member = create_member(api, tenant, date_of_birth="1990-02-28")
    first = _add(api, tenant.headers, member["id"], "waiver missing").json()
    device = api.device_headers(api.enrol_device(tenant, location["id"]))
    api.create_location(tenant, "Airport")
    snapshot = api.client.get("/sync/snapshot", headers=device).json()
    assert [a["text"] for a in snapshot["member_alerts"]] == ["waiver missing"]
    # The tenant's locations by name: where a plan refused here is valid instead.
    assert [p["name"] for p in snapshot["places"]] == ["Airport", "Central"]
    (cached,) = [m for m in snapshot["members"] if m["id"] == member["id"]]
    assert (cached["date_of_birth"], cached["photo_updated_at"]) == ("1990-02-28", None)
    cursor = snapshot["cursor"]

    photo_url = f"/members/{member['id']}/photo"
    stored = api.client.put(
        photo_url, content=_photo_bytes(), headers={**tenant.headers, "content-type": "image/jpeg"}
    )
    assert stored.status_code == 200, stored.text
    _add(api, tenant.headers, member["id"], "balance due")
    api.client.post(f"/members/{member['id']}/alerts/{first['id']}/resolve", headers=tenant.headers)
    pulled = api.client.get("/sync/pull", params={"cursor": cursor}, headers=device).json()
    changes = [(c["table"], c["data"]) for c in pulled["changes"]]
    alerts = {d["text"]: d["resolved_at"] for t, d in changes if t == "member_alerts"}
    assert alerts["balance due"] is None
    assert alerts["waiver missing"] is not None
    members = [d for t, d in changes if t == "members" and d["id"] == member["id"]]
    assert members[-1]["photo_updated_at"] is not None

    thumb_url = f"/members/{member['id']}/thumbnail"
    thumb = api.client.get(thumb_url, headers=device)
    assert thumb.status_code == 200, thumb.text
    assert thumb.headers["content-type"] == "image/jpeg"
    assert len(thumb.content) <= 20 * 1024
    with Image.open(io.BytesIO(thumb.content)) as image:
        assert max(image.size) <= 160
    # Staff read it as they read the photo: a coach only for their classes' members.
    assert api.client.get(thumb_url, headers=tenant.headers).status_code == 200
    api.create_staff(tenant, "coach", "coach@alertsync-gym.example")
    coach = api.token_for("alertsync-gym", "coach@alertsync-gym.example")
    assert api.client.get(thumb_url, headers=coach).status_code == 403
    other = api.sign_up("alertsync-other")
    other_device = api.device_headers(api.enrol_device(other, api.create_location(other)["id"]))
    assert (
        api.client.get(f"/members/{member['id']}/thumbnail", headers=other_device).status_code
        == 404
    )
    later = api.client.get("/sync/snapshot", headers=device).json()
    assert [a["text"] for a in later["member_alerts"]] == ["balance due"]
