"""Public browsing of a provider's locations, session types and sessions (no sign-in)."""

from __future__ import annotations

from server.bootstrap import Container
from tests.integration.helpers import Api
from tests.integration.scheduling_helpers import open_studio, soon


def test_public_locations_and_types(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "browse-gym")
    yoga = studio.session_type()
    hiit = studio.session_type(name="HIIT", category="HIIT", intensity="vigorous")
    api.client.patch(f"/session-types/{hiit['id']}", json={"active": False}, headers=studio.admin)
    locations = api.client.get("/public/browse-gym/locations")
    assert locations.status_code == 200
    assert locations.json()["items"] == [
        {
            "id": studio.location["id"],
            "name": "Osu Studio",
            "address": "1 Oxford St",
            "timezone": "Europe/London",
            "locale": "en_GB",
            "currency": None,
            "opening_hours": studio.location["opening_hours"],
            "closures": [],
        }
    ]
    types = api.client.get("/public/browse-gym/session-types").json()["items"]
    assert [t["id"] for t in types] == [yoga["id"]]
    assert types[0]["contraindications"] == ["acute back injury"]
    assert "default_capacity" not in types[0]
    for path in ("locations", "session-types", "sessions"):
        missing = api.client.get(f"/public/no-such-gym/{path}")
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"


def test_public_sessions_with_free_places_and_filters(api: Api, container: Container) -> None:
    studio = open_studio(api, container, "find-class")
    yoga = studio.session_type(default_capacity=2)
    hiit = studio.session_type(name="HIIT", category="HIIT")
    labone = api.create_location(studio.tenant, "Labone", timezone="Europe/London")
    early = studio.session(yoga["id"], soon(2), "07:00", instructor_id=studio.coach["id"])
    noon = studio.session(hiit["id"], soon(2), "12:00")
    evening = studio.post(
        "/sessions",
        {
            "location_id": labone["id"],
            "session_type_id": yoga["id"],
            "local_date": soon(5).isoformat(),
            "local_start": "19:00",
        },
    ).json()
    gone = studio.session(yoga["id"], soon(3), "08:00")
    studio.post(f"/sessions/{gone['id']}/cancel", {"reason": "holiday"})
    for name in ("Ama", "Kofi", "Efua"):
        studio.book(early["id"], studio.member(name))

    def ids(**params: str) -> list[str]:
        response = api.client.get("/public/find-class/sessions", params=params)
        assert response.status_code == 200, response.text
        return [s["id"] for s in response.json()["items"]]

    assert ids() == [early["id"], noon["id"], evening["id"]]  # not the cancelled one
    assert ids(time_from="06:00", time_to="09:00") == [early["id"]]
    assert ids(time_from="12:00") == [noon["id"], evening["id"]]
    assert ids(date_from=soon(3).isoformat()) == [evening["id"]]
    assert ids(date_to=soon(2).isoformat()) == [early["id"], noon["id"]]
    assert ids(category="HIIT") == [noon["id"]]
    assert ids(session_type_id=yoga["id"]) == [early["id"], evening["id"]]
    assert ids(location_id=labone["id"]) == [evening["id"]]
    assert ids(instructor_id=studio.coach["id"]) == [early["id"]]
    body = api.client.get("/public/find-class/sessions", params={"limit": 1}).json()
    assert body["next_offset"] == 1
    first = body["items"][0]
    assert first == {
        "id": early["id"],
        "session_type_id": yoga["id"],
        "session_type_name": "Sunrise yoga",
        "kind": "class",
        "category": "yoga",
        "location_id": studio.location["id"],
        "location_name": "Osu Studio",
        "timezone": "Europe/London",
        "instructor_id": studio.coach["id"],
        "instructor_name": "Kofi Coach",
        "starts_at": early["starts_at"],
        "ends_at": early["ends_at"],
        "starts_at_local": early["starts_at_local"],
        "ends_at_local": early["ends_at_local"],
        "local_date": soon(2).isoformat(),
        "local_start": "07:00:00",
        "capacity": 2,
        "free_places": 0,
        "waitlist_count": 1,
        "room": None,
    }
    # Never any member data.
    text = api.client.get("/public/find-class/sessions").text
    assert "Ama" not in text and "example.com" not in text
    bad = api.client.get(
        "/public/find-class/sessions", params={"time_from": "10:00", "time_to": "09:00"}
    )
    assert bad.status_code == 422
    assert api.client.get("/public/find-class/sessions", params={"limit": 501}).status_code == 422


def test_public_listing_is_per_provider(api: Api, container: Container) -> None:
    one = open_studio(api, container, "provider-one")
    two = open_studio(api, container, "provider-two")
    one.session(one.session_type()["id"], soon(2), "09:00")
    assert api.client.get("/public/provider-two/sessions").json()["items"] == []
    theirs = api.client.get(
        "/public/provider-two/sessions", params={"location_id": one.location["id"]}
    )
    assert theirs.json()["items"] == []
    assert len(api.client.get("/public/provider-one/sessions").json()["items"]) == 1
    assert two.tenant.slug == "provider-two"
