"""A kiosk's staff desk resolves its own location's review items (the staff member's PIN
is checked at the kiosk); other locations' items stay invisible to it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.plans_helpers import MONTHLY, Desk, open_desk
from tests.integration.sync_helpers import Kiosk, review_items


def _open_item(desk: Desk, kiosk: Kiosk) -> dict[str, object]:
    """An admission decided offline for a member frozen since: a review item here."""
    member = desk.member()
    membership = desk.membership(member, desk.plan(MONTHLY))
    at = (datetime.now(UTC) - timedelta(hours=2)).isoformat()
    mutation = kiosk.checkin(member, at=at)
    until = (date.today() + timedelta(days=30)).isoformat()
    frozen = desk.api.client.post(
        f"/memberships/{membership['id']}/freeze", json={"until": until}, headers=desk.admin
    )
    assert frozen.status_code == 200, frozen.text
    assert kiosk.pushed([mutation])[0]["review_item_id"]
    [item] = review_items(desk, status="open")
    return item


def test_a_kiosk_resolves_its_locations_review_item_for_its_staff(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "desk-review")
    kiosk = Kiosk.of(desk)
    item = _open_item(desk, kiosk)
    url = f"/sync/review-items/{item['id']}/resolve"

    # Bad input changes nothing: no note, an unknown staff member, another tenant's kiosk.
    empty = api.client.post(
        url, json={"note": "", "staff_id": desk.desk_staff_id}, headers=kiosk.headers
    )
    assert empty.status_code == 422
    assert empty.headers["content-type"].startswith("application/problem+json")
    stranger = api.client.post(
        url, json={"note": "x", "staff_id": str(uuid.uuid4())}, headers=kiosk.headers
    )
    assert stranger.status_code == 422, stranger.text
    assert stranger.json()["code"] == "staff_not_at_location"
    other_tenant = Kiosk.of(open_desk(api, container, "desk-review-other"))
    hidden = api.client.post(
        url, json={"note": "x", "staff_id": desk.desk_staff_id}, headers=other_tenant.headers
    )
    assert hidden.status_code == 404
    assert review_items(desk, status="open") == [item]

    resolved = api.client.post(
        url,
        json={"note": "member paid at the desk", "staff_id": desk.desk_staff_id},
        headers=kiosk.headers,
    )
    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolution_note"] == "member paid at the desk"
    [done] = review_items(desk, status="resolved")
    assert done["resolved_by"] == desk.desk_staff_id
    again = api.client.post(
        url, json={"note": "again", "staff_id": desk.desk_staff_id}, headers=kiosk.headers
    )
    assert again.status_code == 409
    # Every kiosk of the location hears of it through pull.
    changes, _ = kiosk.pull_all()
    reviews = [c for c in changes if c["table"] == "review_items"]
    assert reviews[-1]["data"]["status"] == "resolved"


def test_another_locations_kiosk_cannot_see_or_resolve_the_item(
    api: Api, container: Container
) -> None:
    desk = open_desk(api, container, "desk-review-place")
    kiosk = Kiosk.of(desk)
    item = _open_item(desk, kiosk)
    other_place = api.create_location(desk.tenant, "Shoreditch Club")
    there = Kiosk.enrol(desk, other_place["id"])
    assert api.client.get("/sync/review-items", headers=there.headers).json() == []
    refused = api.client.post(
        f"/sync/review-items/{item['id']}/resolve",
        json={"note": "not ours", "staff_id": desk.desk_staff_id},
        headers=there.headers,
    )
    assert refused.status_code == 404
    assert [i["id"] for i in review_items(desk, status="open")] == [item["id"]]
